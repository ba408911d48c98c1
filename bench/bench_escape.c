/*
 * bench_escape.c — the escape bench: every case of escape-cases.md (a to o)
 * as an escaping and a non-escaping benchmark, in go test's format.
 *
 * The cases live in escape_values.c (a, m, n, o), escape_closures.c (b, c,
 * k, l), escape_boxing.c (d, f, g, h, i) and escape_slices.c (e, j); this
 * file owns the global sinks and runs the tables in case order.  The whole
 * suite runs inside the main goroutine (the suite's runner is gort_main), as
 * a Go benchmark runs on a goroutine: c and l start goroutines, and every
 * non-escaping form runs on a segmented stack, paying for its frames there.
 *
 * B/op and allocs/op are gort's MemStats (bench_gort_meter).  The C
 * allocators' figures for a, m, n and o are bench_escape_malloc and
 * bench_escape_mallocx (escape_alloc.c); Go's are bench/go/escape_test.go.
 */
#include <gort.h>

#include "escape.h"

void *volatile escape_sink;
volatile int64_t escape_sink_int;
eface escape_sink_any;

#define MAX_BENCHMARKS 128

static bench_def all[MAX_BENCHMARKS];

/* Append the entries of every table whose names start with `letter`. */
static size_t add_case(size_t n, char letter)
{
	static const struct {
		const bench_def *defs;
		const size_t *count;
	} tables[] = {
	        {escape_values_benchmarks, &escape_values_count},
	        {escape_closures_benchmarks, &escape_closures_count},
	        {escape_boxing_benchmarks, &escape_boxing_count},
	        {escape_slices_benchmarks, &escape_slices_count},
	};
	for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
		for (size_t i = 0; i < *tables[t].count; i++)
			if (tables[t].defs[i].name[0] == letter && n < MAX_BENCHMARKS)
				all[n++] = tables[t].defs[i];
	return n;
}

int main(int argc, char **argv)
{
	size_t n = 0;
	for (char letter = 'A'; letter <= 'O'; letter++)
		n = add_case(n, letter);
	bench_suite suite = {
	        .pkg = "escapade/bench/escape",
	        .benchmarks = all,
	        .count = n,
	        .meter = &bench_gort_meter,
	        .runner = gort_main,
	};
	return bench_main(&suite, argc, argv);
}
