/*
 * jemalloc_meter.c — the benchmarks' memory meter over jemalloc's own
 * counters, for programs linked with jemalloc (bench_mallocx,
 * bench_escape_mallocx).
 *
 * B/op is thread.allocated; allocs/op the requests of all arenas (small +
 * large), read after a tcache flush so that the tcache's requests are merged
 * into the arena statistics.
 */
#include "harness.h"

#include <jemalloc/jemalloc.h>
#include <stdlib.h>

static uint64_t mallctl_u64(const char *name)
{
	uint64_t v = 0;
	size_t len = sizeof v;
	if (mallctl(name, &v, &len, NULL, 0) != 0) {
		fprintf(stderr, "bench: mallctl %s failed (jemalloc without stats?)\n", name);
		exit(1);
	}
	return v;
}

static void jemalloc_read(bench_memcount *now)
{
	uint64_t epoch = 1;
	size_t len = sizeof epoch;
	mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
	mallctl("epoch", &epoch, &len, &epoch, len);
	now->bytes = mallctl_u64("thread.allocated");
	now->allocs = mallctl_u64("stats.arenas.4096.small.nrequests") +
	              mallctl_u64("stats.arenas.4096.large.nrequests");
}

const bench_meter bench_jemalloc_meter = {.read = jemalloc_read};
