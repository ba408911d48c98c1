/*
 * tests/test_tidy_path.c — site_tidy_path, the clean-up every call-tree
 * path gets (viewer/sites.h): a function split by a stack segment
 * (f; __morestack; f) becomes one frame, and the C start-up frames above
 * main go, so main is the one root of the program's stacks.
 */
#include "config.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "viewer/sites.h"

#define N(a) (sizeof(a) / sizeof *(a))

static void assert_names(const ct_frame *f, size_t n, const char *const *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(f[i].name, want[i]);
}

static void test_split_function_is_one_frame(void **state)
{
	(void)state;
	ct_frame f[] = {{"gostart", 0, 0, 0},
	                {"run", "x.c", 32, 0},
	                {"__morestack", "m.S", 248, 0},
	                {"run", "x.c", 35, 0},
	                {"leaf", "x.c", 9, 0}};
	static const char *const want[] = {"gostart", "run", "leaf"};
	size_t n = site_tidy_path(f, N(f));
	assert_names(f, n, want, N(want));
	assert_int_equal(f[1].line, 35); /* the inner line: where the body ran */
}

static void test_unrelated_morestack_stays(void **state)
{
	(void)state;
	ct_frame f[] = {{"a", 0, 0, 0}, {"__morestack", 0, 0, 0}, {"b", 0, 0, 0}};
	static const char *const want[] = {"a", "__morestack", "b"};
	assert_names(f, site_tidy_path(f, N(f)), want, N(want));
}

static void test_startup_frames_above_main_go(void **state)
{
	(void)state;
	ct_frame deep[] = {{"_start", 0, 0, 0},
	                   {"__libc_start_main_impl", 0, 0, 0},
	                   {"__libc_start_call_main", 0, 0, 0},
	                   {"main", "p.c", 3, 0},
	                   {"f", 0, 0, 0}};
	ct_frame shallow[] = {
	        {"__libc_start_call_main", 0, 0, 0}, {"main", "p.c", 3, 0}, {"f", 0, 0, 0}};
	static const char *const want[] = {"main", "f"};
	assert_names(deep, site_tidy_path(deep, N(deep)), want, N(want));
	assert_names(shallow, site_tidy_path(shallow, N(shallow)), want, N(want));
}

static void test_startup_without_main_stays(void **state)
{
	(void)state;
	ct_frame f[] = {
	        {"_start", 0, 0, 0}, {"__libc_start_main_impl", 0, 0, 0}, {"init", 0, 0, 0}};
	static const char *const want[] = {"_start", "__libc_start_main_impl", "init"};
	assert_names(f, site_tidy_path(f, N(f)), want, N(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_split_function_is_one_frame),
	        cmocka_unit_test(test_unrelated_morestack_stays),
	        cmocka_unit_test(test_startup_frames_above_main_go),
	        cmocka_unit_test(test_startup_without_main_stays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
