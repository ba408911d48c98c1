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
 *   - scavtrace: GODEBUG=scavtrace=1 prints Go's scav line;
 *   - markstack: a collection that greyed two million objects at once grew
 *     the mark stack to 32 MB; gort_free_os_memory gives back all of it
 *     but its first megabyte (by mincore), though every object stays live.
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

/* What a case keeps alive: the mix spread over `nchunks` gort arrays whose
 * only references are here (a global is a root), with each object's size
 * (malloc'ed: not a root).  Spread, so that a stale word on the stack that
 * happens to point at one array (the collector is conservative) keeps a
 * chunk alive, not the whole heap. */
#define MAX_CHUNKS 32
static void **volatile chunk[MAX_CHUNKS];
static uint32_t *chunk_sizes[MAX_CHUNKS];
static size_t chunk_n[MAX_CHUNKS], nchunks;

/* Allocate about `bytes` of the mix in n chunks, each object checked zero,
 * then filled with its pattern.  True if every object came zeroed. */
static bool __attribute__((noinline)) allocate_mix(uint64_t bytes, size_t n)
{
	uint64_t per_size = bytes / n / NMIX;
	size_t max = 0;
	bool zeroed = true;

	for (size_t k = 0; k < NMIX; k++)
		max += per_size / mix[k] + 1;

	nchunks = n;
	for (size_t c = 0; c < n; c++) {
		void **arr = gort_newarray(sizeof(void *), max);
		uint32_t *sz = realloc(chunk_sizes[c], max * sizeof *sz);
		size_t i = 0;
		if (sz == NULL)
			abort();
		chunk[c] = arr;
		for (size_t k = 0; k < NMIX; k++) {
			for (uint64_t total = 0; total < per_size; total += mix[k], i++) {
				void *p = gort_newobject(mix[k]);
				zeroed &= all_zero(p, mix[k]);
				fill(p, mix[k]);
				arr[i] = p;
				sz[i] = (uint32_t)mix[k];
			}
		}
		chunk_sizes[c] = sz;
		chunk_n[c] = i;
	}
	return zeroed;
}

static bool __attribute__((noinline)) mix_intact(void)
{
	for (size_t c = 0; c < nchunks; c++)
		for (size_t i = 0; i < chunk_n[c]; i++)
			if (!intact(chunk[c][i], chunk_sizes[c][i]))
				return false;
	return true;
}

static void __attribute__((noinline)) drop_all(void)
{
	for (size_t c = 0; c < nchunks; c++)
		chunk[c] = NULL;
	scrub_stack();
}

static int child_rss(void)
{
	uint64_t rss0 = resident_bytes();
	CHECK(allocate_mix(200 * MB, MAX_CHUNKS));
	CHECK(mix_intact());
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
	/* Most of it is back with the OS: the heap keeps about 10% over its
	 * new goal (4 MB, or what a chunk kept by a stale word needs).  What
	 * else stays resident is mostly the collector's own: span structures
	 * and the mark stack at its high-water mark. */
	CHECK(m.heap_alloc < 16 * MB);
	CHECK(rss2 - rss0 <= (rss1 - rss0) / 5);
	CHECK(m.heap_released >= rel1 + 170 * MB);
	CHECK(m.heap_released <= m.heap_idle);
	CHECK(m.heap_sys - m.heap_released <= 2 * m.heap_alloc + 12 * MB);
	CHECK(mheap_verify());

	/* Again: what comes back is zeroed, usable, and no longer released. */
	CHECK(allocate_mix(100 * MB, MAX_CHUNKS));
	CHECK(mix_intact());
	uint64_t rel3 = released();
	fprintf(stderr, "rss: %llu MB with 100 MB live again, released %llu MB\n",
	        (unsigned long long)(resident_bytes() / MB), (unsigned long long)(rel3 / MB));
	CHECK(rel3 + 90 * MB <= m.heap_released);
	gort_gc();
	CHECK(mix_intact());
	CHECK(mheap_verify());
	return 0;
}

/* ---- reuse -------------------------------------------------------------- */

/* Objects are named by their complemented address (hidden from the
 * conservative collector) and kept alive only through roots. */
static void **volatile roots;
#define HIDE(p)   (~(uintptr_t)(p))
#define UNHIDE(h) ((unsigned char *)~(h))

static uintptr_t __attribute__((noinline)) new_hidden(size_t size, int c)
{
	void *p = gort_newobject(size);

	memset(p, c, size);
	return HIDE(p);
}

static void __attribute__((noinline)) set_roots(uintptr_t a, uintptr_t b, uintptr_t c)
{
	roots = gort_newarray(sizeof(void *), 3);
	roots[0] = UNHIDE(a);
	roots[1] = UNHIDE(b);
	roots[2] = UNHIDE(c);
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
 * left the released half alone (its pages are still out of memory).  A
 * live guard object after the two bounds the run, so that the object over
 * it lands there (best fit).  The objects are named only by hidden
 * addresses here, so that this frame keeps none alive. */
static int check_mixed_run(size_t size, bool released_first)
{
	enum { guard = 5 * PAGE_SIZE };
	uintptr_t hx = new_hidden(size, 0xA5), hy = new_hidden(size, 0x5A);
	uintptr_t hg = new_hidden(guard, 0x11);
	CHECK(adjacent(hx, hy, size) && adjacent(hy, hg, size));
	set_roots(hx, hy, hg);
	uintptr_t first = released_first ? hx : hy, second = released_first ? hy : hx;

	drop_root(released_first ? 0 : 1);
	CHECK(collect_frees(first, true)); /* released, with the rest */
	drop_root(released_first ? 1 : 0);
	CHECK(collect_frees(second, false)); /* GOGC=off: freed, not released */
	CHECK(mheap_verify());
	if (!released_first)
		CHECK(resident_hidden(hy, size) == 0);
	CHECK(check_run_zero(hx, size, !released_first) == 0);
	CHECK(mheap_verify());
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
	CHECK(resident_hidden(ha, big) == 0);
	CHECK(check_released_untouched(ha, big) == 0);
	/* Not asserted freed: under ASan the check's frames may leave a copy
	 * of its address where the conservative scan finds it, and what
	 * follows does not need these pages, only every free page released. */
	collect_frees(ha, true);

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
	CHECK(mheap_verify());
	return 0;
}

/* Runs that are part dirty, part released, both ways round, large and of
 * a few pages: each in a fresh heap, so that the run starts at the arena's
 * base and nothing freed late (a stale word on the stack) merges into it. */
static int child_mixed_large_dirty_first(void)
{
	return check_mixed_run(4 << 20, false);
}

static int child_mixed_large_released_first(void)
{
	return check_mixed_run(4 << 20, true);
}

static int child_mixed_pages_dirty_first(void)
{
	return check_mixed_run(5 * PAGE_SIZE, false);
}

static int child_mixed_pages_released_first(void)
{
	return check_mixed_run(5 * PAGE_SIZE, true);
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
	uint64_t rel_max = 0, rel_min = UINT64_MAX;

	CHECK(allocate_mix(8 * MB, 1));
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
		CHECK(mix_intact());
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
	CHECK(allocate_mix(64 * MB, MAX_CHUNKS));
	drop_all();
	uint64_t rel0 = released();
	gort_gc();
	gort_gc();
	CHECK(released() == rel0);
	gort_free_os_memory();
	gort_memstats m;
	gort_read_memstats(&m);
	CHECK(m.heap_released >= rel0 + 48 * MB); /* a chunk or two may stay */
	CHECK(m.heap_released == m.heap_idle);
	CHECK(mheap_verify());
	return 0;
}

/* ---- scavtrace ---------------------------------------------------------- */

static int child_scavtrace(void)
{
	allocate_mix(32 * MB, MAX_CHUNKS);
	drop_all();
	gort_free_os_memory();
	return 0;
}

/* ---- markstack ---------------------------------------------------------- */

#define MARK_OBJECTS (2u << 20)

static void **mark_roots; /* MARK_OBJECTS pointers to 16-byte objects */

static size_t mark_stack_resident(void)
{
	size_t bytes;
	const void *p = gc_mark_stack_memory(&bytes);

	return p != NULL ? resident_pages(p, bytes) * (size_t)sysconf(_SC_PAGESIZE) : 0;
}

static int child_markstack(void)
{
	mark_roots = gort_newarray(sizeof(void *), MARK_OBJECTS);
	for (size_t i = 0; i < MARK_OBJECTS; i++)
		mark_roots[i] = gort_newobject(16);
	gort_gc(); /* scanning mark_roots greys them all */
	size_t bytes;
	gc_mark_stack_memory(&bytes);
	size_t before = mark_stack_resident();
	fprintf(stderr, "markstack: %zu MB mapped, %zu MB resident after the collection\n",
	        bytes / MB, before / MB);
	CHECK(bytes >= 16 * MB);
	CHECK(before >= 8 * MB); /* what the release below must give back */
	gort_free_os_memory();
	size_t after = mark_stack_resident();
	fprintf(stderr, "markstack: %zu KB resident after gort_free_os_memory\n", after >> 10);
	CHECK(after <= MB);
	for (size_t i = 0; i < MARK_OBJECTS; i += 4099)
		CHECK(mark_roots[i] != NULL && all_zero(mark_roots[i], 16));
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

static void test_mixed_runs_zeroed(void **state)
{
	expect_child("mixed_large_dirty_first", "GOGC=off");
	expect_child("mixed_large_released_first", "GOGC=off");
	expect_child("mixed_pages_dirty_first", "GOGC=off");
	expect_child("mixed_pages_released_first", "GOGC=off");
}

static void test_live_objects_intact(void **state)
{
	expect_child("live", NULL);
}

static void test_gogc_off_releases_on_request(void **state)
{
	expect_child("gogc_off", "GOGC=off");
}

static void test_mark_stack_released(void **state)
{
	expect_child("markstack", "GOGC=off");
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
	        {"rss", child_rss},
	        {"reuse", child_reuse},
	        {"mixed_large_dirty_first", child_mixed_large_dirty_first},
	        {"mixed_large_released_first", child_mixed_large_released_first},
	        {"mixed_pages_dirty_first", child_mixed_pages_dirty_first},
	        {"mixed_pages_released_first", child_mixed_pages_released_first},
	        {"live", child_live},
	        {"gogc_off", child_gogc_off},
	        {"scavtrace", child_scavtrace},
	        {"markstack", child_markstack},
	};
	dispatch_child(argc, argv, modes, sizeof modes / sizeof *modes);

	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rss_drops),
	        cmocka_unit_test(test_released_pages_reused_zeroed),
	        cmocka_unit_test(test_mixed_runs_zeroed),
	        cmocka_unit_test(test_live_objects_intact),
	        cmocka_unit_test(test_gogc_off_releases_on_request),
	        cmocka_unit_test(test_scavtrace),
	        cmocka_unit_test(test_mark_stack_released),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
