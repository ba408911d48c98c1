/*
 * example.h — what the example programs share: counting gort's heap
 * allocations around a call, and printing them in one line format.
 *
 * Every example (a_return_pointer.c ... q_growing_cache.c) runs each form of
 * its case a fixed number of times and prints one line per form:
 *
 *     escaping: create_demo_escapes runs=10 mallocs=10
 *     frame-local: create_demo_local runs=10 mallocs=10
 *
 * mallocs is the growth of MemStats.Mallocs over the runs (measured, as
 * testing.AllocsPerRun measures it): tests/examples.sh checks it against the
 * case's table row, and the tracer's verdict must call the first function's
 * site "escaped" and the second's "frame-local".  The allocations in the
 * named functions are written out in them (never in a shared helper), so
 * that each allocation site is the function that names the form.
 */
#ifndef EXAMPLES_EXAMPLE_H
#define EXAMPLES_EXAMPLE_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <gort.h>

/* How many times each form runs: small and fixed, so outputs are exact. */
#define EX_RUNS 10

static inline uint64_t ex_mallocs(void)
{
	gort_memstats ms;
	gort_read_memstats(&ms);
	return ms.mallocs;
}

/* Run `body` EX_RUNS times (with `i` as the run index) and print the form's
 * line. */
#define EX_MEASURE(form, fn, body)                                                                 \
	do {                                                                                       \
		uint64_t ex_before_ = ex_mallocs();                                                \
		for (int i = 0; i < EX_RUNS; i++) {                                                \
			body;                                                                      \
		}                                                                                  \
		printf("%s: %s runs=%d mallocs=%" PRIu64 "\n", (form), (fn), EX_RUNS,              \
		       ex_mallocs() - ex_before_);                                                 \
	} while (0)

#endif /* EXAMPLES_EXAMPLE_H */
