/*
 * test_sizeclasses.c — gort's size classes are Go's.
 *
 * Go 1.19's runtime/sizeclasses.go, copied here as the reference: 68
 * entries including the dummy class 0, 67 real classes from 8 B to 32 KB.
 * The test checks the generated table against it, the size -> class lookup
 * for every small size, the reciprocal division for every offset in every
 * span, and that the committed sizeclasses.h is what mksizeclasses prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

static const uint16_t go_class_to_size[68] = {
        0,     8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,
        160,   176,   192,   208,   224,   240,   256,   288,   320,   352,   384,   416,
        448,   480,   512,   576,   640,   704,   768,   896,   1024,  1152,  1280,  1408,
        1536,  1792,  2048,  2304,  2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,
        6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384,
        18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768};

static const uint8_t go_class_to_allocnpages[68] = {
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 2, 1, 3, 2,  3, 1, 3,
        2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4};

static void test_table_is_gos(void **state)
{
	assert_int_equal(NUM_SIZE_CLASSES, 68);
	assert_int_equal(MAX_SMALL_SIZE, 32768);
	assert_int_equal(PAGE_SIZE, 8192);
	for (int c = 0; c < 68; c++) {
		assert_int_equal(class_to_size[c], go_class_to_size[c]);
		assert_int_equal(class_to_allocnpages[c], go_class_to_allocnpages[c]);
	}
}

static void test_spans_are_1_to_10_pages(void **state)
{
	int max = 0;

	for (int c = 1; c < NUM_SIZE_CLASSES; c++) {
		assert_in_range(class_to_allocnpages[c], 1, 10);
		if (class_to_allocnpages[c] > max)
			max = class_to_allocnpages[c];
		/* Tail waste at most 1/8 of the span. */
		size_t span = class_to_allocnpages[c] * PAGE_SIZE;
		assert_true(span % class_to_size[c] <= span / 8);
		/* A span never holds more objects than the bitmaps cover. */
		assert_true(span / class_to_size[c] <= MAX_SPAN_OBJECTS);
	}
	assert_int_equal(max, 10);
}

static void test_size_to_class(void **state)
{
	for (size_t size = 1; size <= MAX_SMALL_SIZE; size++) {
		unsigned c = size_to_class(size);
		assert_in_range(c, 1, NUM_SIZE_CLASSES - 1);
		assert_true(class_to_size[c] >= size);
		assert_true(class_to_size[c - 1] < size); /* the smallest that fits */
	}
}

static void test_divmagic(void **state)
{
	for (int c = 1; c < NUM_SIZE_CLASSES; c++) {
		uint64_t span = class_to_allocnpages[c] * PAGE_SIZE;
		for (uint64_t off = 0; off < span; off++)
			assert_int_equal((off * class_to_divmagic[c]) >> 32,
			                 off / class_to_size[c]);
	}
}

static void test_generator_matches_committed_header(void **state)
{
	const char *src = getenv("top_srcdir"), *build = getenv("top_builddir");
	char cmd[4096], path[4096];

	if (src == NULL || build == NULL) {
		skip();
		return;
	}
	snprintf(cmd, sizeof cmd, "'%s/runtime/mksizeclasses'", build);
	snprintf(path, sizeof path, "%s/runtime/sizeclasses.h", src);
	FILE *gen = popen(cmd, "r");
	FILE *committed = fopen(path, "r");
	assert_non_null(gen);
	assert_non_null(committed);
	int a, b;
	size_t n = 0;
	do {
		a = getc(gen);
		b = getc(committed);
		n++;
	} while (a == b && a != EOF);
	if (a != b)
		fprintf(stderr,
		        "sizeclasses.h differs from mksizeclasses output at byte %zu: "
		        "run `make update-sizeclasses`\n",
		        n);
	assert_int_equal(a, b);
	assert_int_equal(pclose(gen), 0);
	fclose(committed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table_is_gos),
	        cmocka_unit_test(test_spans_are_1_to_10_pages),
	        cmocka_unit_test(test_size_to_class),
	        cmocka_unit_test(test_divmagic),
	        cmocka_unit_test(test_generator_matches_committed_header),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
