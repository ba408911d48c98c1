/*
 * test_stack.c — segmented stacks: growth across many segments and back,
 * big frames, spares, calls into libc from small segments, and unwinders
 * (libunwind, frame pointers) crossing segment boundaries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "gort.h"
#include "internal.h"

/* Recurse with a 1 KB frame, so depth d uses about d KB of stack. */
static unsigned long __attribute__((noinline)) recurse(int depth)
{
	volatile unsigned char buf[1000];

	buf[0] = (unsigned char)depth;
	buf[999] = (unsigned char)(depth >> 8);
	__asm__ volatile("" : : "r"(buf) : "memory"); /* the whole array stays */
	if (depth == 0)
		return buf[0];
	return recurse(depth - 1) + buf[0] + buf[999];
}

static unsigned long expected_sum(int depth)
{
	unsigned long s = 0;

	for (int d = depth; d >= 1; d--)
		s += (unsigned char)d + (unsigned char)(d >> 8);
	return s;
}

static void grow_main(void *arg)
{
	int depth = *(int *)arg;

	*(unsigned long *)arg = recurse(depth);
}

static void test_grow_and_return(void **state)
{
	(void)state;
	for (int depth = 0; depth <= 4096; depth = depth ? depth * 4 : 1) {
		union {
			int depth;
			unsigned long sum;
		} u = {.depth = depth};
		assert_int_equal(gort_main(grow_main, &u), 0);
		assert_int_equal(u.sum, expected_sum(depth));
	}
}

/* Stack arguments are copied onto the new segment. */
static long __attribute__((noinline))
many_args(int depth, long a, long b, long c, long d, long e, long f, long g, long h)
{
	volatile char pad[700];

	pad[0] = (char)depth;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (depth == 0)
		return a + b + c + d + e + f + g + h + pad[0];
	return many_args(depth - 1, a, b, c, d, e, f, g + 1, h + 2);
}

/* Varargs functions read their stack arguments through __morestack's frame.
 * (Clang cannot compile a variadic function with a split stack: there, it
 * runs without a check, which its small frame allows.) */
#ifdef __clang__
#define VA_SPLIT __attribute__((no_split_stack))
#define VA_DEPTH 0
#else
#define VA_SPLIT
#define VA_DEPTH 40
#endif
static long __attribute__((noinline)) VA_SPLIT va_sum(int depth, int n, ...)
{
	volatile char pad[600];
	va_list ap;
	long s = 0;

	pad[0] = 0;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		s += va_arg(ap, long);
	va_end(ap);
	if (depth == 0)
		return s + pad[0];
	return s + va_sum(depth - 1, 9, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
}

static double __attribute__((noinline)) float_args(int depth, double x, double y)
{
	volatile char pad[500];

	pad[0] = 0;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (depth == 0)
		return x * y + pad[0];
	return float_args(depth - 1, x + 1.0, y * 0.5) + 1.0;
}

static void args_main(void *arg)
{
	long *out = arg;

	out[0] = many_args(40, 1, 2, 3, 4, 5, 6, 7, 8);
	out[1] = va_sum(VA_DEPTH, 3, 10L, 20L, 30L);
	out[2] = (long)(float_args(30, 1.0, 1048576.0 * 1024.0) * 1000);
}

static void test_arguments_cross_segments(void **state)
{
	long out[3];

	(void)state;
	gort_main(args_main, out);
	assert_int_equal(out[0], 1 + 2 + 3 + 4 + 5 + 6 + (7 + 40) + (8 + 80));
	assert_int_equal(out[1], 60 + VA_DEPTH * 45);
	double x = 31.0, y = 1048576.0 * 1024.0;
	for (int i = 0; i < 30; i++)
		y *= 0.5;
	assert_int_equal(out[2], (long)((x * y + 30.0) * 1000));
}

/* A 1 MB frame. */
static void __attribute__((noinline)) big_frame(void *arg)
{
	volatile char buf[1 << 20];

	for (size_t i = 0; i < sizeof buf; i += 4096)
		buf[i] = (char)i;
	buf[sizeof buf - 1] = 7;
	*(int *)arg = buf[sizeof buf - 1] + buf[4096 * 3];
}

static void big_main(void *arg)
{
	gort_go(big_frame, arg);
	gort_gosched();
}

static void test_one_megabyte_frame(void **state)
{
	int r = 0;

	(void)state;
	gort_main(big_main, &r);
	assert_int_equal(r, 7 + (char)(4096 * 3));
}

/* 100 MB of stack in one goroutine. */
static void deep_main(void *arg)
{
	int depth = 100 * 1024;

	*(unsigned long *)arg = recurse(depth);
}

static void test_hundred_megabytes(void **state)
{
	unsigned long r = 0;

	(void)state;
	gort_main(deep_main, &r);
	assert_int_equal(r, expected_sum(100 * 1024));
}

/* libc from a goroutine: printf, qsort with a split-stack callback, and
 * snprintf into large buffers. */
static int cmp_int(const void *a, const void *b)
{
	volatile char pad[300];
	int x = *(const int *)a, y = *(const int *)b;

	pad[0] = 0;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	return (x > y) - (x < y) + pad[0];
}

static void libc_main(void *arg)
{
	int v[1000];
	char big[64 * 1024];
	int *ok = arg;

	for (int i = 0; i < 1000; i++)
		v[i] = (i * 7919) % 1000;
	qsort(v, 1000, sizeof v[0], cmp_int);
	ok[0] = 1;
	for (int i = 0; i < 1000; i++)
		if (v[i] != i)
			ok[0] = 0;
	int n = printf("printf from goroutine %d: %s %.3f\n", 1, "ok", 2.5);
	ok[1] = n > 0;
	memset(big, 'x', sizeof big - 1);
	__asm__ volatile("" : : "r"(big) : "memory");
	char *out = malloc(sizeof big + 64);
	n = snprintf(out, sizeof big + 64, "%s|%d|%g", big, 42, 1.5);
	ok[2] = n == (int)sizeof big - 1 + 7 && strcmp(out + sizeof big - 1, "|42|1.5") == 0;
	free(out);
}

static void test_libc_from_goroutine(void **state)
{
	int ok[3] = {0, 0, 0};

	(void)state;
	gort_main(libc_main, ok);
	assert_true(ok[0]);
	assert_true(ok[1]);
	assert_true(ok[2]);
}

/* A backtrace taken ten segments deep reaches the goroutine's entry. */
static int unw_depth_found;
static int fp_entry_found;

static void __attribute__((noinline)) take_backtraces(void)
{
	/* Ten doubling segments hold about 1300 of descend's frames. */
	static void *pcs[8192];
	int n = unw_backtrace(pcs, 8192);
	uintptr_t off;

	unw_depth_found = 0;
	for (int i = 0; i < n; i++) {
		const char *name = symbolize((uintptr_t)pcs[i] - 1, &off);
		if (name != NULL && strcmp(name, "unwind_entry") == 0)
			unw_depth_found = n;
	}
	/* Frame pointers. */
	fp_entry_found = 0;
	for (uintptr_t *fp = __builtin_frame_address(0); fp != NULL; fp = (uintptr_t *)fp[0]) {
		const char *name = symbolize(fp[1] - 1, &off);
		if (name != NULL && strcmp(name, "unwind_entry") == 0) {
			fp_entry_found = 1;
			break;
		}
		if (name != NULL && strcmp(name, "gostart") == 0)
			break;
	}
}

static int segments_seen;

static int __attribute__((noinline)) descend(int segs, uintptr_t guard)
{
	volatile char pad[1500];
	uintptr_t now;

	__asm__ volatile("movq %%fs:0x70, %0" : "=r"(now));
	pad[0] = 1;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (now != guard) {
		segs++;
		guard = now;
	}
	if (segs == 10) {
		segments_seen = segs;
		take_backtraces();
		return pad[0];
	}
	return descend(segs, guard) + pad[0];
}

static void unwind_entry(void *arg)
{
	/* Keep the result so the entry stays on the stack. */
	*(int *)arg = descend(0, 0);
}

static void unwind_main(void *arg)
{
	static int result;

	(void)arg;
	gort_go(unwind_entry, &result);
	gort_gosched();
}

static void test_unwind_across_segments(void **state)
{
	(void)state;
	gort_main(unwind_main, NULL);
	assert_int_equal(segments_seen, 10);
	assert_true(unw_depth_found > 10);
	assert_true(fp_entry_found);
}

/* A collection gives back the spare segments of parked goroutines. */
static void grow_then_park(void *arg)
{
	recurse(200); /* 200 KB of segments, kept as spares after the return */
	gort_chanrecv(arg, NULL);
}

static void shrink_main(void *arg)
{
	uint64_t *inuse = arg;
	gort_chan *c = gort_makechan(0, 0);
	gort_memstats ms;

	gort_go(grow_then_park, c);
	gort_gosched();
	gort_read_memstats(&ms);
	inuse[0] = ms.stack_inuse;
	gort_gc();
	gort_read_memstats(&ms);
	inuse[1] = ms.stack_inuse;
	gort_chansend(c, NULL);
}

static void test_gc_releases_spares(void **state)
{
	uint64_t inuse[2];

	(void)state;
	gort_main(shrink_main, inuse);
	assert_true(inuse[0] >= 2 * STACK_MIN + 4096);
	assert_true(inuse[1] + 4096 <= inuse[0]);
}

/* ---- probes ---------------------------------------------------------------- */

static struct {
	int grows, releases, creates, exits;
	size_t max_frame, min_seg;
	uintptr_t grow_pc;
	uint64_t created_id, creator_id, exited_id;
	void (*created_fn)(void *);
	bool seg_fits_frame;
} seen;

static void on_grow(const gort_g *g, size_t frame, size_t seg, uintptr_t pc)
{
	seen.grows++;
	if (frame > seen.max_frame)
		seen.max_frame = frame;
	if (seen.min_seg == 0 || seg < seen.min_seg)
		seen.min_seg = seg;
	if (seg < frame)
		seen.seg_fits_frame = false;
	seen.grow_pc = pc;
	(void)g;
}

static void on_release(const gort_g *g, size_t seg)
{
	(void)g;
	(void)seg;
	seen.releases++;
}

static void on_create(const gort_g *g, void (*fn)(void *), const gort_g *parent)
{
	seen.creates++;
	seen.created_id = gort_goid(g);
	seen.creator_id = gort_goid(parent);
	seen.created_fn = fn;
}

static void on_go_exit(const gort_g *g)
{
	seen.exits++;
	seen.exited_id = gort_goid(g);
}

static void probed_goroutine(void *arg)
{
	*(uint64_t *)arg = gort_goid(gort_getg());
	recurse(20); /* 20 KB: 2 -> 4 -> 8 -> 16 KB segments */
}

static void probes_main(void *arg)
{
	gort_go(probed_goroutine, arg);
	gort_gosched();
}

static void test_probes(void **state)
{
	gort_probes p = {.size = sizeof p,
	                 .stack_grow = on_grow,
	                 .stack_release = on_release,
	                 .go_create = on_create,
	                 .go_exit = on_go_exit};
	uint64_t id = 0;

	(void)state;
	memset(&seen, 0, sizeof seen);
	seen.seg_fits_frame = true;
	assert_null(gort_getg());
	gort_set_probes(&p);
	gort_main(probes_main, &id);
	gort_set_probes(NULL);
	assert_int_equal(id, 2);
	assert_int_equal(seen.creates, 2); /* main, then probed_goroutine */
	assert_int_equal(seen.created_id, 2);
	assert_int_equal(seen.creator_id, 1);
	assert_ptr_equal(seen.created_fn, probed_goroutine);
	assert_int_equal(seen.exits, 2);
	assert_int_equal(seen.exited_id, 1); /* main ends last */
	assert_true(seen.grows >= 3);
	assert_int_equal(seen.grows, seen.releases);
	assert_true(seen.max_frame >= 1000);
	assert_int_equal(seen.min_seg, 4096);
	assert_true(seen.seg_fits_frame);
	uintptr_t off;
	const char *name = symbolize(seen.grow_pc - 1, &off);
	assert_non_null(name);
	assert_string_equal(name, "recurse");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_grow_and_return),
	        cmocka_unit_test(test_arguments_cross_segments),
	        cmocka_unit_test(test_one_megabyte_frame),
	        cmocka_unit_test(test_hundred_megabytes),
	        cmocka_unit_test(test_libc_from_goroutine),
	        cmocka_unit_test(test_unwind_across_segments),
	        cmocka_unit_test(test_gc_releases_spares),
	        cmocka_unit_test(test_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
