/*
 * bench_malloc.c — the C allocators the gort heap is measured against.
 *
 * One allocation and its release per op, at the sizes of heap_sizes.h, the
 * pointer stored in a volatile global so the pair cannot be optimised away.
 * The memory is not touched (gort_newobject zeroes its objects; malloc does
 * not: the baseline is the cheaper operation).
 *
 * Built twice (bench/local.mk):
 *   bench_malloc   glibc malloc + free.  glibc keeps no allocation counters,
 *                  so these lines carry ns/op only (BENCH_NOMEM).
 *   bench_mallocx  jemalloc's own API, mallocx + dallocx (BENCH_JEMALLOC).
 *                  jemalloc counts for itself (bench/jemalloc_meter.c).
 *                  It is a separate program because linking jemalloc replaces
 *                  malloc for the whole process.
 */
#include "harness.h"
#include "heap_sizes.h"

#include <stdint.h>
#include <stdlib.h>

#ifdef BENCH_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

static void *volatile sink;

#ifdef BENCH_JEMALLOC
#define ALLOCATOR "Mallocx"

#define METER &bench_jemalloc_meter
#define FLAGS 0

static void bench_alloc(bench_b *b)
{
	size_t size = *(const size_t *)b->arg;
	for (uint64_t i = 0; i < b->n; i++) {
		void *p = mallocx(size, 0);
		sink = p;
		dallocx(p, 0);
	}
}
#else
#define ALLOCATOR "Malloc"
#define METER     NULL
#define FLAGS     BENCH_NOMEM

static void bench_alloc(bench_b *b)
{
	size_t size = *(const size_t *)b->arg;
	for (uint64_t i = 0; i < b->n; i++) {
		void *p = malloc(size);
		sink = p;
		free(p);
	}
}
#endif

#define ENTRY(bytes, label)                                                                        \
	{.name = ALLOCATOR "/" label,                                                              \
	 .fn = bench_alloc,                                                                        \
	 .arg = &heap_size_##bytes,                                                                \
	 .meter = METER,                                                                           \
	 .flags = FLAGS},
static const bench_def benchmarks[] = {HEAP_SIZES(ENTRY)};

int main(int argc, char **argv)
{
	bench_suite suite = {
	        .pkg = "escapade/bench",
	        .benchmarks = benchmarks,
	        .count = sizeof benchmarks / sizeof benchmarks[0],
	};
	return bench_main(&suite, argc, argv);
}
