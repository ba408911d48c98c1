/*
 * test_malloc.c — gort_newobject and gort_newarray: what every object
 * promises (aligned, zeroed, not overlapping another), in every size class,
 * on fresh and on reused memory (whole spans given back to the page heap,
 * and single objects the sweeper freed among live ones); large objects;
 * pages fresh from the OS that the allocator must leave untouched;
 * zero-size objects; the newarray overflow panic; the newobject probe.
 */
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

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

/* The alignment Go gives a class: its size's largest power-of-two factor,
 * capped at a page. */
static uintptr_t class_align(size_t size)
{
	uintptr_t a = size & -size;
	return a > PAGE_SIZE ? PAGE_SIZE : a;
}

/* Allocate n objects of `size` bytes, check them, dirty them. */
static void check_objects(void **objs, size_t n, size_t size, size_t elemsize)
{
	for (size_t i = 0; i < n; i++) {
		objs[i] = gort_newobject(size);
		assert_non_null(objs[i]);
		assert_int_equal((uintptr_t)objs[i] % class_align(elemsize), 0);
		assert_true(all_zero(objs[i], size));
		memset(objs[i], 0xA5, size);
	}
	qsort(objs, n, sizeof *objs, cmp_ptr);
	for (size_t i = 1; i < n; i++)
		assert_true((uintptr_t)objs[i - 1] + elemsize <= (uintptr_t)objs[i]);
}

static void test_every_class(void **state)
{
	enum { max_objs = 4096 };
	/* A gort array, so that the collector (which may run at any refill)
	 * sees the objects as live while they are checked. */
	void **objs = gort_newarray(sizeof *objs, max_objs);

	for (int round = 0; round < 2; round++) {
		for (unsigned c = 1; c < NUM_SIZE_CLASSES; c++) {
			size_t size = class_to_size[c];
			size_t per_span = class_to_allocnpages[c] * PAGE_SIZE / size;
			size_t n = per_span * 3 + 1;
			if (n > max_objs)
				n = max_objs;
			/* The class's own size, and the smallest size that maps to it. */
			check_objects(objs, n, size, size);
			check_objects(objs, n, class_to_size[c - 1] + 1, size);
		}
		/* Everything above is garbage now: the second round reuses swept,
		 * dirty memory, which must come back zeroed. */
		memset(objs, 0, max_objs * sizeof *objs);
		gort_gc();
		assert_true(mheap_verify());
	}
}

/* Freed addresses are kept disguised, so that the conservative collector
 * does not take them for pointers (the array is a root). */
#define DISGUISE(p) ((uintptr_t)(p) ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull)

static int cmp_uintptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
	return x < y ? -1 : x > y;
}

/* Objects the sweeper freed in a span that keeps live ones come back zeroed
 * (the span's needzero, object by object), in every class: every other
 * object is kept, the rest are written all over and collected, then the
 * class allocates again and must land in the freed slots, leaving the live
 * neighbours' bytes alone. */
static void test_swept_objects_zeroed(void **state)
{
	enum { max_objs = 2048 };
	void **objs = gort_newarray(sizeof *objs, max_objs);
	static uintptr_t freed[max_objs / 2];

	for (unsigned c = 1; c < NUM_SIZE_CLASSES; c++) {
		size_t size = class_to_size[c];
		size_t per_span = class_to_allocnpages[c] * PAGE_SIZE / size;
		size_t n = per_span * 2 < max_objs ? per_span * 2 : max_objs;
		size_t nfreed = 0, reused = 0;

		for (size_t i = 0; i < n; i++) {
			objs[i] = gort_newobject(size);
			memset(objs[i], 0xA5, size);
		}
		for (size_t i = 0; i < n; i += 2) {
			freed[nfreed++] = DISGUISE(objs[i]);
			objs[i] = NULL;
		}
		qsort(freed, nfreed, sizeof *freed, cmp_uintptr);
		scrub_stack();
		gort_gc();
		for (size_t i = 0; i < n; i += 2) {
			unsigned char *p = gort_newobject(size);
			assert_true(all_zero(p, size));
			uintptr_t key = DISGUISE(p);
			reused += bsearch(&key, freed, nfreed, sizeof *freed, cmp_uintptr) != NULL;
			objs[i] = p;
		}
		/* Swept spans are reused before new ones: most slots are old. */
		assert_true(reused >= nfreed / 2);
		/* Zeroing stayed inside each object: the live neighbours are
		 * as they were written. */
		for (size_t i = 1; i < n; i += 2)
			for (size_t k = 0; k < size; k++)
				assert_int_equal(((unsigned char *)objs[i])[k], 0xA5);
		memset(objs, 0, max_objs * sizeof *objs);
	}
	gort_gc();
	assert_true(mheap_verify());
}

/* In a fresh process: a large object whose span is partly pages used
 * before (a collected object's) and partly pages fresh from the OS is
 * zeroed only in the used part; the fresh pages stay as the kernel mapped
 * them, not committed.  (Used and fresh free pages merge in the page heap:
 * the span's history is the arena's zeroed_base, not a flag of the free
 * span.) */
static int child_fresh_pages(void)
{
	enum { used = 2 << 20, big = 32 << 20 };
	long pagesz = sysconf(_SC_PAGESIZE);
	unsigned char *a = gort_newobject(used);

	memset(a, 0x5A, used);
	a = NULL;
	scrub_stack();
	gort_gc();
	unsigned char *b = gort_newobject(big);
	size_t npages = big / (size_t)pagesz, resident = 0;
	static unsigned char vec[(32 << 20) / 4096];
	if ((size_t)pagesz != 4096 || mincore(b, big, vec) != 0) {
		fprintf(stderr, "mincore: cannot check\n");
		return 3;
	}
	for (size_t i = 0; i < npages; i++)
		resident += vec[i] & 1;
	/* What the heap used before (the 2 MB object, the first 4 MB step of
	 * the heap at most) plus a huge page at the edge may be committed;
	 * the rest of the 32 MB must not be. */
	size_t limit = (size_t)(8 << 20) / (size_t)pagesz;
	fprintf(stderr, "resident %zu of %zu pages\n", resident, npages);
	if (resident > limit)
		return 1;
	for (size_t i = 0; i < big; i++)
		if (b[i] != 0)
			return 2;
	return 0;
}

static void test_fresh_pages_untouched(void **state)
{
	/* GOGC=off: the pacer would collect right after the 32 MB allocation,
	 * and the conservative mark reads the whole object (mapping the zero
	 * page under it), which is the collector's doing, not the allocator's. */
	struct child_result r = run_child("fresh_pages", "GOGC=off");

	if (r.status != 0)
		print_error("child: %s", r.err);
	assert_int_equal(r.status, 0);
}

static void test_large_objects(void **state)
{
	size_t sizes[] = {MAX_SMALL_SIZE + 1, 40000, 1 << 20, (1 << 20) + 5, 10 << 20};

	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
			unsigned char *p = gort_newobject(sizes[i]);
			assert_non_null(p);
			assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
			assert_true(all_zero(p, sizes[i]));
			memset(p, 0x5A, sizes[i]);
		}
		scrub_stack();
		gort_gc();
		assert_true(mheap_verify());
	}
}

static void test_zero_size(void **state)
{
	void *a = gort_newobject(0), *b = gort_newarray(16, 0);

	assert_non_null(a);
	assert_ptr_equal(a, b);
}

static void test_newarray(void **state)
{
	uint64_t *a = gort_newarray(sizeof(uint64_t), 1000);

	assert_true(all_zero((unsigned char *)a, 8000));
	for (int i = 0; i < 1000; i++)
		a[i] = (uint64_t)i;
	assert_int_equal(a[999], 999);
}

static void overflow_child(void)
{
	volatile size_t n = SIZE_MAX / 8 + 2;
	gort_newarray(16, n);
}

static void test_newarray_overflow_panics(void **state)
{
	struct child_result r = run_forked(overflow_child);

	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "panic: "));
	assert_non_null(strstr(r.err, "allocation size out of range"));
	assert_non_null(strstr(r.err, "gort_newarray"));
}

static struct {
	int calls;
	void *ptr;
	size_t size;
	int sizeclass;
	uint64_t ns;
} seen;

static void on_newobject(void *ptr, size_t size, int sizeclass, uint64_t ns)
{
	seen.calls++;
	seen.ptr = ptr;
	seen.size = size;
	seen.sizeclass = sizeclass;
	seen.ns = ns;
}

static void test_newobject_probe(void **state)
{
	gort_probes probes = {.size = sizeof probes, .newobject = on_newobject};

	gort_set_probes(&probes);
	void *p = gort_newobject(40);
	void *q = gort_newobject(100000);
	gort_set_probes(NULL);
	void *r = gort_newobject(40);

	assert_int_equal(seen.calls, 2);
	assert_ptr_equal(seen.ptr, q);
	assert_int_equal(seen.size, 100000);
	assert_int_equal(seen.sizeclass, 0);
	assert_true(seen.ns < 1000000000);
	assert_non_null(p);
	assert_non_null(r);
}

int main(int argc, char **argv)
{
	static const struct child_mode modes[] = {
	        {"fresh_pages", child_fresh_pages},
	};
	dispatch_child(argc, argv, modes, sizeof modes / sizeof *modes);

	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_class),
	        cmocka_unit_test(test_swept_objects_zeroed),
	        cmocka_unit_test(test_fresh_pages_untouched),
	        cmocka_unit_test(test_large_objects),
	        cmocka_unit_test(test_zero_size),
	        cmocka_unit_test(test_newarray),
	        cmocka_unit_test(test_newarray_overflow_panics),
	        cmocka_unit_test(test_newobject_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
