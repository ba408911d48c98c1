/*
 * test_bench_harness.c — the benchmark harness behaves like go test -bench.
 *
 * Each test runs bench_main_to() on a small table of real benchmarks (a
 * busy loop that takes a known time per op, a "counting allocator" whose meter
 * the harness reads) with output captured in memory, then parses the lines the
 * way benchstat would: name, iterations, then "value unit" pairs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

/* ---- Benchmarks used by the tests --------------------------------------- */

static int calls_alpha, calls_alpha_sub, calls_beta;
static uint64_t last_n_seen;
static uint64_t counted_bytes, counted_allocs;

/* Burns about 20 µs per op, so calibration needs a few rounds. */
static void bench_spin(bench_b *b)
{
	last_n_seen = b->n;
	for (uint64_t i = 0; i < b->n; i++) {
		int64_t until = bench_nanotime() + 20000;
		while (bench_nanotime() < until)
			;
	}
}

static void bench_alpha(bench_b *b)
{
	calls_alpha++;
}

static void bench_alpha_sub(bench_b *b)
{
	calls_alpha_sub++;
}

static void bench_beta(bench_b *b)
{
	calls_beta++;
}

/* "Allocates" 24 bytes per op through a counter the test meter reads, and 1000
 * bytes of set-up with the timer stopped, which must not be charged. */
static void bench_counted(bench_b *b)
{
	bench_stop_timer(b);
	counted_bytes += 1000;
	counted_allocs += 10;
	bench_start_timer(b);
	for (uint64_t i = 0; i < b->n; i++) {
		counted_bytes += 24;
		counted_allocs += 1;
	}
	bench_report_metric(b, 12345, "peak-RSS-KB");
}

static void bench_reset(bench_b *b)
{
	counted_bytes += 4096; /* set-up before ResetTimer: dropped */
	counted_allocs += 7;
	bench_reset_timer(b);
	for (uint64_t i = 0; i < b->n; i++) {
		counted_bytes += 8;
		counted_allocs += 1;
	}
}

static void bench_fails(bench_b *b)
{
	bench_errorf(b, "checksum %d is wrong", 41);
}

static void counter_read(bench_memcount *now)
{
	now->bytes = counted_bytes;
	now->allocs = counted_allocs;
}

static int settles;
static void counter_settle(void)
{
	settles++;
}

static const bench_meter counter_meter = {.read = counter_read, .settle = counter_settle};

static const bench_def table[] = {
        {.name = "Spin", .fn = bench_spin, .flags = BENCH_NOMEM},
        {.name = "Alpha", .fn = bench_alpha},
        {.name = "Alpha/sub1", .fn = bench_alpha_sub},
        {.name = "Beta/x", .fn = bench_beta},
        {.name = "Counted/24", .fn = bench_counted},
        {.name = "Reset", .fn = bench_reset},
};

static long depth_flag = 21;
static const bench_flag flags[] = {{"depth", "tree depth", &depth_flag}};
static long depth_when_parsed;

static void record_depth(void)
{
	depth_when_parsed = depth_flag;
}

static const bench_suite suite = {
        .pkg = "escapade/tests",
        .benchmarks = table,
        .count = sizeof table / sizeof table[0],
        .meter = &counter_meter,
        .flags = flags,
        .nflags = 1,
        .flags_parsed = record_depth,
};

/* ---- Running the harness and reading its output ------------------------- */

typedef struct result {
	int status;
	char *out;
	char *err;
} result;

static result run(const bench_suite *s, ...)
{
	char *argv[32] = {"bench"};
	int argc = 1;
	va_list ap;
	va_start(ap, s);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	result r = {0};
	size_t olen, elen;
	FILE *out = open_memstream(&r.out, &olen);
	FILE *err = open_memstream(&r.err, &elen);
	assert_non_null(out);
	assert_non_null(err);
	r.status = bench_main_to(s, argc, argv, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static void result_free(result *r)
{
	free(r->out);
	free(r->err);
}

/* One benchmark line, split into fields the way benchstat reads it. */
typedef struct line {
	char name[128];
	unsigned long long n;
	int npairs;
	double value[8];
	char unit[8][32];
} line;

static int parse_lines(const char *text, line *lines, int max)
{
	int count = 0;
	char *copy = strdup(text), *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "Benchmark", 9) != 0 || count == max)
			continue;
		line *p = &lines[count++];
		memset(p, 0, sizeof *p);
		char *fsave = NULL;
		char *f = strtok_r(l, " \t", &fsave);
		snprintf(p->name, sizeof p->name, "%s", f);
		f = strtok_r(NULL, " \t", &fsave);
		assert_non_null(f);
		char *end;
		p->n = strtoull(f, &end, 10);
		assert_true(*end == '\0');
		while ((f = strtok_r(NULL, " \t", &fsave)) != NULL) {
			assert_true(p->npairs < 8);
			p->value[p->npairs] = strtod(f, &end);
			assert_true(*end == '\0');
			f = strtok_r(NULL, " \t", &fsave);
			assert_non_null(f);
			snprintf(p->unit[p->npairs], 32, "%s", f);
			p->npairs++;
		}
	}
	free(copy);
	return count;
}

static double field(const line *l, const char *unit)
{
	for (int i = 0; i < l->npairs; i++)
		if (strcmp(l->unit[i], unit) == 0)
			return l->value[i];
	return -1;
}

/* ---- Tests -------------------------------------------------------------- */

static void test_calibration_reaches_benchtime(void **state)
{
	result r = run(&suite, "-bench", "Spin", "-benchtime", "0.2s", NULL);
	assert_int_equal(r.status, 0);
	line l[4];
	assert_int_equal(parse_lines(r.out, l, 4), 1);
	assert_string_equal(l[0].name, "BenchmarkSpin-1");
	double ns = field(&l[0], "ns/op");
	assert_true(ns >= 20000);
	/* The reported run lasted at least -benchtime, and not absurdly more. */
	double total = ns * (double)l[0].n;
	assert_true(total >= 0.2e9);
	assert_true(total < 2.0e9);
	assert_true(l[0].n > 1);
	assert_int_equal(last_n_seen, l[0].n);
	/* No meter for this one: time only. */
	assert_int_equal(l[0].npairs, 1);
	result_free(&r);
}

static void test_benchtime_count(void **state)
{
	result r = run(&suite, "-bench", "Spin", "-benchtime=50x", NULL);
	assert_int_equal(r.status, 0);
	line l[4];
	assert_int_equal(parse_lines(r.out, l, 4), 1);
	assert_int_equal(l[0].n, 50);
	assert_int_equal(last_n_seen, 50);
	result_free(&r);
}

static void test_header_and_trailer(void **state)
{
	result r = run(&suite, "-bench", "Alpha$", "-benchtime", "1x", NULL);
	assert_int_equal(r.status, 0);
	assert_true(strncmp(r.out, "goos: linux\ngoarch: amd64\npkg: escapade/tests\ncpu: ", 51) ==
	            0);
	assert_non_null(strstr(r.out, "\nPASS\nok  \tescapade/tests\t"));
	result_free(&r);
}

static void test_regex_filter(void **state)
{
	calls_alpha = calls_alpha_sub = calls_beta = 0;
	/* One regex per level, as go test: "Alpha" matches the first level of
	 * both Alpha and Alpha/sub1; "sub" then keeps the second. */
	result r = run(&suite, "-bench", "Alpha/sub", "-benchtime", "1x", NULL);
	assert_int_equal(r.status, 0);
	line l[8];
	assert_int_equal(parse_lines(r.out, l, 8), 1);
	assert_string_equal(l[0].name, "BenchmarkAlpha/sub1-1");
	assert_int_equal(calls_alpha, 0);
	assert_int_equal(calls_alpha_sub, 1);
	assert_int_equal(calls_beta, 0);
	result_free(&r);

	/* Anchored on the first level, which includes the Benchmark prefix. */
	r = run(&suite, "-bench", "^BenchmarkBeta$", "-benchtime", "1x", NULL);
	assert_int_equal(parse_lines(r.out, l, 8), 1);
	assert_string_equal(l[0].name, "BenchmarkBeta/x-1");
	result_free(&r);

	r = run(&suite, "-bench", "^Beta", "-benchtime", "1x", NULL);
	assert_int_equal(parse_lines(r.out, l, 8), 0);
	result_free(&r);

	r = run(&suite, "-list", "-bench", "Alpha|Beta", NULL);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.out, "BenchmarkAlpha\nBenchmarkAlpha/sub1\nBenchmarkBeta/x\n");
	result_free(&r);
}

static void test_count(void **state)
{
	calls_beta = 0;
	result r = run(&suite, "-bench", "Beta", "-count", "3", "-benchtime", "1x", NULL);
	assert_int_equal(r.status, 0);
	line l[8];
	assert_int_equal(parse_lines(r.out, l, 8), 3);
	for (int i = 0; i < 3; i++)
		assert_string_equal(l[i].name, "BenchmarkBeta/x-1");
	assert_int_equal(calls_beta, 3);
	result_free(&r);
}

static void test_memory_columns_are_measured(void **state)
{
	settles = 0;
	result r = run(&suite, "-bench", "Counted|Reset", "-benchtime", "1000x", NULL);
	assert_int_equal(r.status, 0);
	line l[4];
	assert_int_equal(parse_lines(r.out, l, 4), 2);
	assert_string_equal(l[0].name, "BenchmarkCounted/24-1");
	assert_int_equal(l[0].n, 1000);
	/* Go's column order: ns/op, extra metrics, B/op, allocs/op. */
	assert_int_equal(l[0].npairs, 4);
	assert_string_equal(l[0].unit[0], "ns/op");
	assert_string_equal(l[0].unit[1], "peak-RSS-KB");
	assert_true(l[0].value[1] == 12345);
	assert_string_equal(l[0].unit[2], "B/op");
	assert_true(l[0].value[2] == 24);
	assert_string_equal(l[0].unit[3], "allocs/op");
	assert_true(l[0].value[3] == 1);
	/* ResetTimer drops what came before it. */
	assert_string_equal(l[1].name, "BenchmarkReset-1");
	assert_true(field(&l[1], "B/op") == 8);
	assert_true(field(&l[1], "allocs/op") == 1);
	/* Go's exact layout: names padded to the longest, %8d counts, %10.0f
	 * for large values. */
	assert_non_null(strstr(r.out, "BenchmarkCounted/24-1\t    1000\t"));
	assert_non_null(
	        strstr(r.out, "\t     12345 peak-RSS-KB\t      24 B/op\t       1 allocs/op\n"));
	assert_non_null(strstr(r.out, "BenchmarkReset-1     \t    1000\t"));
	/* The meter settled before each run: n=1, then n=1000, twice. */
	assert_int_equal(settles, 4);
	result_free(&r);
}

static void test_gomaxprocs_suffix(void **state)
{
	setenv("GOMAXPROCS", "3", 1);
	assert_int_equal(bench_gomaxprocs(), 3);
	result r = run(&suite, "-bench", "Beta", "-benchtime", "1x", NULL);
	line l[2];
	assert_int_equal(parse_lines(r.out, l, 2), 1);
	assert_string_equal(l[0].name, "BenchmarkBeta/x-3");
	result_free(&r);
	setenv("GOMAXPROCS", "bogus", 1);
	assert_int_equal(bench_gomaxprocs(), 1);
	unsetenv("GOMAXPROCS");
	assert_int_equal(bench_gomaxprocs(), 1);
}

static void test_bad_flags_exit_2(void **state)
{
	static const char *bad[][3] = {
	        {"-nosuch", NULL, NULL},    {"-benchtime", "abc", NULL},
	        {"-benchtime", "0s", NULL}, {"-benchtime", "-5x", NULL},
	        {"-count", "0", NULL},      {"-count", "two", NULL},
	        {"-bench", "x[", NULL},     {"-bench", NULL, NULL},
	        {"stray", NULL, NULL},      {"-depth", "deep", NULL},
	        {"-list=yes", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		calls_beta = 0;
		result r = run(&suite, "-bench", "Beta", bad[i][0], bad[i][1], NULL);
		if (r.status != 2)
			print_error("case %zu: %s %s\n", i, bad[i][0], bad[i][1] ? bad[i][1] : "");
		assert_int_equal(r.status, 2);
		assert_true(strlen(r.err) > 0);
		assert_int_equal(calls_beta, 0);
		result_free(&r);
	}
}

static void test_help_and_suite_flags(void **state)
{
	result r = run(&suite, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "-benchtime"));
	assert_non_null(strstr(r.out, "-depth"));
	result_free(&r);

	/* --help shows the default, not a value parsed before it. */
	r = run(&suite, "-depth", "9", "-help", NULL);
	assert_non_null(strstr(r.out, "(default 21)"));
	result_free(&r);
	depth_flag = 21;

	r = run(&suite, "-depth", "7", "-bench", "Beta", "-benchtime", "1x", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(depth_flag, 7);
	assert_int_equal(depth_when_parsed, 7);
	result_free(&r);
	depth_flag = 21;
}

static void test_failure_exits_1(void **state)
{
	static const bench_def failing[] = {{.name = "Fails", .fn = bench_fails}};
	bench_suite s = {.pkg = "p", .benchmarks = failing, .count = 1};
	result r = run(&s, NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "--- FAIL: BenchmarkFails-1\n    checksum 41 is wrong\n"));
	assert_non_null(strstr(r.out, "\nFAIL\n"));
	result_free(&r);
}

static int runner_calls;
static int recording_runner(void (*body)(void *), void *ctx)
{
	runner_calls++;
	body(ctx);
	return 0;
}

static void test_runner_seam(void **state)
{
	bench_suite s = suite;
	s.runner = recording_runner;
	calls_beta = 0;
	result r = run(&s, "-bench", "Beta", "-benchtime", "1x", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(runner_calls, 1);
	assert_int_equal(calls_beta, 1);
	result_free(&r);
}

int main(void)
{
	unsetenv("GOMAXPROCS");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_calibration_reaches_benchtime),
	        cmocka_unit_test(test_benchtime_count),
	        cmocka_unit_test(test_header_and_trailer),
	        cmocka_unit_test(test_regex_filter),
	        cmocka_unit_test(test_count),
	        cmocka_unit_test(test_memory_columns_are_measured),
	        cmocka_unit_test(test_gomaxprocs_suffix),
	        cmocka_unit_test(test_bad_flags_exit_2),
	        cmocka_unit_test(test_help_and_suite_flags),
	        cmocka_unit_test(test_failure_exits_1),
	        cmocka_unit_test(test_runner_seam),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
