/*
 * test_stack_segments.c — gort_stack_segments, the runtime's answer to
 * the tracer's frame-pointer walks: the running goroutine's stack
 * segments, newest first, in windows.
 *
 * A goroutine recurses through a thousand 4 KB frames (segments doubling
 * to 1 MB, then a few of 1 MB) and, at the bottom, lists its segments:
 * from its own stack, the list must be the runtime's own chain
 * (stack_current, then seg_prev), whether fetched whole or three at a
 * time; with the split-stack guard at 0 (as the tracer asks from its own
 * stack), the same with the spare, if any, first.  The frame of every
 * level must lie in a listed segment.  Another goroutine's frame, the
 * heap, a global, a freed segment must lie in none, and any thread other
 * than the one running goroutines must get an empty list.  Results are
 * gathered on the goroutine and asserted after gort_main returns: a
 * failing cmocka assertion must not longjmp across stacks.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "gort.h"
#include "internal.h"

#define LEVELS   1000
#define MAX_SEGS 64

struct answer {
	bool found;
	uintptr_t lo, hi;
};

/* What the goroutines saw. */
static uintptr_t fps[LEVELS + 1];               /* frame address of each level */
static struct answer at_bottom[LEVELS + 1];     /* asked from the goroutine's stack */
static struct answer at_bottom_off[LEVELS + 1]; /* asked with the guard at 0 */
static struct answer expected[LEVELS + 1];      /* the runtime's chain says */
static struct answer after_on[LEVELS + 1], after_off[LEVELS + 1]; /* after the return */
static uintptr_t current_after_lo;         /* the segment in use after the return */
static bool other_on, other_off;           /* another goroutine's frame */
static bool heap_on, object_on, global_on; /* malloc, gort_newobject, a global */
static bool from_thread;                   /* a plain thread asking about fps[0] */
static uintptr_t other_fp;
static gort_chan *other_wait;
static int global_word;

/* Every segment, fetched `window` at a time (the list must not depend
 * on the window). */
static int list_all(uintptr_t *b, int window)
{
	int n = 0, got;

	do {
		int want = window < MAX_SEGS - n ? window : MAX_SEGS - n;
		got = gort_stack_segments(n, b + 2 * n, want);
		n += got;
		if (got < want)
			break;
	} while (n < MAX_SEGS);
	return n;
}

/* The listed segment holding addr. */
static struct answer lookup(const uintptr_t *b, int n, uintptr_t addr)
{
	for (int i = 0; i < n; i++)
		if (addr >= b[2 * i] && addr < b[2 * i + 1])
			return (struct answer){true, b[2 * i], b[2 * i + 1]};
	return (struct answer){false, 0, 0};
}

static struct answer ask(uintptr_t addr)
{
	uintptr_t b[2 * MAX_SEGS];
	return lookup(b, list_all(b, MAX_SEGS), addr);
}

/* As the tracer asks: from a stack whose split-stack guard is 0. */
static __attribute__((no_split_stack, noinline)) int list_guard_off(uintptr_t *b, int window)
{
	uintptr_t guard = tcb_guard();

	tcb_set_guard(0);
	int n = list_all(b, window);
	tcb_set_guard(guard);
	return n;
}

static struct answer ask_guard_off(uintptr_t addr)
{
	uintptr_t b[2 * MAX_SEGS];
	return lookup(b, list_guard_off(b, 3), addr);
}

/* The segment of the live chain holding addr, from the runtime's own
 * structures. */
static struct answer chain_segment(uintptr_t addr)
{
	struct answer a = {false, 0, 0};

	for (stkseg *s = stack_current(m0.curg); s != NULL; s = seg_prev(s))
		if (addr >= (uintptr_t)s + SEG_HDR && addr < seg_hi(s))
			return (struct answer){true, (uintptr_t)s + SEG_HDR, seg_hi(s)};
	return a;
}

/* A plain thread whose TCB holds a guard anyway (a reused TCB, say): the
 * goroutine's own, so that only the thread check can say no. */
static __attribute__((no_split_stack, noinline)) bool ask_with_guard(uintptr_t guard)
{
	uintptr_t saved = tcb_guard(), b[2];

	tcb_set_guard(guard);
	int n = gort_stack_segments(0, b, 1);
	tcb_set_guard(saved);
	return n != 0;
}

static void *thread_asks(void *arg)
{
	uintptr_t guard = *(const uintptr_t *)arg;
	from_thread = ask(fps[0]).found || ask_guard_off(fps[0]).found || ask_with_guard(guard);
	return NULL;
}

/* The lists, against the runtime's chain. */
static int chain_n, list_n, list3_n, off_n;
static uintptr_t chain_b[2 * MAX_SEGS], list_b[2 * MAX_SEGS], list3_b[2 * MAX_SEGS],
        off_b[2 * MAX_SEGS];

static void bottom(void)
{
	for (stkseg *s = stack_current(m0.curg); s != NULL && chain_n < MAX_SEGS; s = seg_prev(s)) {
		chain_b[2 * chain_n] = (uintptr_t)s + SEG_HDR;
		chain_b[2 * chain_n++ + 1] = seg_hi(s);
	}
	list_n = list_all(list_b, MAX_SEGS);
	list3_n = list_all(list3_b, 3);
	off_n = list_guard_off(off_b, MAX_SEGS);
	for (int i = 0; i <= LEVELS; i++) {
		at_bottom[i] = ask(fps[i]);
		at_bottom_off[i] = ask_guard_off(fps[i]);
		expected[i] = chain_segment(fps[i]);
	}
	other_on = ask(other_fp).found || ask_guard_off(other_fp).found;
	other_off = ask_guard_off(other_fp).found;
	void *p = malloc(64);
	heap_on = ask((uintptr_t)p).found || ask_guard_off((uintptr_t)p).found;
	free(p);
	void *o = gort_newobject(64);
	object_on = ask((uintptr_t)o).found || ask_guard_off((uintptr_t)o).found;
	global_on =
	        ask((uintptr_t)&global_word).found || ask_guard_off((uintptr_t)&global_word).found;
	pthread_t th;
	uintptr_t guard = tcb_guard();
	if (pthread_create(&th, NULL, thread_asks, &guard) == 0)
		pthread_join(th, NULL);
	else
		from_thread = true;
}

static int __attribute__((noinline)) descend(int n)
{
	volatile char buf[4000];

	buf[0] = (char)n;
	__asm__ volatile("" : : "r"(buf) : "memory");
	fps[n] = (uintptr_t)__builtin_frame_address(0);
	if (n == LEVELS)
		bottom();
	else
		descend(n + 1);
	return buf[0];
}

static void other(void *arg)
{
	int v;
	(void)arg;
	other_fp = (uintptr_t)__builtin_frame_address(0);
	gort_chanrecv(other_wait, &v); /* parked until main has asked */
}

static void main_g(void *arg)
{
	int v = 1;
	(void)arg;
	other_wait = gort_makechan(sizeof(int), 0);
	gort_go(other, NULL);
	gort_gosched(); /* other records its frame and parks */
	descend(0);
	/* Back on the first segments: the deeper ones are the spare (kept)
	 * and freed ones. */
	for (int i = 0; i <= LEVELS; i++) {
		after_on[i] = ask(fps[i]);
		after_off[i] = ask_guard_off(fps[i]);
	}
	current_after_lo = (uintptr_t)stack_current(m0.curg) + SEG_HDR;
	gort_chansend(other_wait, &v);
}

static void test_running_goroutine(void **state)
{
	unsigned segments = 0;
	(void)state;

	assert_int_equal(gort_main(main_g, NULL), 0);
	for (int i = 0; i <= LEVELS; i++) {
		assert_true(expected[i].found);
		assert_true(at_bottom[i].found);
		assert_true(at_bottom[i].lo <= fps[i] && fps[i] < at_bottom[i].hi);
		assert_int_equal(at_bottom[i].lo, expected[i].lo);
		assert_int_equal(at_bottom[i].hi, expected[i].hi);
		/* Off the goroutine's stack: the same segments. */
		assert_true(at_bottom_off[i].found);
		assert_int_equal(at_bottom_off[i].lo, expected[i].lo);
		assert_int_equal(at_bottom_off[i].hi, expected[i].hi);
		/* A segment is a power of two, its header below lo. */
		uintptr_t size = at_bottom[i].hi - at_bottom[i].lo + SEG_HDR;
		assert_true(size >= STACK_MIN && (size & (size - 1)) == 0);
		if (i == 0 || at_bottom[i].lo != at_bottom[i - 1].lo)
			segments++;
	}
	assert_true(segments >= 6); /* 4 MB: doubling to 1 MB, then 1 MB each */
	/* The lists: the chain, in any window; off the stack, the spare
	 * (m0's goroutine grew past main_g's segment before) first. */
	assert_true(chain_n >= (int)segments && chain_n < MAX_SEGS);
	assert_int_equal(list_n, chain_n);
	assert_memory_equal(list_b, chain_b, 2 * sizeof *chain_b * (size_t)chain_n);
	assert_int_equal(list3_n, chain_n);
	assert_memory_equal(list3_b, chain_b, 2 * sizeof *chain_b * (size_t)chain_n);
	assert_true(off_n == chain_n || off_n == chain_n + 1);
	assert_memory_equal(off_b + 2 * (off_n - chain_n), chain_b,
	                    2 * sizeof *chain_b * (size_t)chain_n);
}

static void test_not_ours(void **state)
{
	(void)state;
	assert_int_equal(gort_main(main_g, NULL), 0);
	assert_false(other_on);
	assert_false(other_off);
	assert_false(heap_on);
	assert_false(object_on);
	assert_false(global_on);
	assert_false(from_thread);
	/* No goroutine runs here. */
	assert_false(ask((uintptr_t)__builtin_frame_address(0)).found);
	assert_false(ask(fps[0]).found);
}

/* After the recursion returned: the segment in use and the older ones are
 * found; the one right after it is the spare (only a search off the
 * goroutine's stack, which covers every segment the goroutine holds,
 * finds it); the deeper ones were freed and are found by neither. */
static void test_after_return(void **state)
{
	unsigned spare = 0, freed = 0;
	(void)state;

	assert_int_equal(gort_main(main_g, NULL), 0);
	/* The segments in chain order, newest last. */
	uintptr_t seg_lo[LEVELS + 1];
	int nseg = 0;
	for (int i = 0; i <= LEVELS; i++)
		if (nseg == 0 || seg_lo[nseg - 1] != at_bottom[i].lo)
			seg_lo[nseg++] = at_bottom[i].lo;
	/* The segment in use now: the first of them, or the one before it
	 * (descend(0) started on a new segment). */
	int cur = seg_lo[0] == current_after_lo ? 0 : -1;
	for (int i = 0; i <= LEVELS; i++) {
		int k = 0;
		while (seg_lo[k] != at_bottom[i].lo)
			k++;
		if (k <= cur) { /* the segment in use */
			assert_true(after_on[i].found);
			assert_int_equal(after_on[i].lo, at_bottom[i].lo);
			assert_true(after_off[i].found);
		} else if (k == cur + 1) { /* the spare */
			assert_false(after_on[i].found);
			assert_true(after_off[i].found);
			assert_int_equal(after_off[i].lo, at_bottom[i].lo);
			spare++;
		} else { /* freed */
			assert_false(after_on[i].found);
			assert_false(after_off[i].found);
			freed++;
		}
	}
	assert_true(spare > 0);
	assert_true(freed > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_running_goroutine),
	        cmocka_unit_test(test_not_ours),
	        cmocka_unit_test(test_after_return),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
