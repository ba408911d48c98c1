/*
 * mstats.c — gort_read_memstats (Go's mstats.go: ReadMemStats).
 *
 * Counters live where they change: small mallocs are folded in per span when
 * the span leaves the mcache (plus what the cached spans hold now, read
 * here), frees are counted by the sweeper, large objects as they come and
 * go, pages by the page heap, stacks by the scheduler (sched_stack_stats,
 * weak here).  This file adds them up into Go's MemStats
 * fields, so that mallocs - frees == heap_objects and heap_alloc is the
 * bytes of those objects (object sizes are their class sizes, as in Go).
 */
#include "internal.h"

__attribute__((weak)) void sched_stack_stats(uint64_t *inuse, uint64_t *sys)
{
	*inuse = *sys = 0;
}

void gort_read_memstats(gort_memstats *m)
{
	uint64_t mallocs = memstats.large_alloc, frees = memstats.large_free;
	uint64_t alloc_bytes = memstats.large_alloc_bytes, free_bytes = memstats.large_free_bytes;

	malloc_init();
	for (unsigned c = 1; c < NUM_SIZE_CLASSES; c++) {
		uint64_t n = memstats.nmalloc[c] + mcache_unflushed_mallocs(c);
		mallocs += n;
		alloc_bytes += n * class_to_size[c];
		frees += memstats.nfree[c];
		free_bytes += memstats.nfree[c] * class_to_size[c];
	}
	*m = (gort_memstats){0};
	m->mallocs = mallocs;
	m->frees = frees;
	m->total_alloc = alloc_bytes;
	m->alloc = m->heap_alloc = alloc_bytes - free_bytes;
	m->heap_objects = mallocs - frees;
	m->heap_sys = mheap_pages_sys * PAGE_SIZE;
	m->heap_inuse = mheap_pages_inuse * PAGE_SIZE;
	m->heap_idle = m->heap_sys - m->heap_inuse;
	m->heap_released = mheap_pages_released * PAGE_SIZE; /* part of heap_idle */
	sched_stack_stats(&m->stack_inuse, &m->stack_sys);
	m->sys = m->heap_sys + m->stack_sys;
	m->next_gc = next_gc;
	m->last_gc = memstats.last_gc;
	m->num_gc = memstats.num_gc;
	m->num_forced_gc = memstats.num_forced_gc;
	m->pause_total_ns = memstats.pause_total_ns;
}
