/*
 * gort.c — gort's probes: the runtime's heap, stacks and goroutines.
 *
 * gort is linked statically into the program, and the executable exports
 * gort_set_probes (gort.pc asks the linker to), so the constructor finds it
 * with dlsym(RTLD_DEFAULT) and registers this file's callbacks.  When the
 * executable also exports gort_getg and gort_goid, records carry goroutine
 * ids (a goroutine switch record whenever the running goroutine changes).
 *
 * Probes run inside the runtime, often with its locks held: each one only
 * takes the thread's `busy` flag and writes a record; none blocks.  A
 * newobject is a block like a malloc'd one (the sweeper's free names it
 * later); its cost is the runtime's own measure.
 *
 * gort calls probes through a pointer, from split-stack code, so a probe
 * may start on a goroutine's 2 KiB segment with a few hundred bytes to
 * spare.  The tracer needs more (a stack walk, a /proc/self/maps read), so
 * every probe first moves to a 64 KiB stack of the thread's own (from the
 * arena) unless it already runs on the thread's stack.  While there, the
 * split-stack guard (%fs:0x70) is zero, so gort_getg/gort_goid, which are
 * split-stack functions, never ask for a segment.
 *
 * When the program ends (the main goroutine's exit, or the process's),
 * gort_record_states asks the runtime what every goroutine still there was
 * doing (gort_goroutine_states: Go's wait reasons) and writes one goroutine
 * state record each.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "internal.h"
#include "probes.h"

uint64_t (*gort_goid_now)(void);
static uint64_t (*p_goid)(const gort_g *);
static const gort_g *(*p_getg)(void);
static int (*p_states)(void (*)(uint64_t, const char *, void *), void *);

static uint64_t goid_now(void)
{
	const gort_g *g = p_getg();
	return g != NULL ? p_goid(g) : 0;
}

static uint64_t goid_of(const gort_g *g)
{
	return g != NULL && p_goid != NULL ? p_goid(g) : 0;
}

uint64_t gort_goid_here(void)
{
	if (gort_goid_now == NULL)
		return 0;
	uintptr_t guard = split_guard();
	split_guard_set(0);
	uint64_t id = goid_now();
	split_guard_set(guard);
	return id;
}

/* ---- running on the tracer's stack ------------------------------------------ */

#define ALT_STACK_SIZE (64u * 1024u)
static __thread uint8_t *alt_stack_top TLS_IE;

/* Call fn(arg) with %rsp at top and the split-stack guard off. */
__attribute__((noinline)) static void switch_and_call(void (*fn)(void *), void *arg, void *top)
{
	__asm__ volatile("mov %%fs:0x70, %%r12\n\t"
	                 "movq $0, %%fs:0x70\n\t"
	                 "mov %%rsp, %%rbx\n\t"
	                 "mov %[top], %%rsp\n\t"
	                 "call *%[fn]\n\t"
	                 "mov %%rbx, %%rsp\n\t"
	                 "mov %%r12, %%fs:0x70\n\t"
	                 : "+D"(arg), [fn] "+r"(fn), [top] "+r"(top)
	                 :
	                 : "rax", "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12",
	                   "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
	                   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory",
	                   "cc");
}

/* The thread's tracer stack, mapped now when it has none: arena_alloc makes
 * system calls, which a probe on a goroutine's segment had better not. */
static bool alt_stack_ready(void)
{
	if (alt_stack_top == NULL) {
		uint8_t *m = arena_alloc(ALT_STACK_SIZE);
		if (m == NULL)
			return false;
		alt_stack_top = m + ALT_STACK_SIZE;
	}
	return true;
}

void on_tracer_stack(void (*fn)(void *), void *arg)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
	struct tstate *t = esc_self;

	if (t != NULL && sp >= t->stack_lo && sp < t->stack_hi) {
		fn(arg);
		return;
	}
	if (!alt_stack_ready())
		return;
	uint8_t *top = alt_stack_top;
	alt_stack_top = NULL; /* a nested probe gets a stack of its own */
	switch_and_call(fn, arg, top);
	alt_stack_top = top;
}

/* ---- the probes ---------------------------------------------------------------- */

/* A probe's arguments, carried to the tracer's stack.  fp and ra are the
 * probe's own frame and return address: the stack walk starts there. */
struct probe_args {
	void *fp;
	uintptr_t ra;
	const void *ptr;
	uint64_t a, b, c;
	const gort_g *g, *parent;
	const gort_gc_stats *stats;
	uintptr_t caller_pc, caller_cfa; /* newobject_at */
};

#define PROBE_ARGS(...)                                                                            \
	struct probe_args args_ = {__builtin_frame_address(0),                                     \
	                           (uintptr_t)__builtin_return_address(0), __VA_ARGS__}

static void newobject_body(void *arg)
{
	struct probe_args *p = arg;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	uint64_t extra[2] = {p->b, p->c};
	uint64_t seq = t->seq;
	record_alloc(t, ESC_REC_NEWOBJECT, (uintptr_t)p->ptr, p->a, event_time(t), 0, p->fp, p->ra,
	             extra, false, NULL, false);
	if (p->caller_cfa != 0 && t->seq != seq)
		barrier_note(t, (void *)p->ptr, (uint64_t)t->index << 40 | seq, p->caller_pc,
		             p->caller_cfa, (uintptr_t)p->fp);
	leave(t);
}

static void on_newobject_at(void *ptr, size_t size, int sizeclass, uint64_t ns, uintptr_t caller_pc,
                            uintptr_t caller_cfa)
{
	PROBE_ARGS(.ptr = ptr, .a = size, .b = (uint64_t)(sizeclass < 0 ? 0 : sizeclass), .c = ns,
	           .caller_pc = caller_pc, .caller_cfa = caller_cfa);
	on_tracer_stack(newobject_body, &args_);
}

static void on_newobject(void *ptr, size_t size, int sizeclass, uint64_t ns)
{
	PROBE_ARGS(.ptr = ptr, .a = size, .b = (uint64_t)(sizeclass < 0 ? 0 : sizeclass), .c = ns);
	on_tracer_stack(newobject_body, &args_);
}

static void free_body(void *arg)
{
	struct probe_args *p = arg;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	barrier_swept(t, p->ptr);
	record_free(t, ESC_FN_SWEEP, (uintptr_t)p->ptr, event_time(t), (uintptr_t)p->fp);
	leave(t);
}

static void on_free(void *ptr, size_t size)
{
	PROBE_ARGS(.ptr = ptr, .a = size);
	on_tracer_stack(free_body, &args_);
}

static void gc_body(void *arg)
{
	struct probe_args *p = arg;
	const gort_gc_stats *s = p->stats;
	bool end = p->a;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	uint8_t *q = writer_reserve(t, 1 + 10 * ESC_MAX_VARINT);
	if (q != NULL) {
		*q++ = end ? ESC_REC_GC_END : ESC_REC_GC_START;
		q = put_dt(t, q, event_time(t));
		q = esc_put_uvarint(q, s->cycle);
		q = esc_put_uvarint(q, s->heap_live);
		q = esc_put_uvarint(q, s->heap_goal);
		if (!end) {
			q = esc_put_uvarint(q, s->forced != 0);
		} else {
			q = esc_put_uvarint(q, s->objects_live);
			q = esc_put_uvarint(q, s->freed_objects);
			q = esc_put_uvarint(q, s->freed_bytes);
			q = esc_put_uvarint(q, s->pause_ns);
			q = esc_put_uvarint(q, s->mark_ns);
		}
		writer_commit(t, q);
	}
	leave(t);
}

static void on_gc_start(const gort_gc_stats *s)
{
	PROBE_ARGS(.a = 0, .stats = s);
	on_tracer_stack(gc_body, &args_);
}

static void on_gc_end(const gort_gc_stats *s)
{
	PROBE_ARGS(.a = 1, .stats = s);
	on_tracer_stack(gc_body, &args_);
}

/* stack grow / release, goroutine exit: dt, goid, then numbers.  a is the
 * tag; b, c the sizes; ptr the PC that needed a segment. */
static void g_event_body(void *arg)
{
	struct probe_args *p = arg;
	unsigned tag = (unsigned)p->a;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	uint32_t sid = 0;
	if (tag == ESC_REC_STACK_GROW) {
		uint64_t pcs[1] = {(uintptr_t)p->ptr};
		sid = stack_intern(t, pcs, 1, false);
	}
	uint8_t *q = writer_reserve(t, 1 + 6 * ESC_MAX_VARINT);
	if (q != NULL) {
		*q++ = (uint8_t)tag;
		q = put_dt(t, q, event_time(t));
		q = esc_put_uvarint(q, goid_of(p->g));
		if (tag == ESC_REC_STACK_GROW) {
			q = esc_put_uvarint(q, p->b);
			q = esc_put_uvarint(q, p->c);
			q = esc_put_uvarint(q, sid);
		} else if (tag == ESC_REC_STACK_RELEASE) {
			q = esc_put_uvarint(q, p->b);
		}
		writer_commit(t, q);
	}
	leave(t);
}

static void on_stack_grow(const gort_g *g, size_t frame_size, size_t seg_size, uintptr_t pc)
{
	frames_forget_guard();
	PROBE_ARGS(.ptr = (const void *)pc, .a = ESC_REC_STACK_GROW, .b = frame_size, .c = seg_size,
	           .g = g);
	on_tracer_stack(g_event_body, &args_);
}

static void on_stack_release(const gort_g *g, size_t seg_size)
{
	frames_forget_guard();
	PROBE_ARGS(.a = ESC_REC_STACK_RELEASE, .b = seg_size, .g = g);
	on_tracer_stack(g_event_body, &args_);
}

static void on_go_exit(const gort_g *g)
{
	frames_forget_guard();
	/* The main goroutine's end: gort_main forgets the others next. */
	if (goid_of(g) == 1)
		gort_record_states();
	PROBE_ARGS(.a = ESC_REC_GO_EXIT, .g = g);
	on_tracer_stack(g_event_body, &args_);
}

static void go_create_body(void *arg)
{
	struct probe_args *p = arg;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	struct frame_id fid;
	uint32_t sid = stack_capture(t, p->fp, p->ra, &fid);
	uint8_t *q = writer_reserve(t, 1 + 5 * ESC_MAX_VARINT);
	if (q != NULL) {
		*q++ = ESC_REC_GO_CREATE;
		q = put_dt(t, q, event_time(t));
		q = esc_put_uvarint(q, goid_of(p->g));
		q = esc_put_uvarint(q, goid_of(p->parent));
		q = esc_put_uvarint(q, (uintptr_t)p->ptr);
		q = esc_put_uvarint(q, sid);
		writer_commit(t, q);
	}
	leave(t);
}

static void on_go_create(const gort_g *g, void (*fn)(void *), const gort_g *parent)
{
	frames_forget_guard();
	PROBE_ARGS(.ptr = (const void *)(uintptr_t)fn, .g = g, .parent = parent);
	on_tracer_stack(go_create_body, &args_);
}

/* ---- what the goroutines left behind were doing ------------------------------- */

/* One goroutine state record (the thread is entered: t is ours). */
static void state_record(uint64_t goid, const char *state, void *arg)
{
	struct tstate *t = arg;
	size_t n = strnlen(state, ESC_MAX_GO_STATE);
	uint8_t *q = writer_reserve(t, 1 + 3 * ESC_MAX_VARINT + n);
	if (q == NULL)
		return;
	*q++ = ESC_REC_GO_STATE;
	q = put_dt(t, q, event_time(t));
	q = esc_put_uvarint(q, goid);
	q = esc_put_uvarint(q, n);
	memcpy(q, state, n);
	writer_commit(t, q + n);
}

static void states_body(void *arg)
{
	(void)arg;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	p_states(state_record, t);
	leave(t);
}

/* Only at the end of a run, never per park: the runtime keeps every parked
 * goroutine's wait reason anyway, so asking once costs one walk of its
 * goroutine list, and the programs that never block pay nothing. */
void gort_record_states(void)
{
	if (p_states != NULL)
		on_tracer_stack(states_body, NULL);
}

void gort_attach(void)
{
	void (*set)(const gort_probes *) =
	        (void (*)(const gort_probes *))dlsym(RTLD_DEFAULT, "gort_set_probes");

	if (set == NULL)
		return;
	/* The thread that starts the program is the one that usually runs
	 * the goroutines (gort_main): its first probe then finds its stack. */
	alt_stack_ready();
	p_goid = (uint64_t(*)(const gort_g *))dlsym(RTLD_DEFAULT, "gort_goid");
	p_getg = (const gort_g *(*)(void))dlsym(RTLD_DEFAULT, "gort_getg");
	p_states = (int (*)(void (*)(uint64_t, const char *, void *), void *))dlsym(
	        RTLD_DEFAULT, "gort_goroutine_states");
	if (p_goid != NULL && p_getg != NULL)
		gort_goid_now = goid_now;
	gort_probes probes = {
	        .size = sizeof probes,
	        .newobject = on_newobject,
	        .free = on_free,
	        .gc_start = on_gc_start,
	        .gc_end = on_gc_end,
	        .stack_grow = on_stack_grow,
	        .stack_release = on_stack_release,
	        .go_create = on_go_create,
	        .go_exit = on_go_exit,
	};
	if (esc_opt.frames) {
		probes.frame_enter = frames_probe_enter;
		probes.frame_exit = frames_probe_exit;
	}
	barrier_attach();
	if (barrier_enabled())
		probes.newobject_at = on_newobject_at;
	set(&probes);
}
