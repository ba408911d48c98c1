/*
 * hooks.c — the malloc family, interposed by LD_PRELOAD.
 *
 * Each hook forwards to the next definition (glibc's, or jemalloc's in a
 * jemalloc-linked program), found with dlsym(RTLD_NEXT) on first use.
 * dlsym itself may call calloc before any real function is known: those
 * requests are served from a static bootstrap buffer, whose blocks free()
 * recognises and ignores.
 *
 * A hook that records does, in order: enter (take the thread's `busy`
 * flag; a nested call — a signal handler allocating while this thread is
 * inside the tracer — forwards untraced and is counted lost), read the
 * clock, call the real function, read the clock again with --cost (so
 * `cost` is the allocator's time alone), capture the stack, write the
 * record, update the live-block table, leave.  Releases work the other way
 * round: the block leaves the table *before* the real free, or another
 * thread could be handed the address and enter it first.
 *
 * errno: the program must see the allocator's errno and nothing else.  The
 * hot path makes no system call, so the hooks leave errno alone; the rare
 * paths that do (claiming a chunk, a new thread, libunwind, reading
 * /proc/self/maps) save and restore it themselves.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define EXPORT   __attribute__((visibility("default")))
#define NOINLINE __attribute__((noinline))

void *(*real_malloc)(size_t);
void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);

void *hooks_real_aligned_alloc(size_t align, size_t n)
{
	return real_aligned_alloc != NULL ? real_aligned_alloc(align, n) : NULL;
}
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
static void *(*real_mallocx)(size_t, int);
static void *(*real_rallocx)(void *, size_t, int);
static size_t (*real_xallocx)(void *, size_t, size_t, int);
static void (*real_dallocx)(void *, int);
static void (*real_sdallocx)(void *, size_t, int);

/* ---- bootstrap ------------------------------------------------------------- */

#define BOOT_SIZE (256u * 1024u)
static uint8_t boot_buf[BOOT_SIZE] __attribute__((aligned(64)));
static size_t boot_used;
static int resolving;

static bool in_boot(const void *p)
{
	return (const uint8_t *)p >= boot_buf && (const uint8_t *)p < boot_buf + BOOT_SIZE;
}

/* 16-byte header holding the size, then the block. */
static void *boot_alloc(size_t n, size_t align)
{
	if (align < 16)
		align = 16;
	size_t start =
	        (__atomic_load_n(&boot_used, __ATOMIC_RELAXED) + 16 + align - 1) & ~(align - 1);
	if (n > BOOT_SIZE || start + n > BOOT_SIZE)
		return NULL;
	__atomic_store_n(&boot_used, start + n, __ATOMIC_RELAXED);
	*(size_t *)(boot_buf + start - 16) = n;
	return boot_buf + start; /* static storage: already zero */
}

static size_t boot_size(const void *p)
{
	return *(const size_t *)((const uint8_t *)p - 16);
}

#define RESOLVE(name) real_##name = (__typeof__(real_##name))dlsym(RTLD_NEXT, #name)

void hooks_resolve(void)
{
	if (real_malloc != NULL || resolving)
		return;
	resolving = 1;
	RESOLVE(calloc);
	RESOLVE(free);
	RESOLVE(realloc);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(memalign);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(mallocx);
	RESOLVE(rallocx);
	RESOLVE(xallocx);
	RESOLVE(dallocx);
	RESOLVE(sdallocx);
	void *m = dlsym(RTLD_NEXT, "malloc");
	__atomic_store_n(&real_malloc, (__typeof__(real_malloc))m, __ATOMIC_RELEASE);
	resolving = 0;
}

static inline bool ready(void)
{
	if (likely(real_malloc != NULL))
		return true;
	hooks_resolve();
	return real_malloc != NULL;
}

/* ---- entering and leaving ---------------------------------------------------- */

static inline bool timed(void)
{
	return esc_opt.cost;
}

/* ---- records --------------------------------------------------------------- */

static inline bool frame_live(const struct tstate *t, const struct block_info *b, uintptr_t sp)
{
	return b->cfa != 0 && sp >= t->stack_lo && sp < b->cfa - 8 && b->cfa <= t->stack_hi &&
	       *(const uint64_t *)(b->cfa - 8) == b->ra;
}

/* The ref of a block whose entry is `b` (found) or unknown. */
static uint8_t *put_ref(struct tstate *t, uint8_t *p, bool found, const struct block_info *b,
                        uintptr_t sp, bool same)
{
	uint64_t flags = same ? ESC_REF_SAME : 0;

	if (!found)
		return esc_put_uvarint(p, ESC_REF_UNKNOWN | flags);
	uint64_t ti = b->id >> 40, seq = b->id & (((uint64_t)1 << 40) - 1);
	if (ti == t->index && seq < t->seq) {
		if (frame_live(t, b, sp))
			flags |= ESC_REF_LIVE;
		return esc_put_uvarint(p,
		                       ESC_REF_LOCAL | flags | (t->seq - 1 - seq) << ESC_REF_SHIFT);
	}
	p = esc_put_uvarint(p, ESC_REF_REMOTE | flags | ti << ESC_REF_SHIFT);
	return esc_put_uvarint(p, seq);
}

#define ALLOC_RECORD_MAX (1 + 8 * ESC_MAX_VARINT)

static void note_pending(struct tstate *t)
{
	if (unlikely(t->lost))
		writer_lost(t);
	if (unlikely(gort_goid_now != NULL))
		writer_note_goid(t, gort_goid_now());
}

/* Write an alloc record (or a gort newobject when extra != NULL: extra[0]
 * the size class, extra[1] the runtime's ns).  `old`: the block released by
 * a realloc (found tells whether it was in the table). */
void record_alloc(struct tstate *t, unsigned tag, uintptr_t addr, uint64_t size, uint64_t ticks,
                  uint64_t cost, void *fp, uintptr_t ra0, const uint64_t *extra, bool old_found,
                  const struct block_info *old, bool same)
{
	struct frame_id fid;

	note_pending(t);
	uint32_t sid = stack_capture(t, fp, ra0, &fid);
	uint8_t *p = writer_reserve(t, ALLOC_RECORD_MAX);
	if (p == NULL)
		return;
	if (extra == NULL && sid != 0 && sid == t->last_stack && fid.cfa == t->last_frame) {
		/* Same site as the previous allocation: stack and frame implied. */
		*p++ = (uint8_t)(ESC_REC_ALLOC_SAME | (tag & ESC_REC_FN_MASK));
		p = put_dt(t, p, ticks);
		p = esc_put_uvarint(p, size);
	} else {
		*p++ = (uint8_t)tag;
		p = put_dt(t, p, ticks);
		p = esc_put_uvarint(p, size);
		if (extra != NULL)
			p = esc_put_uvarint(p, extra[0]);
		p = esc_put_uvarint(p, sid);
		p = put_frame(t, p, fid.cfa);
		t->last_stack = sid;
	}
	if (extra != NULL)
		p = esc_put_uvarint(p, extra[1]);
	else if (timed())
		p = esc_put_uvarint(p, cost);
	if (extra == NULL && esc_alloc_fn_has_ref(tag & ESC_REC_FN_MASK)) {
		if (old == NULL)
			p = esc_put_uvarint(p, ESC_REF_NONE);
		else
			p = put_ref(t, p, old_found, old, (uintptr_t)fp, same);
	}
	writer_commit(t, p);
	struct block_info b = {(uint64_t)t->index << 40 | t->seq, fid.cfa, fid.ra};
	t->seq++;
	blocks_insert(addr, &b);
}

static void write_free(struct tstate *t, unsigned fn, bool found, const struct block_info *b,
                       uint64_t ticks, uintptr_t sp)
{
	note_pending(t);
	uint8_t *p = writer_reserve(t, 1 + 3 * ESC_MAX_VARINT);
	if (p == NULL)
		return;
	*p++ = (uint8_t)(ESC_REC_FREE | fn);
	p = put_dt(t, p, ticks);
	p = put_ref(t, p, found, b, sp, false);
	writer_commit(t, p);
}

/* A block another thread made: its alloc record may carry that thread's
 * last clock reading, and this thread's last one may be older still.  A
 * fresh reading keeps the release after the allocation in time order. */
static inline uint64_t causal_time(const struct tstate *t, bool found, const struct block_info *b,
                                   uint64_t ticks)
{
	return found && b->id >> 40 != t->index ? esc_ticks() : ticks;
}

void record_free(struct tstate *t, unsigned fn, uintptr_t addr, uint64_t ticks, uintptr_t sp)
{
	struct block_info b;
	bool found = blocks_remove(addr, &b);

	write_free(t, fn, found, &b, causal_time(t, found, &b, ticks), sp);
}

/* ---- the allocating hooks ---------------------------------------------------- */

/* realloc, reallocarray and rallocx: the old block leaves the table before
 * the call (see the top); a failed call puts it back. */
#define RESIZE_HOOK(fn, old, size, expr)                                                           \
	do {                                                                                       \
		struct tstate *t = enter();                                                        \
		if (t == NULL)                                                                     \
			return (expr);                                                             \
		struct block_info b_;                                                              \
		bool found_ = (old) != NULL && blocks_remove((uintptr_t)(old), &b_);               \
		uint64_t t0 = causal_time(t, found_, &b_, event_time(t));                          \
		void *p_ = (expr);                                                                 \
		uint64_t cost_ = timed() ? esc_ticks() - t0 : 0;                                   \
		if (p_ != NULL)                                                                    \
			record_alloc(t, ESC_REC_ALLOC | (fn), (uintptr_t)p_, (size), t0, cost_,    \
			             __builtin_frame_address(0),                                   \
			             (uintptr_t)__builtin_return_address(0), NULL, found_,         \
			             (old) != NULL ? &b_ : NULL, p_ == (old));                     \
		else if ((old) != NULL && (size) == 0)                                             \
			write_free(t, ESC_FN_FREE, found_, &b_, t0,                                \
			           (uintptr_t)__builtin_frame_address(0));                         \
		else if (found_)                                                                   \
			blocks_insert((uintptr_t)(old), &b_);                                      \
		leave(t);                                                                          \
		return p_;                                                                         \
	} while (0)

/* The hooks that make a fresh block are resizes of nothing (RESIZE_HOOK,
 * below, with no old block); before the real allocator is known, they are
 * served by `fallback`. */
#define ALLOC_HOOK(fn, size, expr, fallback)                                                       \
	do {                                                                                       \
		if (unlikely(!ready()))                                                            \
			return (fallback);                                                         \
		RESIZE_HOOK(fn, (void *)NULL, size, expr);                                         \
	} while (0)

EXPORT NOINLINE void *malloc(size_t n)
{
	ALLOC_HOOK(ESC_FN_MALLOC, n, real_malloc(n), boot_alloc(n, 16));
}

EXPORT NOINLINE void *calloc(size_t n, size_t m)
{
	size_t total;
	if (__builtin_mul_overflow(n, m, &total))
		total = SIZE_MAX;
	ALLOC_HOOK(ESC_FN_CALLOC, total, real_calloc(n, m), boot_alloc(total, 16));
}

EXPORT NOINLINE void *aligned_alloc(size_t align, size_t n)
{
	ALLOC_HOOK(ESC_FN_ALIGNED_ALLOC, n, real_aligned_alloc(align, n), boot_alloc(n, align));
}

EXPORT NOINLINE void *memalign(size_t align, size_t n)
{
	ALLOC_HOOK(ESC_FN_MEMALIGN, n, real_memalign(align, n), boot_alloc(n, align));
}

EXPORT NOINLINE void *valloc(size_t n)
{
	ALLOC_HOOK(ESC_FN_VALLOC, n, real_valloc(n), boot_alloc(n, 4096));
}

EXPORT NOINLINE void *pvalloc(size_t n)
{
	ALLOC_HOOK(ESC_FN_PVALLOC, n, real_pvalloc(n), boot_alloc(n, 4096));
}

EXPORT NOINLINE void *mallocx(size_t n, int flags)
{
	ALLOC_HOOK(ESC_FN_MALLOCX, n, real_mallocx ? real_mallocx(n, flags) : NULL, NULL);
}

EXPORT NOINLINE int posix_memalign(void **out, size_t align, size_t n)
{
	if (unlikely(!ready())) {
		*out = boot_alloc(n, align);
		return *out ? 0 : ENOMEM;
	}
	struct tstate *t = enter();
	if (t == NULL)
		return real_posix_memalign(out, align, n);
	uint64_t t0 = event_time(t);
	int rc = real_posix_memalign(out, align, n);
	uint64_t cost = timed() ? esc_ticks() - t0 : 0;
	if (rc == 0)
		record_alloc(t, ESC_REC_ALLOC | ESC_FN_POSIX_MEMALIGN, (uintptr_t)*out, n, t0, cost,
		             __builtin_frame_address(0), (uintptr_t)__builtin_return_address(0),
		             NULL, false, NULL, false);
	leave(t);
	return rc;
}

/* ---- resizing ------------------------------------------------------------------ */

static void *boot_realloc(void *p, size_t n)
{
	void *q = ready() ? real_malloc(n) : boot_alloc(n, 16);
	if (q != NULL && p != NULL) {
		size_t old = boot_size(p);
		memcpy(q, p, old < n ? old : n);
	}
	return q;
}

EXPORT NOINLINE void *realloc(void *p, size_t n)
{
	if (unlikely(in_boot(p) || !ready()))
		return boot_realloc(p, n);
	RESIZE_HOOK(ESC_FN_REALLOC, p, n, real_realloc(p, n));
}

EXPORT NOINLINE void *reallocarray(void *p, size_t n, size_t m)
{
	size_t total;
	if (__builtin_mul_overflow(n, m, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	if (unlikely(in_boot(p) || !ready()))
		return boot_realloc(p, total);
	/* glibc's reallocarray calls realloc through the PLT, which would
	 * come back here as a nested call: do its work with realloc. */
	RESIZE_HOOK(ESC_FN_REALLOCARRAY, p, total, real_realloc(p, total));
}

EXPORT NOINLINE void *rallocx(void *p, size_t n, int flags)
{
	if (real_rallocx == NULL)
		return NULL;
	RESIZE_HOOK(ESC_FN_RALLOCX, p, n, real_rallocx(p, n, flags));
}

EXPORT NOINLINE size_t xallocx(void *p, size_t n, size_t extra, int flags)
{
	if (real_xallocx == NULL)
		return 0;
	struct tstate *t = enter();
	if (t == NULL)
		return real_xallocx(p, n, extra, flags);
	struct block_info b;
	bool found = blocks_remove((uintptr_t)p, &b);
	uint64_t t0 = causal_time(t, found, &b, event_time(t));
	size_t r = real_xallocx(p, n, extra, flags);
	uint64_t cost = timed() ? esc_ticks() - t0 : 0;
	record_alloc(t, ESC_REC_ALLOC | ESC_FN_XALLOCX, (uintptr_t)p, r, t0, cost,
	             __builtin_frame_address(0), (uintptr_t)__builtin_return_address(0), NULL,
	             found, &b, true);
	leave(t);
	return r;
}

/* ---- releasing -------------------------------------------------------------- */

#define FREE_HOOK(fn, p, expr)                                                                     \
	do {                                                                                       \
		if ((p) == NULL)                                                                   \
			return;                                                                    \
		struct tstate *t = enter();                                                        \
		if (t != NULL) {                                                                   \
			uint64_t t0 = event_time(t);                                               \
			record_free(t, (fn), (uintptr_t)(p), t0,                                   \
			            (uintptr_t)__builtin_frame_address(0));                        \
			leave(t);                                                                  \
		}                                                                                  \
		expr;                                                                              \
	} while (0)

EXPORT NOINLINE void free(void *p)
{
	if (unlikely(in_boot(p)))
		return;
	if (unlikely(!ready()))
		return;
	FREE_HOOK(ESC_FN_FREE, p, real_free(p));
}

EXPORT NOINLINE void dallocx(void *p, int flags)
{
	if (real_dallocx == NULL)
		return;
	FREE_HOOK(ESC_FN_DALLOCX, p, real_dallocx(p, flags));
}

EXPORT NOINLINE void sdallocx(void *p, size_t n, int flags)
{
	if (real_sdallocx == NULL)
		return;
	FREE_HOOK(ESC_FN_SDALLOCX, p, real_sdallocx(p, n, flags));
}
