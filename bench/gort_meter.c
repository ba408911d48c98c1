/*
 * gort_meter.c — what the benchmarks take from gort: the memory meter over
 * gort's MemStats, and the base suite of gort benchmark programs.
 *
 * B/op and allocs/op are the growth of MemStats.TotalAlloc and
 * MemStats.Mallocs while the timer runs, as go test computes them from
 * runtime.ReadMemStats.  Before each timed run the meter settles the heap with
 * a full collection (go test calls runtime.GC() there), so a run does not pay
 * for the previous run's garbage.
 *
 * bench_gort_suite runs the benchmarks on the main goroutine (gort_main), as
 * go test runs Go's on a goroutine, with that meter.
 */
#include "harness.h"

#include <gort.h>

static void gort_meter_read(bench_memcount *now)
{
	gort_memstats ms;
	gort_read_memstats(&ms);
	now->bytes = ms.total_alloc;
	now->allocs = ms.mallocs;
}

const bench_meter bench_gort_meter = {
        .read = gort_meter_read,
        .settle = gort_gc,
};

const bench_suite bench_gort_suite = {
        .pkg = "escapade/bench",
        .meter = &bench_gort_meter,
        .runner = gort_main,
};
