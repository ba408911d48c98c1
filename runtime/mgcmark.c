/*
 * mgcmark.c — marking (Go's mgcmark.go), conservative.
 *
 * The collector knows no types: any aligned word that holds an address
 * inside an allocated heap object keeps that object alive, interior
 * pointers included.  Finding the object is span_of() (the arena index and
 * page map, two loads) and a multiply by the class's reciprocal instead of
 * a division.  A word that points into a free slot keeps nothing alive: the
 * slot's old contents are garbage and must not be scanned.
 *
 * Roots are
 *   - the writable PT_LOAD segments (data, bss) of every loaded module,
 *     found with dl_iterate_phdr, and this thread's thread-local variables
 *     of each (PT_TLS, at dlpi_tls_data);
 *   - this thread's stack from the collector's frame up, with the
 *     callee-saved registers spilled into that frame first
 *     (__builtin_unwind_init), so values held only in registers count;
 *     in code built with -fsplit-stack on libgcc's __morestack, every
 *     segment of it (__splitstack_find);
 *   - whatever the scheduler adds through sched_scan_roots (goroutine
 *     stacks and their saved registers).
 *
 * Marking is iterative: a marked object is pushed (base, size) on a mark
 * stack in its own mapping, which grows with mremap, and popped objects
 * are scanned in turn.  No recursion and no large local arrays: the
 * collector may run on a small goroutine stack.
 *
 * A big heap of linked objects makes marking a chase of cache misses, so
 * the collector keeps many in flight: popped objects wait in a small FIFO,
 * prefetched, before they are scanned; candidate pointers wait in a ring
 * while their span header and then their mark word are prefetched.  Both
 * live in bss (a root!) and are cleared after each cycle.
 *
 * Scanning reads memory it does not own (stacks, other modules' data): it
 * is exempt from AddressSanitizer.
 */
#define _GNU_SOURCE
#include <link.h>
#include <pthread.h>

#include "internal.h"

#define NO_ASAN __attribute__((no_sanitize("address")))

typedef struct mark_entry {
	uintptr_t base, size;
} mark_entry;

#define MARK_STACK_MIN 65536 /* entries: the first mapping, 1 MB */

static mark_entry *mark_stack;
static size_t mark_top, mark_cap;

uint64_t gc_marked_bytes, gc_marked_objects;

static __attribute__((noinline)) void mark_stack_grow(void)
{
	size_t oldn = mark_cap * sizeof *mark_stack;
	mark_cap = mark_cap ? mark_cap * 2 : MARK_STACK_MIN;
	size_t newn = mark_cap * sizeof *mark_stack;
	mark_stack = oldn ? sys_grow(mark_stack, oldn, newn) : sys_reserve(newn, 0);
}

/* The mark stack keeps the size its biggest cycle needed, but not the
 * memory: when the heap gives pages back (the scavenger released some),
 * so does the mark stack, beyond its first MARK_STACK_MIN entries.  The mapping
 * stays; the pages come back zeroed if a cycle needs them again. */
void gc_mark_release(void)
{
	size_t keep = MARK_STACK_MIN * sizeof *mark_stack, n = mark_cap * sizeof *mark_stack;

	if (n > keep)
		(void)sys_unused((char *)mark_stack + keep, n - keep);
}

/* The mark stack's mapping (for tests: which of its pages are resident). */
const void *gc_mark_stack_memory(size_t *bytes)
{
	*bytes = mark_cap * sizeof *mark_stack;
	return mark_stack;
}

/* Mark the object of span s that p points into, if it is allocated and not
 * marked yet, and push it. */
static inline void grey_object(uintptr_t p, mspan *s)
{
	if (s->state != MSPAN_INUSE)
		return;
	uint32_t idx = span_object_index(s, p);
	if (idx >= s->nelems)
		return;
	uint64_t *word = &s->gcmark_bits[idx / 64];
	uint64_t bit = (uint64_t)1 << (idx % 64);
	if ((*word & bit) || !span_allocated(s, idx))
		return;
	*word |= bit;
	if (unlikely(mark_top == mark_cap))
		mark_stack_grow();
	mark_stack[mark_top++] = (mark_entry){s->base + idx * s->elemsize, s->elemsize};
}

/* Candidate pointers wait in a ring before they are greyed, so that the two
 * cache misses greying costs (the span's header, then its mark word) are
 * prefetched well ahead: the span when the candidate enters, the mark word
 * CAND_LAG candidates later, the grey itself when it leaves. */
#define CAND_RING 32
#define CAND_LAG  16
static struct cand {
	uintptr_t p;
	mspan *s;
} cands[CAND_RING];
static unsigned cand_head, cand_tail; /* entered, left (free-running) */

static inline void cand_prefetch_mark(const struct cand *c)
{
	const mspan *s = c->s;
	if (s->state == MSPAN_INUSE) {
		uint32_t idx = span_object_index(s, c->p);
		if (idx < s->nelems)
			__builtin_prefetch(&s->gcmark_bits[idx / 64], 1);
	}
}

static inline void cand_retire(void)
{
	struct cand *c = &cands[cand_tail++ % CAND_RING];
	grey_object(c->p, c->s);
}

static inline void cand_push(uintptr_t p, mspan *s)
{
	__builtin_prefetch(s);
	if (cand_head - cand_tail == CAND_RING)
		cand_retire();
	cands[cand_head++ % CAND_RING] = (struct cand){p, s};
	if (cand_head - cand_tail > CAND_LAG)
		cand_prefetch_mark(&cands[(cand_head - 1 - CAND_LAG) % CAND_RING]);
}

static void cand_flush(void)
{
	while (cand_tail != cand_head)
		cand_retire();
}

static NO_ASAN void scan_words(uintptr_t lo, uintptr_t hi)
{
	uintptr_t arena_lo = mheap_arena_lo, arena_size = mheap_arena_hi - mheap_arena_lo;

	for (uintptr_t p = (lo + 7) & ~(uintptr_t)7; p + 8 <= hi; p += 8) {
		uintptr_t w = *(const uintptr_t *)p;
		if (w - arena_lo >= arena_size)
			continue;
		heap_arena *ha = mheap_arenas[w >> ARENA_SHIFT];
		if (ha == NULL)
			continue;
		mspan *s = ha->spans[(w >> PAGE_SHIFT) % PAGES_PER_ARENA];
		if (s != NULL)
			cand_push(w, s);
	}
}

void gc_scan_block(const void *lo, const void *hi)
{
	scan_words((uintptr_t)lo, (uintptr_t)hi);
}

/* Objects leave the mark stack through a small FIFO, prefetched as they
 * enter it and scanned as they leave: up to PREFETCH_AHEAD cache misses are
 * in flight at once instead of one (pointer chasing is bound by memory
 * latency, not bandwidth).  Static, not on the stack: one collection runs
 * at a time and the stack may be a small goroutine segment. */
#ifndef PREFETCH_AHEAD
#define PREFETCH_AHEAD 32
#endif
static mark_entry fifo[PREFETCH_AHEAD];

static void drain(void)
{
	unsigned head = 0, count = 0;

	for (;;) {
		while (count < PREFETCH_AHEAD && mark_top > 0) {
			mark_entry e = mark_stack[--mark_top];
			__builtin_prefetch((const void *)e.base);
			fifo[(head + count++) % PREFETCH_AHEAD] = e;
		}
		if (count == 0) {
			if (cand_tail == cand_head)
				return;
			cand_flush(); /* may push more objects */
			continue;
		}
		mark_entry e = fifo[head];
		head = (head + 1) % PREFETCH_AHEAD;
		count--;
		scan_words(e.base, e.base + e.size);
	}
}

/* Data and bss, less the word mheap_arena_lo: it holds the arena's first
 * byte, the address of the heap's first object, which the heap's own
 * bookkeeping must not keep alive (gort_reachable would call that object
 * escaped, and no collection would ever free it). */
static void scan_data(uintptr_t lo, uintptr_t hi)
{
	uintptr_t skip = (uintptr_t)&mheap_arena_lo;

	if (skip >= lo && skip + 8 <= hi) {
		scan_words(lo, skip);
		scan_words(skip + 8, hi);
	} else {
		scan_words(lo, hi);
	}
}

/* A module's data and bss, and this thread's instance of its thread-local
 * variables (dlpi_tls_data, when the C library reports it). */
static int scan_module(struct dl_phdr_info *info, size_t size, void *arg)
{
	bool has_tls_data =
	        size >= offsetof(struct dl_phdr_info, dlpi_tls_data) + sizeof info->dlpi_tls_data &&
	        info->dlpi_tls_data != NULL;

	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W)) {
			uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
			scan_data(lo, lo + ph->p_memsz);
		} else if (ph->p_type == PT_TLS && has_tls_data) {
			uintptr_t lo = (uintptr_t)info->dlpi_tls_data;
			scan_words(lo, lo + ph->p_memsz);
		}
	}
	return 0;
}

static __thread uintptr_t thread_stack_lo, thread_stack_hi;

static void thread_stack_bounds(void)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &attr) != 0)
		fatal_error("gc: cannot find this thread's stack (pthread_getattr_np)");
	pthread_attr_getstack(&attr, &addr, &size);
	pthread_attr_destroy(&attr);
	thread_stack_lo = (uintptr_t)addr;
	thread_stack_hi = (uintptr_t)addr + size;
}

/* libgcc's split-stack support, present when code built with -fsplit-stack
 * runs on libgcc's __morestack: it walks the thread's stack segments.  Weak,
 * so that it is not linked in for our sake. */
extern void *__splitstack_find(void *segment, void *sp, size_t *len, void **next_segment,
                               void **next_sp, void **initial_sp) __attribute__((weak));

static bool in_thread_stack(uintptr_t p)
{
	return p >= thread_stack_lo && p < thread_stack_hi;
}

/* Scan the segments libgcc's __morestack gave this thread, newest first, and
 * the thread's own stack from where it left it.  False if libgcc does not
 * manage this thread's stack. */
static bool scan_split_segments(void)
{
	void *segment, *next_sp = NULL, *initial_sp;
	size_t len;
	bool thread_stack_done = false;

	if (__splitstack_find == NULL)
		return false;
	void *sp = __splitstack_find(NULL, NULL, &len, &segment, &next_sp, &initial_sp);
	if (sp == NULL)
		return false;
	uintptr_t last_sp = 0;
	for (; sp != NULL;
	     sp = __splitstack_find(segment, next_sp, &len, &segment, &next_sp, &initial_sp)) {
		uintptr_t lo = (uintptr_t)sp, hi = lo + len;
		if (in_thread_stack(lo)) {
			/* libgcc ends the initial stack at the sp it saw in its
			 * constructor; main's frame may lie above that. */
			hi = thread_stack_hi;
			thread_stack_done = true;
		}
		scan_words(lo, hi);
		last_sp = (uintptr_t)next_sp;
	}
	if (!thread_stack_done && in_thread_stack(last_sp))
		scan_words(last_sp, thread_stack_hi);
	return true;
}

/* Scan the thread's stack from the caller's frame up (the caller spilled the
 * registers).  With split stacks, that is every segment (libgcc's), or the
 * scheduler's business (its own segments, through sched_scan_roots): on a
 * stack that is neither the thread's nor libgcc's, nothing is scanned here. */
static __attribute__((noinline)) void scan_thread_stack_above(void)
{
	uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

	if (thread_stack_hi == 0)
		thread_stack_bounds();
	if (scan_split_segments())
		return;
	if (in_thread_stack(sp))
		scan_words(sp, thread_stack_hi);
}

static __attribute__((noinline)) void scan_thread_stack(void)
{
	__builtin_unwind_init(); /* callee-saved registers to this frame */
	scan_thread_stack_above();
	__asm__ volatile("" ::: "memory"); /* not a tail call: keep the frame */
}

void gc_mark(void)
{
	mark_top = 0;
	dl_iterate_phdr(scan_module, NULL);
	scan_thread_stack();
	sched_scan_roots(gc_scan_block);
	drain();
	/* The rings live in bss, a root of the next cycle: leave no stale
	 * pointers there. */
	for (unsigned i = 0; i < CAND_RING; i++)
		cands[i] = (struct cand){0, NULL};
	for (unsigned i = 0; i < PREFETCH_AHEAD; i++)
		fifo[i] = (mark_entry){0, 0};
}
