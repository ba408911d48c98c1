/*
 * test_scavenge.c — the scavenger: free heap pages go back to the OS and
 * come back zeroed.
 *
 * Each case runs in a child process of its own (a fresh heap, a resident
 * set to measure, and GOGC as the case wants it):
 *   - rss: 200 MB of small and large objects, written all over, then
 *     dropped: a couple of collections give most of it back (the resident
 *     set of /proc/self/statm falls, heap_released rises), and the memory
 *     allocated again is zeroed, usable, and no longer counted released;
 *   - reuse: spans made of released pages are zero, and a span of released
 *     pages only is not zeroed by the allocator (its pages stay out of
 *     memory, by mincore); free runs that are part dirty, part released
 *     (in both orders) come back zeroed;
 *   - live: live objects written with a pattern keep it across collections
 *     that release memory around them;
 *   - gogc_off: with GOGC=off a collection releases nothing,
 *     gort_free_os_memory everything;
 *   - scavtrace: GODEBUG=scavtrace=1 prints Go's scav line.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "util.h"

#define MB ((uint64_t)1 << 20)

/* Fail a child: print where and why, exit non-zero. */
#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

static uint64_t resident_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL || fscanf(f, "%lu %lu", &size, &resident) != 2) {
		perror("/proc/self/statm");
		exit(3);
	}
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static uint64_t released(void)
{
	gort_memstats m;

	gort_read_memstats(&m);
	return m.heap_released;
}

/* Sizes used here are multiples of 8: compare and fill by words. */
static bool all_zero(const void *p, size_t n)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < n / 8; i++)
		if (w[i] != 0)
			return false;
	return true;
}

static uint64_t pattern(const void *p, size_t i)
{
	return ((uintptr_t)p * 0x9E3779B97F4A7C15u) ^ (i * 0x100000001b3u) ^ 1;
}

static void fill(void *p, size_t n)
{
	uint64_t *w = p;

	for (size_t i = 0; i < n / 8; i++)
		w[i] = pattern(p, i);
}

static bool intact(const void *p, size_t n)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < n / 8; i++)
		if (w[i] != pattern(p, i))
			return false;
	return true;
}

/* Pages of [p, p+n) that are resident, by mincore. */
static size_t resident_pages(const void *p, size_t n)
{
	size_t pagesz = (size_t)sysconf(_SC_PAGESIZE), npages = (n + pagesz - 1) / pagesz;
	unsigned char *vec = malloc(npages);
	size_t r = 0;

	if (vec == NULL || mincore((void *)p, n, vec) != 0) {
		perror("mincore");
		exit(3);
	}
	for (size_t i = 0; i < npages; i++)
		r += vec[i] & 1;
	free(vec);
	return r;
}

/* ---- rss ---------------------------------------------------------------- */

/* The mix: small classes (one and several pages a span) and large
 * objects, the same number of bytes of each size. */
static const size_t mix[] = {48, 1024, 24576, 100000, 1 << 20};
#define NMIX (sizeof mix / sizeof *mix)

/* The root of what a case keeps alive: a gort array reachable from here,
 * and the size of each object in it (malloc'ed: not a root). */
static void **volatile roots;
static uint32_t *sizes;

/* Allocate about `bytes` of the mix into roots[0..], each object checked
 * zero, then filled with its pattern; returns how many. */
static size_t __attribute__((noinline)) allocate_mix(uint64_t bytes, size_t max, bool *zeroed)
{
	size_t n = 0;

	*zeroed = true;
	if (sizes == NULL && (sizes = malloc(max * sizeof *sizes)) == NULL)
		abort();
	for (size_t k = 0; k < NMIX; k++) {
		for (uint64_t total = 0; total < bytes / NMIX && n < max; n++) {
			void *p = gort_newobject(mix[k]);
			*zeroed &= all_zero(p, mix[k]);
			fill(p, mix[k]);
			roots[n] = p;
			sizes[n] = (uint32_t)mix[k];
			total += mix[k];
		}
	}
	return n;
}

static bool __attribute__((noinline)) mix_intact(size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!intact(roots[i], sizes[i]))
			return false;
	return true;
}

static void __attribute__((noinline)) drop_all(void)
{
	roots = NULL;
	scrub_stack();
}

static int child_rss(void)
{
	enum { max = 1 << 20 };
	bool zeroed;

	roots = gort_newarray(sizeof(void *), max);
	uint64_t rss0 = resident_bytes();
	size_t n = allocate_mix(200 * MB, max, &zeroed);
	CHECK(zeroed && mix_intact(n));
	uint64_t rss1 = resident_bytes(), rel1 = released();
	fprintf(stderr, "rss: %llu MB before, %llu MB with 200 MB live, released %llu MB\n",
	        (unsigned long long)(rss0 / MB), (unsigned long long)(rss1 / MB),
	        (unsigned long long)(rel1 / MB));
	CHECK(rss1 >= rss0 + 190 * MB);

	drop_all();
	gort_gc();
	gort_gc();
	gort_memstats m;
	gort_read_memstats(&m);
	uint64_t rss2 = resident_bytes();
	fprintf(stderr, "rss: %llu MB after two collections, released %llu MB of %llu MB\n",
	        (unsigned long long)(rss2 / MB), (unsigned long long)(m.heap_released / MB),
	        (unsigned long long)(m.heap_sys / MB));
	/* Most of it is back with the OS: the heap keeps about its new goal
	 * (4 MB) plus 10%.  What else stays resident is the collector's own:
	 * span structures and the mark stack at its high-water mark (about
	 * 14 MB after marking 900,000 objects from one array). */
	CHECK(m.heap_alloc < 2 * MB);
	CHECK(rss2 - rss0 <= (rss1 - rss0) / 5);
	CHECK(m.heap_released >= rel1 + 180 * MB);
	CHECK(m.heap_released <= m.heap_idle);
	CHECK(m.heap_sys - m.heap_released <= 12 * MB);
	CHECK(mheap_verify());

	/* Again: what comes back is zeroed, usable, and no longer released. */
	roots = gort_newarray(sizeof(void *), max);
	n = allocate_mix(100 * MB, max, &zeroed);
	CHECK(zeroed);
	CHECK(mix_intact(n));
	uint64_t rel3 = released();
	fprintf(stderr, "rss: %llu MB with 100 MB live again, released %llu MB\n",
	        (unsigned long long)(resident_bytes() / MB), (unsigned long long)(rel3 / MB));
	CHECK(rel3 + 90 * MB <= m.heap_released);
	gort_gc();
	CHECK(mix_intact(n));
	CHECK(mheap_verify());
	return 0;
}

/* ---- reuse -------------------------------------------------------------- */

/* Objects are named by their complemented address (hidden from the
 * conservative collector) and kept alive only through roots. */
#define HIDE(p)   (~(uintptr_t)(p))
#define UNHIDE(h) ((unsigned char *)~(h))

static uintptr_t __attribute__((noinline)) new_hidden(size_t size, int c)
{
	void *p = gort_newobject(size);

	memset(p, c, size);
	return HIDE(p);
}

static void __attribute__((noinline)) set_roots(uintptr_t a, uintptr_t b)
{
	roots = gort_newarray(sizeof(void *), 2);
	roots[0] = UNHIDE(a);
	roots[1] = UNHIDE(b);
}

static void __attribute__((noinline)) drop_root(int i)
{
	roots[i] = NULL;
	scrub_stack();
}

/* Collect (releasing everything free, or not), then: is hidden h freed? */
static bool __attribute__((noinline)) collect_frees(uintptr_t h, bool release)
{
	scrub_stack();
	if (release)
		gort_free_os_memory();
	else
		gort_gc();
	return span_of((uintptr_t)UNHIDE(h)) == NULL;
}

/* Is hidden b right after hidden a (size bytes)? */
static bool __attribute__((noinline)) adjacent(uintptr_t a, uintptr_t b, size_t size)
{
	return UNHIDE(b) == UNHIDE(a) + size;
}

static size_t __attribute__((noinline)) resident_hidden(uintptr_t h, size_t size)
{
	return resident_pages(UNHIDE(h), size);
}

/* An object of 2 x size over the free run that starts at hidden h: it
 * lands there, it is zero (with the second half left alone when it was
 * released and the first was not), and it is usable. */
static int __attribute__((noinline)) check_run_zero(uintptr_t h, size_t size, bool second_released)
{
	unsigned char *z = gort_newobject(2 * size);

	CHECK(z == UNHIDE(h));
	if (second_released)
		CHECK(resident_pages(z + size, size) == 0);
	CHECK(all_zero(z, 2 * size));
	fill(z, 2 * size);
	CHECK(intact(z, 2 * size));
	return 0;
}

/* Free runs [dirty | released] and [released | dirty] of 2 x size bytes:
 * an object over both halves is zero; in the first order the allocator
 * left the released half alone (its pages are still out of memory).  The
 * two objects are named only by hidden addresses here, so that this frame
 * keeps neither alive. */
static int check_mixed_run(size_t size, bool released_first)
{
	uintptr_t hx = new_hidden(size, 0xA5), hy = new_hidden(size, 0x5A);
	CHECK(adjacent(hx, hy, size));
	set_roots(hx, hy);
	uintptr_t first = released_first ? hx : hy, second = released_first ? hy : hx;

	drop_root(released_first ? 0 : 1);
	CHECK(collect_frees(first, true)); /* released, with the rest */
	drop_root(released_first ? 1 : 0);
	CHECK(collect_frees(second, false)); /* GOGC=off: freed, not released */
	CHECK(mheap_verify());
	if (!released_first)
		CHECK(resident_hidden(hy, size) == 0);
	CHECK(check_run_zero(hx, size, !released_first) == 0);
	roots = NULL;
	CHECK(collect_frees(hx, false));
	return 0;
}

/* An object of `size` over the released pages of hidden h: it lands
 * there, the allocator does not touch its pages, and it reads as zero. */
static int __attribute__((noinline)) check_released_untouched(uintptr_t h, size_t size)
{
	unsigned char *a = gort_newobject(size);

	CHECK(a == UNHIDE(h));
	CHECK(resident_pages(a, size) == 0);
	CHECK(all_zero(a, size));
	return 0;
}

static int child_reuse(void)
{
	enum { big = 32 << 20, small = 64, nsmall = 100000 };

	/* A large object over released pages: zero, and not touched by the
	 * allocator (no page of it resident until it is read). */
	uintptr_t ha = new_hidden(big, 0xA5);
	uint64_t rel0 = released();
	CHECK(collect_frees(ha, true));
	CHECK(released() >= rel0 + big);
	CHECK(resident_pages(UNHIDE(ha), big) == 0);
	CHECK(check_released_untouched(ha, big) == 0);
	CHECK(collect_frees(ha, true));

	/* Small objects over released pages: their spans need no zeroing, and
	 * every object is zero. */
	roots = gort_newarray(sizeof(void *), nsmall);
	for (size_t i = 0; i < nsmall; i++) {
		unsigned char *p = gort_newobject(small);
		CHECK(all_zero(p, small));
		fill(p, small);
		roots[i] = p;
	}
	for (size_t i = 0; i < nsmall; i++) {
		CHECK(!span_of((uintptr_t)roots[i])->needzero);
		CHECK(intact(roots[i], small));
	}
	roots = NULL;
	scrub_stack();
	gort_gc();

	/* Runs that are part dirty, part released, both ways round, large and
	 * of a few pages. */
	CHECK(check_mixed_run(4 << 20, false) == 0);
	CHECK(check_mixed_run(4 << 20, true) == 0);
	CHECK(check_mixed_run(5 * PAGE_SIZE, false) == 0);
	CHECK(check_mixed_run(5 * PAGE_SIZE, true) == 0);
	CHECK(mheap_verify());
	return 0;
}

/* ---- live --------------------------------------------------------------- */

/* Garbage: a burst of the mix, dropped. */
static void __attribute__((noinline)) make_garbage(uint64_t bytes)
{
	for (uint64_t total = 0, i = 0; total < bytes; i++) {
		size_t size = mix[i % NMIX];
		memset(gort_newobject(size), 0xFF, size);
		total += size;
	}
}

static int child_live(void)
{
	enum { max = 1 << 20 };
	bool zeroed;
	uint64_t rel_max = 0, rel_min = UINT64_MAX;

	roots = gort_newarray(sizeof(void *), max);
	size_t n = allocate_mix(8 * MB, max, &zeroed);
	CHECK(zeroed);
	for (int round = 0; round < 20; round++) {
		/* The heap swells with garbage, then shrinks back: collections
		 * release memory around the live objects. */
		make_garbage((uint64_t)(round % 4 + 1) * 40 * MB);
		scrub_stack();
		gort_gc();
		uint64_t r = released();
		rel_max = r > rel_max ? r : rel_max;
		rel_min = r < rel_min ? r : rel_min;
		if (round % 5 == 4) {
			gort_free_os_memory();
			r = released();
			rel_max = r > rel_max ? r : rel_max;
		}
		CHECK(mix_intact(n));
		CHECK(mheap_verify());
	}
	/* The scavenger did run: released memory moved. */
	fprintf(stderr, "live: released between %llu and %llu KiB\n",
	        (unsigned long long)(rel_min >> 10), (unsigned long long)(rel_max >> 10));
	CHECK(rel_max >= rel_min + 12 * MB);
	return 0;
}

/* ---- gogc_off ----------------------------------------------------------- */

static int child_gogc_off(void)
{
	enum { max = 1 << 20 };
	bool zeroed;

	roots = gort_newarray(sizeof(void *), max);
	allocate_mix(64 * MB, max, &zeroed);
	CHECK(zeroed);
	drop_all();
	uint64_t rel0 = released();
	gort_gc();
	gort_gc();
	CHECK(released() == rel0);
	gort_free_os_memory();
	gort_memstats m;
	gort_read_memstats(&m);
	CHECK(m.heap_released >= rel0 + 60 * MB);
	CHECK(m.heap_released == m.heap_idle);
	CHECK(mheap_verify());
	return 0;
}

/* ---- scavtrace ---------------------------------------------------------- */

static int child_scavtrace(void)
{
	enum { max = 1 << 20 };
	bool zeroed;

	roots = gort_newarray(sizeof(void *), max);
	allocate_mix(32 * MB, max, &zeroed);
	drop_all();
	gort_free_os_memory();
	return 0;
}

/* ---- the cmocka side ---------------------------------------------------- */

static void expect_child(const char *name, const char *env)
{
	struct child_result r = run_child(name, env);

	if (r.status != 0)
		print_error("child %s: %s", name, r.err);
	assert_int_equal(r.status, 0);
}

static void test_rss_drops(void **state)
{
	expect_child("rss", NULL);
}

static void test_released_pages_reused_zeroed(void **state)
{
	expect_child("reuse", "GOGC=off");
}

static void test_live_objects_intact(void **state)
{
	expect_child("live", NULL);
}

static void test_gogc_off_releases_on_request(void **state)
{
	expect_child("gogc_off", "GOGC=off");
}

static void test_scavtrace(void **state)
{
	struct child_result r = run_child("scavtrace", "GODEBUG=scavtrace=1");
	unsigned long long work, total, util;
	const char *line = strstr(r.err, "scav ");

	assert_int_equal(r.status, 0);
	assert_non_null(line);
	assert_int_equal(sscanf(line, "scav %llu KiB work, %llu KiB total, %llu%% util", &work,
	                        &total, &util),
	                 3);
	assert_true(work >= 30 * 1024);
	assert_true(total >= work);
	assert_true(util <= 100);
	assert_non_null(strstr(line, "(forced)"));
}

int main(int argc, char **argv)
{
	static const struct child_mode modes[] = {
	        {"rss", child_rss},           {"reuse", child_reuse},         {"live", child_live},
	        {"gogc_off", child_gogc_off}, {"scavtrace", child_scavtrace},
	};
	dispatch_child(argc, argv, modes, sizeof modes / sizeof *modes);

	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rss_drops),
	        cmocka_unit_test(test_released_pages_reused_zeroed),
	        cmocka_unit_test(test_live_objects_intact),
	        cmocka_unit_test(test_gogc_off_releases_on_request),
	        cmocka_unit_test(test_scavtrace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
