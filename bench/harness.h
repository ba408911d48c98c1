/*
 * harness.h — Go's testing.B for C: calibrated benchmarks in go test's format.
 *
 * A benchmark is a function that does its work b->n times:
 *
 *     static void bench_newobject16(bench_b *b)
 *     {
 *             for (uint64_t i = 0; i < b->n; i++)
 *                     sink = gort_newobject(16);
 *     }
 *
 * A program lists its benchmarks in a table (names may have "/sub" levels,
 * printed after a "Benchmark" prefix), describes it with a bench_suite and
 * hands argc/argv to bench_main().  The harness then behaves like
 * `go test -bench REGEX -benchmem`: it grows n from 1 until one run lasts
 * -benchtime, and prints, for every benchmark,
 *
 *     BenchmarkNewobject/16-1   	50000000	        23.10 ns/op	      16 B/op 1
 * allocs/op
 *
 * so that benchstat reads gort's figures beside Go's.  The -P suffix is
 * GOMAXPROCS (bench_gomaxprocs()).
 *
 * Memory columns are measured, never assumed: a bench_meter reads cumulative
 * (bytes, allocations) counters — gort's MemStats by default (bench_gort_meter,
 * bench/gort_meter.c) — and the harness reports their growth while the timer
 * runs, divided by n.  A benchmark whose allocator has no such counters
 * (glibc malloc) sets BENCH_NOMEM and prints time only; one that can count for
 * itself supplies its own meter.
 *
 * Flags (go test's, without the "test." prefix; "-flag=value" works too):
 * -bench REGEX, -benchtime 1s|0.2s|100x, -count N, -list, -benchmem (always
 * on), -h/--help, plus the suite's own integer flags (e.g. -depth 21).
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Cumulative allocation counters, as a meter reads them. */
typedef struct bench_memcount {
	uint64_t bytes;
	uint64_t allocs;
} bench_memcount;

/* Where the B/op and allocs/op columns come from. */
typedef struct bench_meter {
	/* Read the cumulative counters (since process start, or any origin). */
	void (*read)(bench_memcount *now);
	/* Run before each timed run, like go test's runtime.GC(); may be NULL. */
	void (*settle)(void);
} bench_meter;

#define BENCH_MAX_METRICS 8

/* One run of one benchmark.  Benchmarks read `n` and `arg`; the rest is the
 * harness's (use the functions below). */
typedef struct bench_b {
	uint64_t n;      /* do the work this many times */
	const void *arg; /* the table entry's argument */

	/* Private to harness.c. */
	const bench_meter *meter;
	bool timer_on;
	bool failed;
	int64_t start_ns;
	int64_t duration_ns;
	bench_memcount start_mem;
	bench_memcount net_mem;
	int nmetrics;
	struct {
		const char *unit;
		double value;
	} metrics[BENCH_MAX_METRICS];
	char message[256];
} bench_b;

typedef void (*bench_func)(bench_b *b);

enum {
	BENCH_NOMEM = 1 << 0, /* no meter for this allocator: print time only */
};

/* An entry of a benchmark table. */
typedef struct bench_def {
	const char *name;         /* "Newobject/16": printed as BenchmarkNewobject/16-P */
	bench_func fn;            /* does the work b->n times */
	const void *arg;          /* passed as b->arg */
	const bench_meter *meter; /* NULL: the suite's meter */
	unsigned flags;           /* BENCH_NOMEM ... */
} bench_def;

/* A program-specific integer flag ("-depth 21"). */
typedef struct bench_flag {
	const char *name;  /* without the dash */
	const char *usage; /* one line for --help */
	long *value;       /* holds the default; set when the flag is given */
} bench_flag;

/* Runs body(ctx) somewhere and returns its exit status: the seam through which
 * a suite asks to run on a goroutine.  gort_main has this very signature. */
typedef int (*bench_runner)(void (*body)(void *), void *ctx);

typedef struct bench_suite {
	const char *pkg;             /* the "pkg:" header line, e.g. "escapade/bench" */
	const bench_def *benchmarks; /* the table */
	size_t count;
	const bench_meter *meter; /* default meter; NULL: no memory columns */
	const bench_flag *flags;  /* extra flags, may be NULL */
	size_t nflags;
	/* Called once the flags are parsed, before any name is matched: the place
	 * to name benchmarks after a flag ("BinaryTrees/depth=21").  May be NULL. */
	void (*flags_parsed)(void);
	/* NULL: run the benchmarks on the calling thread.  Set to gort_main to
	 * run them inside the main goroutine. */
	bench_runner runner;
} bench_suite;

/* Parse argv, run the matching benchmarks, print the results on stdout.
 * Returns the exit status: 0 when all passed, 1 when a benchmark failed, 2 on
 * a usage error (the message goes to stderr). */
int bench_main(const bench_suite *suite, int argc, char **argv);

/* The same, writing to out and err (the tests use it). */
int bench_main_to(const bench_suite *suite, int argc, char **argv, FILE *out, FILE *err);

/* A program of one benchmark whose name shows one integer flag: name_fmt has
 * a single %ld, filled in once the flags are parsed ("BinaryTrees/depth=%ld").
 * base gives the pkg, the meter and the runner; its table and flags are
 * ignored. */
int bench_main_one(const bench_suite *base, const char *name_fmt, bench_func fn,
                   const bench_flag *flag, int argc, char **argv);

/* Go's b.ResetTimer, b.StopTimer, b.StartTimer. */
void bench_reset_timer(bench_b *b);
void bench_stop_timer(bench_b *b);
void bench_start_timer(bench_b *b);

/* Go's b.ReportMetric: an extra "value unit" column (e.g. peak-RSS-KB).  The
 * value is printed as given; unit must not contain spaces. */
void bench_report_metric(bench_b *b, double value, const char *unit);

/* Go's b.Errorf: mark the benchmark failed with a message.  The benchmark
 * should return; calibration stops and the program exits 1. */
/* (no_split_stack: Clang cannot split a variadic function; see harness.c.) */
void bench_errorf(bench_b *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3), no_split_stack));

/* GOMAXPROCS as gort sees it: the environment variable, 1 when unset or
 * invalid (gort runs one P today). */
int bench_gomaxprocs(void);

/* Monotonic clock in nanoseconds. */
int64_t bench_nanotime(void);

/* The meter over gort_read_memstats (total_alloc, mallocs); settles with
 * gort_gc().  Defined in bench/gort_meter.c, for programs linked with gort. */
extern const bench_meter bench_gort_meter;

/* pkg "escapade/bench", bench_gort_meter, and gort_main as the runner: the
 * base of the gort benchmark programs (copy it, add the table).  Also in
 * bench/gort_meter.c. */
extern const bench_suite bench_gort_suite;

/* The meter over jemalloc's thread.allocated and arena request counters.
 * Defined in bench/jemalloc_meter.c, for programs linked with jemalloc. */
extern const bench_meter bench_jemalloc_meter;

#endif /* BENCH_HARNESS_H */
