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
 * Without --frames the hooks return at once.  With it, an event is a clock
 * read and a few bytes appended to the thread's chunk (no stack walk): the
 * budget is 20 ns.  Functions that run before the tracer starts, or inside
 * it (a signal handler interrupting a hook), are not recorded; an exit
 * whose enter was not recorded is still written, and readers ignore exits
 * with no open enter.
 *
 * gort links its runtime statically and would ship its own no-op
 * __cyg_profile_func_* (an executable's definitions come before a preloaded
 * library's), so gort programs need the runtime to forward them to a
 * probe; see the tracer's notes in the report of issue 4.
 */
#include "internal.h"

#define EXPORT __attribute__((visibility("default"), no_instrument_function))

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
	uint64_t sp = (uint64_t)(uintptr_t)__builtin_frame_address(0) + 16;
	uint8_t *p = writer_reserve(t, 1 + 3 * ESC_MAX_VARINT);
	if (p != NULL) {
		*p++ = ESC_REC_FRAME_ENTER;
		p = put_dt(t, p, event_time(t));
		p = esc_put_svarint(p, (int64_t)((uintptr_t)fn - t->last_fn));
		p = esc_put_svarint(p, (int64_t)(sp - t->last_sp));
		t->last_fn = (uintptr_t)fn;
		t->last_sp = sp;
		writer_commit(t, p);
	}
	leave(t);
}

EXPORT void __cyg_profile_func_exit(void *fn, void *site)
{
	struct tstate *t = frames_enter();

	(void)fn;
	(void)site;
	if (t == NULL)
		return;
	uint8_t *p = writer_reserve(t, 1 + ESC_MAX_VARINT);
	if (p != NULL) {
		*p++ = ESC_REC_FRAME_EXIT;
		p = put_dt(t, p, event_time(t));
		writer_commit(t, p);
	}
	leave(t);
}
