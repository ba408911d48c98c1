/*
 * frames.c — `--frames`: every function entry and exit of code built with
 * -finstrument-functions, with its stack pointer.
 *
 * GCC and Clang make instrumented code call __cyg_profile_func_enter(fn,
 * site) after each prologue and __cyg_profile_func_exit before each
 * epilogue.  glibc defines both as no-ops; this library, preloaded, comes
 * first.  The hook's own canonical frame address is the instrumented
 * function's stack pointer once its frame is set up, so consecutive enters
 * give frame sizes, and their nesting the call path: the stack bytes of
 * each path, beside the heap bytes the allocation records give it.
 *
 * gort programs are different: gort is linked into the executable and
 * defines __cyg_profile_func_* itself (an executable's definitions come
 * before a preloaded library's), forwarding them to the frame_enter and
 * frame_exit probes with the instrumented function's stack pointer.
 * gort.c registers frames_probe_enter/exit below.  They start on the
 * goroutine's segment, in the few hundred bytes below the split-stack
 * guard, so their common case (the thread's state exists, its chunk has
 * room, the goroutine did not change) writes the record right there with a
 * small frame and calls nothing; anything else (the first event of a
 * thread, a new chunk, a goroutine switch record, lost events) moves to
 * the tracer's stack first.
 *
 * Which goroutine runs?  Asking gort (gort_getg, gort_goid) costs two calls
 * into the program and a guard switch each time; instead the probes keep
 * the split-stack guard (%fs:0x70) they last saw with the goroutine it
 * belonged to.  Each goroutine runs on segments of its own, so while the
 * guard is the same the goroutine is the same; a segment passes to another
 * goroutine only after a stack or goroutine probe (grow, release, create,
 * exit), which forget the cached guard (frames_forget_guard).
 *
 * Without --frames the hooks return at once (and gort's probes are not
 * registered).  With it, an event is a clock read and a few bytes appended
 * to the thread's chunk (no stack walk): the budget is 20 ns.  Functions
 * that run before the tracer starts, or inside it (a signal handler
 * interrupting a hook), are not recorded; an exit whose enter was not
 * recorded is still written, and readers ignore exits with no open enter.
 */
#include "internal.h"

#define EXPORT        __attribute__((visibility("default"), no_instrument_function))
#define FRAME_REC_MAX (1 + 3 * ESC_MAX_VARINT)

/* Append one frame record at p (room for FRAME_REC_MAX checked). */
static inline __attribute__((always_inline)) void frame_put(struct tstate *t, uint8_t *p,
                                                            bool entry, uintptr_t fn, uint64_t sp)
{
	if (entry) {
		*p++ = ESC_REC_FRAME_ENTER;
		p = put_dt(t, p, event_time(t));
		p = esc_put_svarint(p, (int64_t)(fn - t->last_fn));
		p = esc_put_svarint(p, (int64_t)(sp - t->last_sp));
		t->last_fn = fn;
		t->last_sp = sp;
	} else {
		*p++ = ESC_REC_FRAME_EXIT;
		p = put_dt(t, p, event_time(t));
	}
	writer_commit(t, p);
}

/* The thread is entered (busy taken): write a frame record. */
static void frame_write(struct tstate *t, bool entry, uintptr_t fn, uint64_t sp)
{
	uint8_t *p = writer_reserve(t, FRAME_REC_MAX);
	if (p != NULL)
		frame_put(t, p, entry, fn, sp);
}

static inline struct tstate *frames_enter(void)
{
	if (likely(!esc_opt.frames))
		return NULL;
	return enter();
}

EXPORT void __cyg_profile_func_enter(void *fn, void *site)
{
	struct tstate *t = frames_enter();

	(void)site;
	if (t == NULL)
		return;
	frame_write(t, true, (uintptr_t)fn, (uint64_t)(uintptr_t)__builtin_frame_address(0) + 16);
	leave(t);
}

EXPORT void __cyg_profile_func_exit(void *fn, void *site)
{
	struct tstate *t = frames_enter();

	(void)site;
	if (t == NULL)
		return;
	frame_write(t, false, (uintptr_t)fn, 0);
	leave(t);
}

/* ---- gort's frame probes ------------------------------------------------- */

struct frame_args {
	uintptr_t fn, sp, guard;
	bool entry;
};

/* On the tracer's stack: everything the fast path leaves out. */
static void frame_slow(void *arg)
{
	const struct frame_args *a = arg;
	struct tstate *t = enter();

	if (t == NULL)
		return;
	if (unlikely(t->lost))
		writer_lost(t);
	uint64_t goid = gort_goid_here();
	writer_note_goid(t, goid);
	if (t->goid == goid) { /* noted: cache the guard it runs under */
		t->frame_guard = a->guard;
		t->frame_goid = goid;
	}
	frame_write(t, a->entry, a->fn, a->sp);
	leave(t);
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Out of line, so that the fast path's frame stays small. */
static __attribute__((noinline)) void frame_probe_slow(bool entry, uintptr_t fn, uintptr_t sp,
                                                       uintptr_t guard)
{
	struct tstate *t = esc_self;

	/* Inside the tracer already (a signal handler that runs instrumented
	 * code while this thread records): lost, and no second tracer stack,
	 * whose arena_alloc could wait for a lock the interrupted code holds. */
	if (t != NULL && t->busy) {
		t->lost++;
		return;
	}
	struct frame_args a = {.fn = fn, .sp = sp, .guard = guard, .entry = entry};
	on_tracer_stack(frame_slow, &a);
}

/* On the goroutine's segment: the common case, or false to go slow. */
static ALWAYS_INLINE bool frame_fast(bool entry, uintptr_t fn, uintptr_t sp, uintptr_t guard)
{
	struct tstate *t = esc_self;

	if (unlikely(t == NULL || esc_state != ESC_ON || t->busy || t->lost))
		return false;
	t->busy = 1;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	bool done = false;
	if (likely(guard == t->frame_guard && guard != 0 && t->goid == t->frame_goid &&
	           t->chunk != NULL && (size_t)(t->limit - t->pos) >= FRAME_REC_MAX)) {
		frame_put(t, t->pos, entry, fn, sp);
		done = true;
	}
	leave(t);
	return done;
}

static ALWAYS_INLINE void frame_probe(bool entry, uintptr_t fn, uintptr_t sp)
{
	uintptr_t guard = split_guard();

	if (likely(frame_fast(entry, fn, sp, guard)))
		return;
	frame_probe_slow(entry, fn, sp, guard);
}

void frames_probe_enter(void *fn, void *call_site, uintptr_t sp)
{
	(void)call_site;
	frame_probe(true, (uintptr_t)fn, sp);
}

void frames_probe_exit(void *fn, void *call_site, uintptr_t sp)
{
	(void)call_site;
	frame_probe(false, (uintptr_t)fn, sp);
}
