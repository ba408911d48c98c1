/*
 * mgcsweep.c — sweeping (Go's mgcsweep.go), eager, at the end of each
 * collection.
 *
 * For each in-use span the mark bits say which objects live.  An object was
 * allocated if it lies below freeindex or its alloc bit is set; allocated
 * and unmarked means freed (reported to the free probe, when one is set).
 * Then the mark bitmap simply becomes the allocation bitmap (the two
 * pointers swap and the new mark bitmap is cleared), freeindex restarts at
 * 0, and the span goes back to its mcentral's partial list if it has room.
 * A span with no marked object returns to the page heap.  A span where
 * something was freed needs its objects zeroed on reuse (needzero).
 *
 * Counting is popcounts over at most 16 words per span; individual objects
 * are visited only for the free probe.
 */
#include "internal.h"

uint64_t sweep_freed_objects, sweep_freed_bytes;

static void report_frees(mspan *s, void (*probe)(void *, size_t))
{
	for (uint32_t w = 0; w < (s->nelems + 63) / 64; w++) {
		uint64_t alloc = s->alloc_bits[w];
		uint32_t first = w * 64;
		if (s->freeindex >= first + 64)
			alloc = ~(uint64_t)0;
		else if (s->freeindex > first)
			alloc |= ((uint64_t)1 << (s->freeindex - first)) - 1;
		uint64_t freed = alloc & ~s->gcmark_bits[w];
		while (freed != 0) {
			uint32_t idx = first + (uint32_t)__builtin_ctzll(freed);
			freed &= freed - 1;
			if (idx < s->nelems)
				probe((void *)(s->base + idx * s->elemsize), s->elemsize);
		}
	}
}

static void sweep_large(mspan *s, void (*probe)(void *, size_t))
{
	if (s->gcmark_bits[0] & 1) {
		s->gcmark_bits[0] = 0;
		gc_marked_bytes += s->elemsize;
		gc_marked_objects++;
		return;
	}
	if (probe != NULL)
		probe((void *)s->base, s->elemsize);
	memstats.large_free++;
	memstats.large_free_bytes += s->elemsize;
	sweep_freed_objects++;
	sweep_freed_bytes += s->elemsize;
	mheap_free(s);
}

static void sweep_span(mspan *s, void *arg)
{
	void (*probe)(void *, size_t) = (void (*)(void *, size_t))arg;

	if (s->spanclass == 0) {
		sweep_large(s, probe);
		return;
	}
	uint32_t words = (s->nelems + 63) / 64, nmarked = 0;
	for (uint32_t w = 0; w < words; w++)
		nmarked += (uint32_t)__builtin_popcountll(s->gcmark_bits[w]);
	uint32_t nfreed = s->alloc_count - nmarked;
	if (nfreed != 0 && probe != NULL)
		report_frees(s, probe);
	memstats.nfree[s->spanclass] += nfreed;
	sweep_freed_objects += nfreed;
	sweep_freed_bytes += (uint64_t)nfreed * s->elemsize;
	gc_marked_objects += nmarked;
	gc_marked_bytes += (uint64_t)nmarked * s->elemsize;
	if (nmarked == 0) {
		mheap_free(s);
		return;
	}
	uint64_t *bits = s->alloc_bits;
	s->alloc_bits = s->gcmark_bits;
	s->gcmark_bits = bits;
	for (uint32_t w = 0; w < words; w++)
		bits[w] = 0;
	s->alloc_count = nmarked;
	if (nfreed != 0)
		s->needzero = true;
	if (nmarked == s->nelems) {
		/* Full: say so with freeindex, which also spares the next
		 * cycle's marking a look at the allocation bits. */
		s->freeindex = s->nelems;
		s->alloc_cache = 0;
		s->cache_end = s->nelems;
		return;
	}
	s->freeindex = 0;
	span_refill_alloc_cache(s);
	mcentral_put_swept(s);
}

void gc_sweep(void)
{
	void (*probe)(void *, size_t) = gort_probe_table.free;

	sweep_freed_objects = sweep_freed_bytes = 0;
	gc_marked_bytes = gc_marked_objects = 0;
	mcentral_reset();
	mheap_foreach_inuse(sweep_span, (void *)probe);
}
