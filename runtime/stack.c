/*
 * stack.c — goroutine stack segments: the per-thread pools they come from,
 * and the C half of stack growth (morestack_amd64.S is the other half).
 *
 * A goroutine starts on one 2 KB segment.  When a split-stack prologue finds
 * the frame would cross the guard, __morestack moves the function onto a
 * newer segment and back when it returns.  The segment it returns from is
 * not given back: it stays linked as the spare (seg->next), so a call at a
 * segment boundary inside a loop (Go 1.2's "hot split") costs about thirty
 * instructions in __morestack and no allocation.  Only one spare is kept:
 * returning from segment k releases segment k+1 (morestack_release).
 *
 * Segments are powers of two, 2 KB << cls.  A new segment doubles the
 * current one (up to STACK_MAX_GROW) or fits the frame, whichever is bigger.
 * Each thread keeps a free list per size (its stackpool): segments up to
 * 32 KB are carved from 1 MB chunks, bigger ones are mapped one by one; both
 * go back to the pool when freed, so after warm-up growth never maps.  A pool
 * keeps at most POOL_KEEP_BYTES per class; beyond that, mapped segments are
 * unmapped (a goroutine that grew to 100 MB does not pin 100 MB forever).
 *
 * The segment header holds the owning goroutine: __morestack finds the
 * segment from the guard in %fs:0x70 (guard = base + GUARD_OFF), and from it
 * the goroutine, its M and the M's system stack, where the slow paths run.
 *
 * A goroutine whose segments would pass STACK_LIMIT (1 GB, Go's
 * maxstacksize) dies like Go's: "goroutine stack exceeds 1000000000-byte
 * limit", "fatal error: stack overflow", a traceback, exit 2.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

_Static_assert(offsetof(stkseg, prev_guard) == SEG_PREV_GUARD, "asmdefs.h SEG_PREV_GUARD");
_Static_assert(offsetof(stkseg, next) == SEG_NEXT, "asmdefs.h SEG_NEXT");
_Static_assert(offsetof(stkseg, g) == SEG_G, "asmdefs.h SEG_G");
_Static_assert(offsetof(stkseg, spare_hi) == SEG_SPARE_HI, "asmdefs.h SEG_SPARE_HI");
_Static_assert(offsetof(stkseg, spare_guard) == SEG_SPARE_GUARD, "asmdefs.h SEG_SPARE_GUARD");
_Static_assert(offsetof(stkseg, splo) == SEG_SPLO, "asmdefs.h SEG_SPLO");
_Static_assert(offsetof(stkseg, size) == SEG_SIZE, "asmdefs.h SEG_SIZE");
_Static_assert(offsetof(stkseg, spare_avail) == SEG_SPARE_AVAIL, "asmdefs.h SEG_SPARE_AVAIL");
_Static_assert(sizeof(stkseg) <= SEG_HDR, "asmdefs.h SEG_HDR");
_Static_assert(offsetof(struct gort_g, sched.sp) == G_SCHED_SP, "asmdefs.h G_SCHED_SP");
_Static_assert(offsetof(struct gort_g, sched.guard) == G_SCHED_GUARD, "asmdefs.h G_SCHED_GUARD");
_Static_assert(offsetof(struct gort_g, m) == G_M, "asmdefs.h G_M");
_Static_assert(offsetof(m, g0sp) == M_G0SP, "asmdefs.h M_G0SP");
_Static_assert(offsetof(m, curguard) == M_CURGUARD, "asmdefs.h M_CURGUARD");
_Static_assert(offsetof(m, curfp) == M_CURFP, "asmdefs.h M_CURFP");
_Static_assert(offsetof(m, pool) == M_POOL, "asmdefs.h M_POOL");
_Static_assert(offsetof(stackpool, free) == POOL_FREE, "asmdefs.h POOL_FREE");
_Static_assert(offsetof(stackpool, nfree) == POOL_NFREE, "asmdefs.h POOL_NFREE");
_Static_assert(offsetof(stackpool, inuse) == POOL_INUSE, "asmdefs.h POOL_INUSE");
_Static_assert(offsetof(stkseg, cls) == SEG_CLS, "asmdefs.h SEG_CLS");
_Static_assert(offsetof(stkseg, mapped) == SEG_MAPPED, "asmdefs.h SEG_MAPPED");
_Static_assert(offsetof(struct gort_g, stacksize) == G_STACKSIZE, "asmdefs.h G_STACKSIZE");
_Static_assert(STACK_LIMIT == STACK_LIMIT_BYTES, "asmdefs.h STACK_LIMIT_BYTES");
_Static_assert(offsetof(gort_probes, stack_grow) == PROBE_STACK_GROW, "asmdefs.h PROBE_STACK_GROW");
_Static_assert(offsetof(gort_probes, stack_release) == PROBE_STACK_RELEASE,
               "asmdefs.h PROBE_STACK_RELEASE");

#define CHUNK_SIZE      (1024 * 1024)
#define CARVE_MAX_CLASS 4 /* 32 KB: larger segments are mapped one by one */
#define POOL_KEEP_BYTES ((size_t)64 * 1024 * 1024)

static unsigned size_to_stackclass(size_t size)
{
	unsigned cls = 0;

	while (((size_t)STACK_MIN << cls) < size)
		cls++;
	return cls;
}

/* The only calls into libc are in these cold, noinline functions: gold
 * makes every call of a split function that calls libc go through
 * __morestack_non_split, which the warm paths below should not pay. */
static __attribute__((noinline, cold)) void *map_or_die(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	               -1, 0);
	if (p == MAP_FAILED) {
		static const char msg[] = "fatal error: out of memory allocating stack\n";
		ssize_t r = write(2, msg, sizeof msg - 1);
		(void)r;
		_exit(2);
	}
	m0.pool.sys += n;
	return p;
}

static __attribute__((noinline, cold)) void unmap(void *p, size_t n)
{
	m0.pool.sys -= n;
	munmap(p, n);
}

/* A fresh segment of class cls from the OS (the cold path). */
static __attribute__((noinline)) stkseg *stack_fresh(stackpool *pool, unsigned cls)
{
	size_t size = (size_t)STACK_MIN << cls;
	stkseg *s;

	if (cls <= CARVE_MAX_CLASS) {
		if (pool->chunkend - pool->chunk < size) {
			pool->chunk = (uintptr_t)map_or_die(CHUNK_SIZE);
			pool->chunkend = pool->chunk + CHUNK_SIZE;
		}
		s = (stkseg *)pool->chunk;
		pool->chunk += size;
		s->mapped = 0;
	} else {
		s = map_or_die(size);
		s->mapped = 1;
	}
	s->size = (uint32_t)size;
	s->cls = (uint8_t)cls;
	return s;
}

/* A segment of at least size bytes (a power of two from 2 KB). */
stkseg *stackalloc(size_t size)
{
	stackpool *pool = &m0.pool;
	unsigned cls = size_to_stackclass(size);
	stkseg *s;

	if (cls >= STACK_CLASSES)
		return NULL;
	s = pool->free[cls];
	if (s != NULL) {
		pool->free[cls] = s->next;
		pool->nfree[cls]--;
	} else {
		s = stack_fresh(pool, cls);
	}
	s->prev_guard = 0;
	s->next = NULL;
	s->spare_avail = 0;
	s->g = NULL;
	s->splo = seg_hi(s);
	pool->inuse += s->size;
	return s;
}

void stackfree(stkseg *s)
{
	stackpool *pool = &m0.pool;
	unsigned cls = s->cls;

	pool->inuse -= s->size;
	if (s->mapped && (size_t)pool->nfree[cls] * s->size >= POOL_KEEP_BYTES) {
		unmap(s, s->size);
		return;
	}
	s->next = pool->free[cls];
	pool->free[cls] = s;
	pool->nfree[cls]++;
}

/* Free every segment of gp after keep. */
void stack_release_spares(struct gort_g *gp, stkseg *keep)
{
	stkseg *s = keep->next;

	keep->next = NULL;
	keep->spare_avail = 0;
	while (s != NULL) {
		stkseg *next = s->next;
		gp->stacksize -= s->size;
		stackfree(s);
		s = next;
	}
}

/* The segment gp runs on: for the running goroutine, from the guard in the
 * TCB (0 while we are on the system stack on its behalf: then the guard it
 * had is in the M's saved copy, see systemstack); for others, from the guard
 * saved by the last switch. */
stkseg *stack_current(const struct gort_g *gp)
{
	uintptr_t guard = gp->sched.guard;

	if (gp == m0.curg) {
		uintptr_t tcb = tcb_guard();
		if (tcb != 0)
			guard = tcb;
		else if (m0.curguard != 0)
			guard = m0.curguard;
	}
	if (guard != 0)
		return (stkseg *)(guard - GUARD_OFF);
	return gp->stack0;
}

static __attribute__((noinline, cold, noreturn)) void stack_overflow(struct gort_g *gp,
                                                                     uintptr_t pc)
{
	char buf[160];
	int n = snprintf(buf, sizeof buf,
	                 "runtime: goroutine stack exceeds %zu-byte limit\n"
	                 "runtime: sp=%p\n",
	                 STACK_LIMIT, __builtin_frame_address(0));
	ssize_t r = write(2, buf, (size_t)n);
	(void)r;
	(void)gp;
	(void)pc;
	sched_fatal("stack overflow");
}

/*
 * The slow path of __morestack, on the system stack: a segment for a frame
 * of `frame` bytes plus `args` bytes of stack arguments, linked after cur.
 */
stkseg *morestack_grow(stkseg *cur, size_t frame, size_t args, uintptr_t caller_pc)
{
	struct gort_g *gp = cur->g;
	size_t need = frame + args + GUARD_OFF + 64;
	stkseg *s = cur->next;

	if (s == NULL || s->size < need) {
		size_t size = (size_t)cur->size * 2;

		if (size > STACK_MAX_GROW)
			size = STACK_MAX_GROW;
		if (size < need)
			size = need;
		stack_release_spares(gp, cur);
		if (gp->stacksize + size > STACK_LIMIT || (s = stackalloc(size)) == NULL)
			stack_overflow(gp, caller_pc);
		gp->stacksize += s->size;
		s->g = gp;
		s->prev_guard = (uintptr_t)cur + GUARD_OFF;
		cur->next = s;
		cur->spare_hi = seg_hi(s);
		cur->spare_guard = (uintptr_t)s + GUARD_OFF;
		/* morestack_grow's `need` without arguments is frame +
		 * GUARD_OFF + 64: the warm path takes frames below this. */
		cur->spare_avail = s->size - GUARD_OFF - 63;
	}
	void (*probe)(const gort_g *, size_t, size_t, uintptr_t) =
	        __atomic_load_n(&gort_probe_table.stack_grow, __ATOMIC_RELAXED);
	if (unlikely(probe != NULL))
		probe(gp, frame, s->size, caller_pc);
	return s;
}

/* The slow path of returning from segment s, on the system stack: keep s
 * as the spare, free anything beyond, tell the probe. */
void morestack_release(stkseg *s)
{
	struct gort_g *gp = s->g;

	if (s->next != NULL)
		stack_release_spares(gp, s);
	void (*probe)(const gort_g *, size_t) =
	        __atomic_load_n(&gort_probe_table.stack_release, __ATOMIC_RELAXED);
	if (unlikely(probe != NULL))
		probe(gp, s->size);
}

void sched_stack_stats(uint64_t *inuse, uint64_t *sys)
{
	*inuse = m0.pool.inuse;
	*sys = m0.pool.sys;
}

/* ---- for tools: the running goroutine's segments ------------------------ */

/* More segments than a goroutine can hold: doubling from 2 KB reaches 1 MB
 * in ten, and STACK_LIMIT is under a thousand more. */
#define SEGMENT_SEARCH_MAX 2048

static __attribute__((no_split_stack)) void put_bounds(uintptr_t *bounds, int k, const stkseg *s)
{
	bounds[2 * k] = (uintptr_t)s + SEG_HDR;
	bounds[2 * k + 1] = seg_hi(s);
}

/* Reverse the order of the pairs [from, to) of bounds. */
static __attribute__((no_split_stack)) void reverse_bounds(uintptr_t *bounds, int from, int to)
{
	for (int i = from, j = to - 1; i < j; i++, j--) {
		for (int k = 0; k < 2; k++) {
			uintptr_t x = bounds[2 * i + k];
			bounds[2 * i + k] = bounds[2 * j + k];
			bounds[2 * j + k] = x;
		}
	}
}

/* Every segment gp holds, first to last through seg->next, newest first
 * after skipping `skip`.  Without a skip, one pass: the segments go round
 * a ring of max slots, which then holds the newest max, and two reversals
 * put them newest first.  With one, a pass to count them and a pass to
 * place the window's. */
static __attribute__((no_split_stack)) int held_segments(const struct gort_g *gp, int skip,
                                                         uintptr_t *bounds, int max)
{
	int total = 0, n = 0;
	const stkseg *s = gp->stack0;

	if (skip == 0) {
		for (; s != NULL && total < SEGMENT_SEARCH_MAX; s = s->next)
			put_bounds(bounds, total++ % max, s);
		if (s != NULL)
			return 0; /* longer than any goroutine's: say nothing */
		int r = total >= max ? total % max : 0;
		n = total < max ? total : max;
		reverse_bounds(bounds, 0, r);
		reverse_bounds(bounds, r, n);
		return n;
	}
	for (; s != NULL && total < SEGMENT_SEARCH_MAX; s = s->next)
		total++;
	if (s != NULL)
		return 0;
	/* The i-th from the first is the (total - 1 - i)-th from the newest. */
	s = gp->stack0;
	for (int i = 0; i < total; s = s->next, i++) {
		int k = total - 1 - i - skip;
		if (k >= 0 && k < max) {
			put_bounds(bounds, k, s);
			n = k + 1 > n ? k + 1 : n;
		}
	}
	return n;
}

/*
 * gort_stack_segments (probes.h): what a frame-pointer walker may read.
 * With the guard in the TCB set, this thread runs the goroutine on the
 * guard's segment: the list is that segment and the older ones it returns
 * to (prev_guard), newest first, and skipping costs a step per segment.
 * With the guard at 0, the thread is on its system stack or a tool's own
 * stack, and m0.curguard says nothing reliable (systemstack leaves it
 * behind when it returns): the list is every segment the goroutine holds,
 * its first through seg->next (the spare after the one in use included):
 * a pass over all the headers whatever the window (held_segments), so a
 * caller there had better ask for a big one.
 *
 * The whole search runs with the TCB guard at 0, so that gort_getg (a
 * split-stack function) and anything else not inlined here never split:
 * no allocation, no lock, only loads, safe in a signal handler.  The
 * segments of the running goroutine change only on its own thread, so
 * asking from that thread sees a consistent chain.
 */
__attribute__((no_split_stack)) int gort_stack_segments(int skip, uintptr_t *bounds, int max)
{
	uintptr_t guard = tcb_guard();
	int n = 0;

	tcb_set_guard(0);
	const struct gort_g *gp = gort_getg();
	if (gp == NULL || skip < 0 || max <= 0) {
		/* nobody's segments */
	} else if (guard != 0) {
		const stkseg *s = (const stkseg *)(guard - GUARD_OFF);
		for (int i = 0; s != NULL && i < SEGMENT_SEARCH_MAX && n < max;
		     i++, s = seg_prev(s))
			if (i >= skip)
				put_bounds(bounds, n++, s);
	} else {
		n = held_segments(gp, skip, bounds, max);
	}
	tcb_set_guard(guard);
	return n;
}

/* ---- the collector's roots ---------------------------------------------- */

/* Scan the live part of every segment of gp, newest first: from sp up on
 * the segment in use, from splo up on each older one.  Spares beyond the
 * current segment hold nothing live. */
static void scan_gstack(struct gort_g *gp, uintptr_t sp, void (*scan)(const void *, const void *))
{
	stkseg *s = stack_current(gp);

	if (sp < (uintptr_t)s + SEG_HDR || sp > seg_hi(s))
		sp = (uintptr_t)s + SEG_HDR;
	scan((const void *)sp, (const void *)seg_hi(s));
	for (s = seg_prev(s); s != NULL; s = seg_prev(s))
		scan((const void *)s->splo, (const void *)seg_hi(s));
}

/*
 * sched_scan_roots (the collector calls it, on the system stack): every
 * goroutine's stacks and saved registers.  A parked goroutine's callee-saved
 * registers are on its own stack, under sched.sp, so scanning from sched.sp
 * covers them.  The goroutine that entered the collector is in the middle of
 * systemstack(): its live range starts below the frame pointer systemstack
 * recorded (the pushed %rbx and %r12 are there); its other callee-saved
 * registers are still in registers, which the collector spills on the
 * system stack and scans with the thread's stack.  The G itself is scanned
 * too (its entry argument before it first runs, its wait parameters).
 * The spares go back to the pool on the way, as Go shrinks stacks during a
 * collection.
 */
void sched_scan_roots(void (*scan)(const void *lo, const void *hi))
{
	for (uint32_t i = 0; i < allglen; i++) {
		struct gort_g *gp = allgs[i];
		if (gp->status == G_DEAD)
			continue;
		/* Go's shrinkstack: a collection takes back the spare segments
		 * (beyond the one in use), which hold nothing live. */
		stack_release_spares(gp, stack_current(gp));
		scan(gp, gp + 1);
		if (gp == m0.curg)
			scan_gstack(gp, gc_curg_sp != 0 ? gc_curg_sp : m0.curfp - 64, scan);
		else
			scan_gstack(gp, gp->sched.sp, scan);
	}
}
