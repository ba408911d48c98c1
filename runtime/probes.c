/*
 * probes.c — registration of the probe table (see probes.h).
 *
 * The table is one global struct that the runtime reads on every event.  A
 * field is read with a relaxed atomic load: a tool that registers while the
 * program runs sees its probes take effect from some next event on, never a
 * torn pointer.  That is all the synchronisation a tracer needs, since it
 * registers once, early, and probes are independent of one another.
 *
 * It also defines __cyg_profile_func_enter/exit, which code built with
 * -finstrument-functions calls on every function entry and exit.  gort is
 * linked into the executable, so these definitions are the ones the
 * program's code binds to (a preloaded tracer's cannot come first), and
 * they forward to the frame_enter/frame_exit probes: a NULL check when
 * nobody listens.  They are no_split_stack so that their frame stays on the
 * instrumented function's segment (the stack pointer they report is that
 * function's, never a new segment's) and are not instrumented themselves.
 */
#include <string.h>

#include "internal.h"

gort_probes gort_probe_table;

/* Fields in declaration order: copying them one by one keeps each store
 * atomic, which a memcpy of the struct would not. */
#define PROBE_FIELDS(X)                                                                            \
	X(newobject)                                                                               \
	X(free)                                                                                    \
	X(gc_start)                                                                                \
	X(gc_end) X(stack_grow) X(stack_release) X(go_create) X(go_exit) X(newobject_at)           \
	        X(frame_enter) X(frame_exit)

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

/* The instrumented function's stack pointer: the forwarder's canonical
 * frame address (frame pointers are on: %rbp + 16). */
#define CALLER_SP() ((uintptr_t)__builtin_frame_address(0) + 16)
#define FRAME_HOOK  __attribute__((no_instrument_function, no_split_stack))

FRAME_HOOK void __cyg_profile_func_enter(void *fn, void *call_site)
{
	void (*probe)(void *, void *, uintptr_t) =
	        __atomic_load_n(&gort_probe_table.frame_enter, __ATOMIC_RELAXED);
	if (probe != NULL)
		probe(fn, call_site, CALLER_SP());
}

FRAME_HOOK void __cyg_profile_func_exit(void *fn, void *call_site)
{
	void (*probe)(void *, void *, uintptr_t) =
	        __atomic_load_n(&gort_probe_table.frame_exit, __ATOMIC_RELAXED);
	if (probe != NULL)
		probe(fn, call_site, CALLER_SP());
}
