/*
 * mcache.c — the per-P cache of spans (Go's mcache.go).
 *
 * The P owns one span per size class, alloc[class], and allocates from it
 * without locks: the fast path in malloc.c finds the next free object with
 * count-trailing-zeros on the span's alloc_cache.  When the span is used up
 * the slow path (mcache_refill) hands it back to its mcentral and takes
 * another.  Before a collection every cached span goes back
 * (mcache_release_all), so the sweeper sees each span's final freeindex.
 *
 * Empty slots point at emptymspan, a span with no free object, so the fast
 * path needs no NULL check: its first allocation simply fails into the slow
 * path, which also initialises the heap on first use.
 *
 * gort has one P for now: mcache0.  Malloc counts (mallocs) are folded into
 * memstats when a span leaves the cache; mcache_unflushed_mallocs lets
 * gort_read_memstats see the ones still in the cache.
 */
#include "internal.h"

mspan emptymspan;

mcache mcache0 = {.alloc = {[0 ... NUM_SIZE_CLASSES - 1] = &emptymspan}};

mspan *mcache_refill(unsigned spanclass)
{
	mspan *s = mcache0.alloc[spanclass];

	mcache0.alloc[spanclass] = &emptymspan;
	if (s != &emptymspan)
		mcentral_uncache_span(s);
	s = mcentral_cache_span(spanclass);
	mcache0.alloc[spanclass] = s;
	return s;
}

void mcache_release_all(void)
{
	for (unsigned c = 1; c < NUM_SIZE_CLASSES; c++) {
		mspan *s = mcache0.alloc[c];
		mcache0.alloc[c] = &emptymspan;
		if (s != &emptymspan)
			mcentral_uncache_span(s);
	}
}

uint64_t mcache_unflushed_mallocs(unsigned spanclass)
{
	mspan *s = mcache0.alloc[spanclass];

	return s == &emptymspan ? 0 : s->alloc_count - s->cached_count;
}
