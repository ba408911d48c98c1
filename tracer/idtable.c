/*
 * tracer/idtable.c — the id table (see idtable.h for what it is for).
 *
 * Keys are stored as id + 1 so that a zeroed slot is empty and a fresh
 * table is a calloc.  Ids are mixed (a 64-bit finalizer) before masking:
 * block ids and addresses differ mostly in their high or low bits.
 */
#include "config.h"

#include "idtable.h"

#include <stdbool.h>
#include <stdlib.h>

static size_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ULL;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dULL;
	x ^= x >> 33;
	return (size_t)x;
}

id_slot *id_table_find(const id_table *t, uint64_t id)
{
	if (!t->cap || id == UINT64_MAX)
		return NULL;
	size_t mask = t->cap - 1;
	for (size_t i = mix(id) & mask;; i = (i + 1) & mask) {
		if (t->v[i].key == id + 1)
			return &t->v[i];
		if (!t->v[i].key)
			return NULL;
	}
}

static bool grow(id_table *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	id_slot *v = calloc(cap, sizeof *v);
	if (!v)
		return false;
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->v[i].key)
			continue;
		size_t j = mix(t->v[i].key - 1) & (cap - 1);
		while (v[j].key)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[i];
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
	return true;
}

id_slot *id_table_put(id_table *t, uint64_t id)
{
	if (id == UINT64_MAX)
		return NULL;
	/* One probe finds the id or the empty slot it would go to; only when
	 * the table must grow is the slot looked for again. */
	size_t mask = t->cap - 1, i = 0;
	if (t->cap)
		for (i = mix(id) & mask; t->v[i].key; i = (i + 1) & mask)
			if (t->v[i].key == id + 1)
				return &t->v[i];
	if (4 * (t->len + 1) > 3 * t->cap) {
		if (!grow(t))
			return NULL;
		mask = t->cap - 1;
		for (i = mix(id) & mask; t->v[i].key; i = (i + 1) & mask)
			;
	}
	t->v[i] = (id_slot){.key = id + 1};
	t->len++;
	return &t->v[i];
}

void id_table_remove(id_table *t, id_slot *s)
{
	size_t mask = t->cap - 1;
	size_t hole = (size_t)(s - t->v);
	for (size_t i = (hole + 1) & mask; t->v[i].key; i = (i + 1) & mask) {
		size_t home = mix(t->v[i].key - 1) & mask;
		/* Move entry i into the hole unless its home lies in (hole, i]. */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			t->v[hole] = t->v[i];
			hole = i;
		}
	}
	t->v[hole].key = 0;
	t->len--;
}

void id_table_free(id_table *t)
{
	free(t->v);
	t->v = NULL;
	t->cap = t->len = 0;
}
