/*
 * probes.h — how a tool observes gort: a table of callbacks.
 *
 * The runtime calls each probe, when it is set, at the event it names.  A tool
 * (the Escapade tracer above all) fills a gort_probes and registers it with
 * gort_set_probes().  Every field may be NULL; an unset probe costs the
 * runtime one load and one NULL check, nothing more.
 *
 * The tracer reaches this from outside the program: programs link gort
 * statically, and gort.pc exports gort_set_probes from the executable, so a
 * preloaded library finds it with dlsym(RTLD_DEFAULT, "gort_set_probes").
 *
 * Probes run on the thread (and goroutine stack) of the event, often inside
 * the allocator or the scheduler with runtime locks held: they must not call
 * back into gort, must not block, and must be short.  Stack probes run on the
 * system stack, not on the goroutine's small segment.
 *
 * The table is versioned by its size: a tool sets `size` to sizeof its
 * gort_probes, and the runtime ignores fields past what the tool knows.
 */
#ifndef GORT_PROBES_H
#define GORT_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a goroutine is, to a tool: an opaque handle plus its id. */
typedef struct gort_g gort_g;

/* Collector statistics, passed to gc_start and gc_end. */
typedef struct gort_gc_stats {
	uint64_t cycle;         /* 1 for the first collection */
	uint64_t heap_live;     /* bytes in live objects (at start: before marking) */
	uint64_t heap_goal;     /* next_gc */
	uint64_t objects_live;  /* objects after sweep (gc_end only) */
	uint64_t freed_objects; /* objects freed by this cycle (gc_end only) */
	uint64_t freed_bytes;   /* bytes freed by this cycle (gc_end only) */
	uint64_t pause_ns;      /* stop-the-world time (gc_end only) */
	uint64_t mark_ns;       /* marking time (gc_end only) */
	int forced;             /* started by gort_gc() */
} gort_gc_stats;

typedef struct gort_probes {
	size_t size; /* sizeof(gort_probes) as the tool knows it */

	/* Heap.  `ns` is the time spent inside the allocator for this object
	 * (0 when the runtime does not measure it).  `sizeclass` is 0 for a
	 * large object on its own span. */
	void (*newobject)(void *ptr, size_t size, int sizeclass, uint64_t ns);
	/* The sweeper freed an object the collector found unreachable. */
	void (*free)(void *ptr, size_t size);
	void (*gc_start)(const gort_gc_stats *stats);
	void (*gc_end)(const gort_gc_stats *stats);

	/* Stacks.  stack_grow: goroutine g needed a new segment of seg_size
	 * bytes for a frame of frame_size bytes, called from caller_pc.
	 * stack_release: g returned off a segment of seg_size bytes. */
	void (*stack_grow)(const gort_g *g, size_t frame_size, size_t seg_size,
	                   uintptr_t caller_pc);
	void (*stack_release)(const gort_g *g, size_t seg_size);

	/* Goroutines.  go_create runs in the creator (parent, NULL for the main
	 * goroutine) before g first runs; go_exit runs on g as it ends. */
	void (*go_create)(const gort_g *g, void (*fn)(void *), const gort_g *parent);
	void (*go_exit)(const gort_g *g);

	/* Heap, with the allocating frame (added after go_exit: older tools
	 * never see it).  When set, it is called instead of newobject.
	 * caller_pc is the return address into the function that called
	 * gort_newobject/gort_newarray; caller_cfa is that function's canonical
	 * frame address (its %rbp + 16: frame pointers are on), so its return
	 * address lies at caller_cfa - 8. */
	void (*newobject_at)(void *ptr, size_t size, int sizeclass, uint64_t ns,
	                     uintptr_t caller_pc, uintptr_t caller_cfa);

	/* Frames (added after newobject_at).  Code built with
	 * -finstrument-functions calls __cyg_profile_func_enter/exit after
	 * each prologue and before each epilogue; gort defines both (in the
	 * executable, so they come before any preloaded library's) and
	 * forwards them here.  fn is the instrumented function, call_site the
	 * return address into its caller, sp its stack pointer once its
	 * prologue has run (the low end of its frame).  They run on the
	 * goroutine's segment, in the headroom below the split-stack guard:
	 * they may use a hundred bytes of stack or so, no more, and must not
	 * call split-stack code (gort_getg, gort_goid) with the guard set. */
	void (*frame_enter)(void *fn, void *call_site, uintptr_t sp);
	void (*frame_exit)(void *fn, void *call_site, uintptr_t sp);
} gort_probes;

/* Register probes (copied; NULL unregisters).  Safe to call at any time,
 * before or after the runtime starts. */
void gort_set_probes(const gort_probes *probes);

/* The id of a goroutine (1 for the main goroutine; 0 for "no goroutine",
 * code running on a plain thread). */
uint64_t gort_goid(const gort_g *g);

/* The goroutine running on this thread, or NULL on a plain thread. */
const gort_g *gort_getg(void);

/* Reachability for tools: run the collector's mark phase (and nothing
 * else: no sweep, nothing is freed) from every root, and set reachable[i]
 * when the object that ptrs[i] points into is marked; the marks are cleared
 * afterwards.  `sp` is the lowest live address of the running goroutine's
 * stack (the stack is scanned from there up); NULL means "from where the
 * collector runs", as in a collection.  Roots are what a collection uses:
 * data and bss, this thread's thread-local variables, every goroutine's
 * stack.  ptrs and reachable must not live in scanned memory (the caller's
 * stack, data, bss) or they keep their objects alive themselves.  Must run
 * on the thread that runs gort (one P), outside the allocator.  Returns 0,
 * or -1 (reachable untouched) when a collection is already in progress or
 * n < 0. */
int gort_reachable(const void *sp, void *const *ptrs, int n, bool *reachable);

/* Every goroutine that has not ended, as Go's tracebacks head them:
 * fn(goid, state, arg) for each, where state is "running", "runnable", or
 * the wait reason of a parked goroutine, Go's strings: "chan receive",
 * "chan send", "chan receive (nil chan)", "select", "select (no cases)",
 * "sleep", "sync.WaitGroup.Wait", "sync.Mutex.Lock".  The strings are
 * static.  Returns how many goroutines fn saw.
 *
 * Meant for the end of a run, to tell what was left blocked: from go_exit
 * of the main goroutine (id 1: gort_main forgets the others once it
 * returns, without a go_exit for them), or from an exit hook (a deadlock or
 * a panic ends the process with _exit(2) while the goroutines are still
 * parked).  It reads the scheduler's goroutine list without a lock, so it
 * runs on the thread that runs gort, like gort_reachable; fn must not call
 * back into gort.  It costs nothing while nobody calls it: gopark already
 * keeps the reason. */
int gort_goroutine_states(void (*fn)(uint64_t goid, const char *state, void *arg), void *arg);

/* Stack segments, for tools that walk frame pointers (the tracer): the
 * stack segments of the goroutine running on this thread, newest first,
 * skipping the newest `skip`.  Writes up to max of them, the i-th as
 * bounds[2i] (its stack's low end, the header excluded) and bounds[2i+1]
 * (its top), and returns how many: fewer than max means there are no
 * more; 0 for any thread that does not run a goroutine.  The segments stay
 * mapped while the goroutine is stopped where the caller found it, and a
 * frame-pointer chain crosses them newest to oldest, so a walker asks for
 * a window and, should the chain go past it, for the next one.  On the
 * goroutine's own stack, the list is the segment in use and the older ones
 * its frames return to; off it (the thread's system stack, or a tool's own
 * stack with the split-stack guard at 0), every segment the goroutine
 * holds, the spare kept after the one in use first (there a call reads
 * every segment's header whatever the window: ask for a big one).  Another
 * goroutine's stack, a freed segment, the heap are never listed.  No
 * allocation, no lock, no split: safe from a signal handler and from any
 * stack. */
int gort_stack_segments(int skip, uintptr_t *bounds, int max);

#ifdef __cplusplus
}
#endif

#endif /* GORT_PROBES_H */
