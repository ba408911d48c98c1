/*
 * bench_newobject.c — what one gort_newobject costs, with and without the
 * collection it eventually pays for (issue 2).
 *
 * Newobject/SIZE is the allocation path alone: objects are allocated in
 * batches that stay below the next GC trigger (MemStats.next_gc), and the
 * heap is collected between batches with the timer stopped.  So ns/op is
 * the mcache fast path plus its amortized refills from mcentral and mheap,
 * sweeping included, but no marking: the figure to hold against jemalloc's
 * mallocx + dallocx (bench_mallocx).
 *
 * AllIn/SIZE is the whole bill: a ring of a few live objects in a global, one
 * new object per op replacing the oldest, and collections started by the pacer
 * (GOGC) inside the timed loop, as in a Go program that allocates short-lived
 * objects.
 *
 * Every object is stored in a global so it escapes: nothing can be optimised
 * away, and the collector sees it as reachable until it is replaced.
 */
#include "harness.h"
#include "heap_sizes.h"

#include <gort.h>
#include <stdint.h>

/* Globals are roots of the collector (data and bss of the executable). */
static void *volatile sink;
#define RING 8
static void *volatile ring[RING];

/* At most this much per batch, so that GOGC=off cannot grow the heap without
 * bound. */
#define MAX_BATCH_BYTES (64u << 20)

/* How many objects of `size` fit under the next GC trigger, with room to
 * spare for size-class rounding; at least 1, at most `left`. */
static uint64_t batch_below_trigger(size_t size, uint64_t left)
{
	gort_memstats ms;
	gort_read_memstats(&ms);
	uint64_t headroom = ms.next_gc > ms.heap_alloc ? ms.next_gc - ms.heap_alloc : 0;
	if (headroom > MAX_BATCH_BYTES)
		headroom = MAX_BATCH_BYTES;
	uint64_t batch = headroom / 2 / size;
	if (batch == 0)
		batch = 1;
	return batch < left ? batch : left;
}

static void bench_newobject(bench_b *b)
{
	size_t size = *(const size_t *)b->arg;
	uint64_t done = 0;
	while (done < b->n) {
		bench_stop_timer(b);
		if (done > 0)
			gort_gc();
		uint64_t batch = batch_below_trigger(size, b->n - done);
		bench_start_timer(b);
		for (uint64_t i = 0; i < batch; i++)
			sink = gort_newobject(size);
		done += batch;
	}
}

static void bench_allin(bench_b *b)
{
	size_t size = *(const size_t *)b->arg;
	for (uint64_t i = 0; i < b->n; i++)
		ring[i % RING] = gort_newobject(size);
}

#define NEWOBJECT(bytes, label)                                                                    \
	{.name = "Newobject/" label, .fn = bench_newobject, .arg = &heap_size_##bytes},
#define ALLIN(bytes, label) {.name = "AllIn/" label, .fn = bench_allin, .arg = &heap_size_##bytes},
/* clang-format off */
static const bench_def benchmarks[] = {
	HEAP_SIZES(NEWOBJECT)
	ALLIN(16, "16B")
	ALLIN(64, "64B")
	ALLIN(256, "256B")
};
/* clang-format on */

int main(int argc, char **argv)
{
	bench_suite suite = bench_gort_suite;
	suite.benchmarks = benchmarks;
	suite.count = sizeof benchmarks / sizeof benchmarks[0];
	return bench_main(&suite, argc, argv);
}
