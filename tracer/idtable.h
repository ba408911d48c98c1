/*
 * tracer/idtable.h — a hash table from 64-bit ids to two 64-bit values.
 *
 * The viewer's pass looks things up by number all the time: stack ids,
 * block ids, thread indexes, addresses in the symbolizer's cache.  This is
 * the one table they share: open addressing with linear probing, a power
 * of two of slots at most 3/4 full, removal by shifting the probe run back
 * (no tombstones, so a table of live blocks stays as small as the live
 * set).  Slot pointers stay valid until the next put or remove.
 */
#ifndef ESCAPADE_IDTABLE_H
#define ESCAPADE_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct id_slot {
	uint64_t key; /* id + 1; 0 marks an empty slot */
	uint64_t a, b;
} id_slot;

typedef struct id_table {
	id_slot *v;
	size_t cap, len; /* cap is 0 or a power of two */
} id_table;

/* A zeroed id_table is empty and ready. */

id_slot *id_table_find(const id_table *t, uint64_t id);
/* The slot for id, created with a = b = 0 when absent; NULL when out of
 * memory, or for id UINT64_MAX, which cannot be a key. */
id_slot *id_table_put(id_table *t, uint64_t id);
void id_table_remove(id_table *t, id_slot *s);
void id_table_free(id_table *t);

#endif
