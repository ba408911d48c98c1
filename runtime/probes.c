/*
 * probes.c — registration of the probe table (see probes.h).
 *
 * The table is one global struct that the runtime reads on every event.  A
 * field is read with a relaxed atomic load: a tool that registers while the
 * program runs sees its probes take effect from some next event on, never a
 * torn pointer.  That is all the synchronisation a tracer needs, since it
 * registers once, early, and probes are independent of one another.
 */
#include <string.h>

#include "internal.h"

gort_probes gort_probe_table;

/* Fields in declaration order: copying them one by one keeps each store
 * atomic, which a memcpy of the struct would not. */
#define PROBE_FIELDS(X)                                                                            \
	X(newobject)                                                                               \
	X(free) X(gc_start) X(gc_end) X(stack_grow) X(stack_release) X(go_create) X(go_exit)       \
	        X(newobject_at)

void gort_set_probes(const gort_probes *probes)
{
	gort_probes incoming;

	memset(&incoming, 0, sizeof incoming);
	if (probes != NULL) {
		size_t n = probes->size < sizeof incoming ? probes->size : sizeof incoming;
		memcpy(&incoming, probes, n);
	}
#define STORE_PROBE(field)                                                                         \
	__atomic_store_n(&gort_probe_table.field, incoming.field, __ATOMIC_RELEASE);
	PROBE_FIELDS(STORE_PROBE)
#undef STORE_PROBE
	/* The allocation fast path tests this one flag, not both pointers. */
	__atomic_store_n(&newobject_probe_on,
	                 incoming.newobject != NULL || incoming.newobject_at != NULL,
	                 __ATOMIC_RELEASE);
	gort_probe_table.size = sizeof gort_probe_table;
}
