/*
 * internal.h — what the files of libescapade.so share, and nothing else.
 *
 * The recorder is split by concept: arena.c (its own memory), writer.c (the
 * trace file and the per-thread chunks), stacks.c (stack capture and
 * interning), modules.c (the module map), maps.c (/proc/self/maps), blocks.c (live blocks: address
 * to allocation), hooks.c (the malloc family), preload.c (start-up, options,
 * threads, fork/exec/exit), gort.c (gort's probes), cxx.c (C++ new and
 * delete).
 *
 * Rules every file keeps: never call malloc and friends (the arena serves
 * all memory); never take a lock on the hot path except a block-table
 * stripe; everything a hook does runs with the thread's `busy` flag set, so
 * a signal handler that allocates on the same thread is forwarded untraced
 * (and counted as lost) rather than deadlocking or corrupting state.
 */
#ifndef ESCAPADE_TRACER_INTERNAL_H
#define ESCAPADE_TRACER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <x86intrin.h>

#include "format.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define HIDDEN      __attribute__((visibility("hidden")))
#define TLS_IE      __attribute__((tls_model("initial-exec")))

/* ---- options (preload.c) ---------------------------------------------- */

struct esc_options {
	unsigned depth; /* frames per stack */
	bool cost;      /* time the real allocator */
	bool follow;    /* trace forked and exec'd children */
	bool frames;
	bool compact;         /* rewrite the trace deflated at a clean end */
	unsigned time_sample; /* read the clock every N events (1: each) */
	int unwind;           /* UNWIND_AUTO, UNWIND_FP, UNWIND_DWARF */
};
enum { UNWIND_AUTO, UNWIND_FP, UNWIND_DWARF };
HIDDEN extern struct esc_options esc_opt;

/* 0 before start-up, 1 recording, 2 finished (hooks only forward). */
HIDDEN extern volatile int esc_state;
enum { ESC_OFF, ESC_ON, ESC_DONE };

/* Keep errno across a slow path that makes system calls. */
#define KEEP_ERRNO(stmt)                                                                           \
	do {                                                                                       \
		int saved_errno_ = errno;                                                          \
		stmt;                                                                              \
		errno = saved_errno_;                                                              \
	} while (0)

/* ---- arena.c: the tracer's own memory ----------------------------------- */

HIDDEN void *arena_alloc(size_t size);        /* zeroed; NULL when out */
HIDDEN void arena_free(void *p, size_t size); /* size as allocated */
HIDDEN void arena_lock_all(void);             /* around fork */
HIDDEN void arena_unlock_all(void);

/* A spinlock that is fork-safe when held across fork by the forker. */
typedef struct {
	int v;
} esc_spin;
static inline void spin_lock(esc_spin *l)
{
	while (__atomic_exchange_n(&l->v, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->v, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}
static inline void spin_unlock(esc_spin *l)
{
	__atomic_store_n(&l->v, 0, __ATOMIC_RELEASE);
}

/* ---- clock ---------------------------------------------------------------- */

#define ESC_TICK_SHIFT 4
static inline uint64_t esc_ticks(void)
{
	return __rdtsc();
}
HIDDEN uint64_t esc_mono_ns(void);
struct tstate;
/* An event's time.  Reading the clock is the dearest thing a hook does
 * (rdtsc costs ~35 ns in some VMs), so a thread reads it every
 * esc_opt.time_sample events and the events in between share the last
 * reading; with --cost every event is timed exactly anyway. */
static inline uint64_t event_time(struct tstate *t);
HIDDEN uint64_t esc_real_ns(void);

/* ---- per-thread state (preload.c owns the lifecycle) --------------------- */

struct stack_table; /* stacks.c */
struct module;      /* modules.c */

/* stacks.c: a window onto the stack segments of the goroutine running on
 * the thread (gort_stack_segments), newest first, fetched as a walk needs
 * them and valid for that walk only (stack_regions_begin). */
#define SEG_WINDOW 256
struct seg_window {
	uint32_t base, n; /* b[i] is the (base + i)-th newest segment */
	uint32_t cur;     /* the last one found: the chain goes on from there */
	bool ended;       /* there is none older than the window */
	uintptr_t b[SEG_WINDOW][2];
};

struct tstate {
	uint32_t index, tid;
	int busy;      /* inside the tracer: nested hooks forward untraced;
	                * BUSY_QUERY while the runtime answers the tracer's own
	                * question (gort_reachable), whose allocations are the
	                * tracer's doing: not the program's, not lost */
	uint64_t lost; /* events dropped, written as a LOST record soon */

	/* writer.c: the chunk this thread appends to */
	struct esc_chunk_header *chunk;
	uint8_t *pos, *limit;
	uint64_t last_t;           /* ticks >> shift of the last record */
	uint64_t last_frame;       /* frame field of the last record */
	uint32_t last_stack;       /* stack of the last alloc/newobject record */
	uint64_t last_fn, last_sp; /* of the last frame enter record (frames.c) */
	uintptr_t frame_guard;     /* frames.c: split-stack guard ... */
	uint64_t frame_goid;       /* ... and the goroutine it belonged to */
	uint64_t clock_last;       /* the last clock reading (event_time) */
	uint32_t clock_skip;       /* events left before the next reading */
	uint64_t seq;              /* blocks created by this thread */
	uint64_t goid;             /* goroutine written last (chunk state) */

	/* stacks.c */
	struct stack_table *stacks;
	uintptr_t stack_lo, stack_hi;        /* the thread's stack mapping */
	const struct module *last_module[2]; /* modules.c lookup cache */
	struct tstate *next_spare;           /* preload.c: states of ended threads */
	struct seg_window segs;              /* the walk's gort stack segments */
	uint64_t pcs[ESC_MAX_DEPTH];         /* capture buffer, off the program's stack */
};

HIDDEN extern __thread struct tstate *esc_self TLS_IE;

static inline uint64_t event_time(struct tstate *t)
{
	if (esc_opt.cost)
		return esc_ticks();
	if (likely(t->clock_skip > 0)) {
		t->clock_skip--;
		return t->clock_last;
	}
	t->clock_skip = esc_opt.time_sample - 1;
	return t->clock_last = esc_ticks();
}
/* This thread's state, created on first use; NULL when it cannot be. */
HIDDEN struct tstate *tstate_get(void);
HIDDEN uint32_t esc_gettid(void);

enum { BUSY_QUERY = 2 };

/* The split-stack guard in the TCB (%fs:0x70): a gort goroutine's current
 * segment, or 0 (no checks: the tracer's own stack, a plain thread). */
static inline uintptr_t split_guard(void)
{
	uintptr_t g;
	__asm__ volatile("mov %%fs:0x70, %0" : "=r"(g));
	return g;
}

static inline void split_guard_set(uintptr_t g)
{
	__asm__ volatile("mov %0, %%fs:0x70" : : "r"(g) : "memory");
}

/* The thread's state with `busy` taken, or NULL: then only forward. */
static inline struct tstate *enter(void)
{
	struct tstate *t = esc_self;

	if (unlikely(esc_state != ESC_ON))
		return NULL;
	if (unlikely(t == NULL)) {
		t = tstate_get();
		if (t == NULL)
			return NULL;
	}
	if (unlikely(t->busy)) {
		if (t->busy != BUSY_QUERY)
			t->lost++;
		return NULL;
	}
	t->busy = 1;
	/* A signal handler on this thread must see busy before any work. */
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return t;
}

static inline void leave(struct tstate *t)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	t->busy = 0;
}

/* ---- writer.c: the trace file -------------------------------------------- */

HIDDEN int writer_open(const char *path, char *err, size_t errlen);
/* Make room for a record of up to `need` bytes; NULL when tracing stopped.
 * The chunk has room nearly always: that check is inline. */
HIDDEN uint8_t *writer_reserve_slow(struct tstate *t, size_t need);
static inline uint8_t *writer_reserve(struct tstate *t, size_t need)
{
	if (likely(t->chunk != NULL && (size_t)(t->limit - t->pos) >= need))
		return t->pos;
	return writer_reserve_slow(t, need);
}
/* Publish the bytes up to `end` as committed records. */
static inline void writer_commit(struct tstate *t, uint8_t *end)
{
	t->pos = end;
	__atomic_store_n(&t->chunk->committed,
	                 (uint32_t)(end - (uint8_t *)t->chunk - ESC_CHUNK_HEADER_SIZE),
	                 __ATOMIC_RELEASE);
}
/* Time delta field for a record at `ticks`. */
static inline uint8_t *put_dt(struct tstate *t, uint8_t *p, uint64_t ticks)
{
	uint64_t now = ticks >> ESC_TICK_SHIFT;
	uint64_t dt = now > t->last_t ? now - t->last_t : 0;
	t->last_t += dt;
	return esc_put_uvarint(p, dt);
}
static inline uint8_t *put_frame(struct tstate *t, uint8_t *p, uint64_t frame)
{
	p = esc_put_svarint(p, (int64_t)(frame - t->last_frame));
	t->last_frame = frame;
	return p;
}
HIDDEN uint8_t *put_str(uint8_t *p, const char *s, size_t n);
/* Write a goroutine switch record when the goroutine changed. */
HIDDEN void writer_note_goid(struct tstate *t, uint64_t goid);
HIDDEN void writer_lost(struct tstate *t);
HIDDEN void writer_thread_name(struct tstate *t, const char *name);
/* The end: END record, header flags, compaction when `compact`. */
HIDDEN void writer_finish(unsigned reason, int64_t status, bool compact);
/* In a fork child: drop the parent's file (never write to it). */
HIDDEN void writer_forget(void);
HIDDEN void writer_thread_done(struct tstate *t);
HIDDEN void writer_lock_all(void);
HIDDEN void writer_unlock_all(void);
HIDDEN uint32_t writer_new_thread_index(void);

/* ---- stacks.c -------------------------------------------------------------- */

struct frame_id {
	uint64_t cfa; /* of the allocating frame (0: unknown) */
	uint64_t ra;  /* its return address */
};
/* Capture the stack of the hook whose frame is `fp` and whose return address
 * is `ra0`; intern it and write its record if new.  Returns the stack id
 * (0: none) and the allocating frame in *id. */
HIDDEN uint32_t stack_capture(struct tstate *t, void *fp, uintptr_t ra0, struct frame_id *id);
/* Intern a given list of PCs (e.g. one caller PC). */
HIDDEN uint32_t stack_intern(struct tstate *t, const uint64_t *pcs, unsigned n, bool truncated);
/* A frame-pointer walk begins: forget the segments an earlier one saw
 * (they may be freed since). */
static inline void stack_regions_begin(struct tstate *t)
{
	t->segs.base = t->segs.n = t->segs.cur = 0;
	t->segs.ended = false;
}
/* The region a frame at addr may lie in: the thread's stack, or a stack
 * segment of the goroutine running on this thread (gort_stack_segments),
 * the window moving only towards older segments, as a frame chain does.
 * Exact: a walk reads nothing outside what this answers. */
HIDDEN bool stack_frame_region(struct tstate *t, uintptr_t addr, uintptr_t *lo, uintptr_t *hi);
HIDDEN void stacks_init(void);
HIDDEN void stacks_thread_init(struct tstate *t);
HIDDEN void stacks_reset(struct tstate *t); /* forget all ids (fork child) */

/* ---- modules.c --------------------------------------------------------------- */

struct module {
	uintptr_t base;             /* load bias */
	uintptr_t text_lo, text_hi; /* executable PT_LOAD span */
	uintptr_t size;             /* end of the last PT_LOAD, from base */
	bool has_fp;
	bool recorded;
};
HIDDEN void modules_scan(struct tstate *t); /* record modules not yet recorded */
HIDDEN bool modules_lookup(struct tstate *t, uintptr_t pc, bool *known);
/* Changes whenever a module is added (stacks.c's walk cache). */
HIDDEN uint32_t modules_generation(void);
/* Does pc lie in a module whose code keeps frame pointers?  *known tells
 * whether pc is in any known module at all.  Two cached modules answer
 * most questions: a walk alternates between the program and libc. */
static inline bool modules_pc_has_fp(struct tstate *t, uintptr_t pc, bool *known)
{
	const struct module *m = t->last_module[0];
	if (m != NULL && pc - m->text_lo < m->text_hi - m->text_lo) {
		*known = true;
		return m->has_fp;
	}
	m = t->last_module[1];
	if (m != NULL && pc - m->text_lo < m->text_hi - m->text_lo) {
		t->last_module[1] = t->last_module[0]; /* most recent first */
		t->last_module[0] = m;
		*known = true;
		return m->has_fp;
	}
	return modules_lookup(t, pc, known);
}
HIDDEN void modules_reset(void); /* fork child: re-record all */

/* ---- maps.c: /proc/self/maps ------------------------------------------- */

/* The mapping holding addr, read now (no allocation, no cache). */
HIDDEN bool maps_find(uintptr_t addr, uintptr_t *lo, uintptr_t *hi);

/* ---- blocks.c: live blocks ----------------------------------------------- */

struct block_info {
	uint64_t id; /* thread index << 40 | seq */
	uint64_t cfa, ra;
};
HIDDEN void blocks_insert(uintptr_t addr, const struct block_info *b);
HIDDEN bool blocks_remove(uintptr_t addr, struct block_info *out);
HIDDEN void blocks_lock_all(void);
HIDDEN void blocks_unlock_all(void);
HIDDEN void blocks_reset(void);

/* ---- hooks.c --------------------------------------------------------------- */

HIDDEN void hooks_resolve(void);
/* Write alloc/free records (used by hooks.c and gort.c). */
HIDDEN void record_alloc(struct tstate *t, unsigned tag, uintptr_t addr, uint64_t size,
                         uint64_t ticks, uint64_t cost, void *fp, uintptr_t ra0,
                         const uint64_t *extra, bool old_found, const struct block_info *old,
                         bool same);
HIDDEN void record_free(struct tstate *t, unsigned fn, uintptr_t addr, uint64_t ticks,
                        uintptr_t sp);
/* An escape record: block (thread << 40 | seq, created by this process)
 * was still reachable when its frame returned, or not. */
HIDDEN void record_escape(struct tstate *t, uint64_t block, bool escaped);
HIDDEN extern void *(*real_malloc)(size_t);
HIDDEN extern void (*real_free)(void *);
HIDDEN void *hooks_real_aligned_alloc(size_t align, size_t n);

/* ---- gort.c ---------------------------------------------------------------- */

HIDDEN void gort_attach(void);
/* Record the state of every goroutine left (gort_goroutine_states), when
 * the program ends; nothing without gort. */
HIDDEN void gort_record_states(void);
/* Run fn(arg) on the thread's 64 KiB tracer stack, the split-stack guard
 * off (directly when already on the thread's own stack). */
HIDDEN void on_tracer_stack(void (*fn)(void *), void *arg);
/* The running goroutine's id; NULL when the program has no gort. */
HIDDEN extern uint64_t (*gort_goid_now)(void);
/* The same from any stack (the split-stack guard off around the calls into
 * gort); 0 when the program has no gort. */
HIDDEN uint64_t gort_goid_here(void);

/* ---- frames.c: gort's frame probes (--frames) ------------------------------- */

HIDDEN void frames_probe_enter(void *fn, void *call_site, uintptr_t sp);
HIDDEN void frames_probe_exit(void *fn, void *call_site, uintptr_t sp);
/* A goroutine changed stacks or came or went: the guard -> goroutine cache
 * of this thread's frame probes is stale. */
static inline void frames_forget_guard(void)
{
	struct tstate *t = esc_self;
	if (t != NULL)
		t->frame_guard = 0;
}

/* ---- barrier.c: escape verdicts of gort objects ------------------------------ */

HIDDEN void barrier_attach(void); /* after gort is found */
HIDDEN bool barrier_enabled(void);
/* A newobject: block was allocated by the frame at cfa (return PC pc into
 * it; probe_fp the probe's own frame).  If the site is still sampled,
 * watch the object until that frame returns. */
HIDDEN void barrier_note(struct tstate *t, void *obj, uint64_t block, uintptr_t pc, uintptr_t cfa,
                         uintptr_t probe_fp);
/* The sweeper freed obj: if a barrier waits for it, it is frame-local. */
HIDDEN void barrier_swept(struct tstate *t, const void *obj);
/* The original return address of the frame at cfa whose slot holds the
 * barrier (0: none). */
HIDDEN uintptr_t barrier_original_ra(uintptr_t cfa);
HIDDEN extern char esc_return_barrier[];

#endif /* ESCAPADE_TRACER_INTERNAL_H */
