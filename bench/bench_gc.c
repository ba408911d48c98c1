/*
 * bench_gc.c — one full collection of a large live heap (issue 2).
 *
 * The heap: -live-mb megabytes (default 100) of small linked objects, 32-byte
 * nodes (a next pointer and three words of payload) in 1024 chains whose heads
 * sit in a gort array reachable from a global.  Everything stays live, so a
 * collection marks all of it and frees nothing: ns/op is the cost of
 * gort_gc() (mark + sweep, stop-the-world) over that heap, to hold against
 * Go's runtime.GC() on the same heap (bench/go) and against issue 2's
 * 150 ms target.  The heap is built once, with the timer stopped; live-B is
 * MemStats.heap_alloc after the last collection, so the heap really was that
 * big and really survived.
 */
#include "harness.h"

#include <gort.h>
#include <stdint.h>

typedef struct gcnode {
	struct gcnode *next;
	uint64_t payload[3];
} gcnode;

#define CHAINS 1024

static long live_mb = 100;
static gcnode **volatile heads; /* the root: a gort array of CHAINS heads */

static void build_heap(size_t bytes)
{
	heads = gort_newarray(sizeof(gcnode *), CHAINS);
	size_t nodes = bytes / sizeof(gcnode);
	for (size_t i = 0; i < nodes; i++) {
		gcnode *n = gort_newobject(sizeof(gcnode));
		n->payload[0] = i;
		n->next = heads[i % CHAINS];
		heads[i % CHAINS] = n;
	}
}

static size_t count_nodes(void)
{
	size_t count = 0;
	for (int c = 0; c < CHAINS; c++)
		for (const gcnode *n = heads[c]; n != NULL; n = n->next)
			count++;
	return count;
}

static void bench_gc(bench_b *b)
{
	if (live_mb < 1) {
		bench_errorf(b, "-live-mb must be at least 1, not %ld", live_mb);
		return;
	}
	size_t want = (size_t)live_mb * 1000000 / sizeof(gcnode);
	bench_stop_timer(b);
	if (heads == NULL)
		build_heap((size_t)live_mb * 1000000);
	bench_start_timer(b);
	for (uint64_t i = 0; i < b->n; i++)
		gort_gc();
	bench_stop_timer(b);
	size_t got = count_nodes();
	if (got != want) {
		bench_errorf(b, "%zu nodes survived, want %zu", got, want);
		return;
	}
	gort_memstats ms;
	gort_read_memstats(&ms);
	bench_report_metric(b, (double)ms.heap_alloc, "live-B");
}

int main(int argc, char **argv)
{
	static const bench_flag flag = {"live-mb", "megabytes (10^6 B) of live objects to collect",
	                                &live_mb};
	return bench_main_one(&bench_gort_suite, "GC/live=%ldMB", bench_gc, &flag, argc, argv);
}
