/*
 * mgc.c — the garbage collector's driver and pacer (Go's mgc.go).
 *
 * gort's collector is non-moving, conservative mark-sweep, stop-the-world:
 *
 *   1. every cached span goes back to its mcentral (mcache_release_all), so
 *      each span's freeindex is final and the fast path holds no span;
 *   2. mark (mgcmark.c): every word of the roots that points into an
 *      allocated object marks it, then marked objects are scanned word by
 *      word, with an explicit mark stack;
 *   3. sweep (mgcsweep.c): each span's mark bits become its allocation bits,
 *      unmarked objects are free, empty spans go back to the page heap.
 *
 * The pacer is Go's GOGC rule: after a cycle that found `live` bytes, the
 * next cycle starts when heap_live reaches live * (1 + GOGC/100), but not
 * before 4 MB * GOGC/100 (Go's heapminimum).  heap_live is checked on
 * allocation slow paths only (span refill, large objects).
 *
 * gc_start is the one entry into a collection: gort_gc() calls it forced,
 * the allocator unforced.  The scheduler wraps it (stop the world, switch
 * to the system stack); sched_scan_roots is its hook to add goroutine
 * stacks, with a weak do-nothing default here.
 *
 * GODEBUG=gctrace=1 prints one line per cycle on stderr:
 *   gc 3 @0.120s: 1.234 ms pause (mark 1.100 ms, sweep 0.120 ms): 8->5->4 MB, 9 MB goal, 1 P
 * with the heap (allocated bytes) at the start, the heap in use (spans)
 * after the sweep, and the live (marked) bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define HEAP_MINIMUM ((uint64_t)4 << 20)

uint64_t heap_live;
uint64_t next_gc;
int gc_percent = 100;
bool gc_trace;
bool gc_running;
heap_stats memstats;

static spinlock gc_lock;
static uint64_t start_ns; /* for the @time of gctrace */

__attribute__((weak)) void sched_scan_roots(void (*scan)(const void *lo, const void *hi))
{
	(void)scan;
}

static void set_goal(uint64_t live)
{
	if (gc_percent < 0) {
		next_gc = UINT64_MAX;
		return;
	}
	uint64_t goal = live + live / 100 * (uint64_t)gc_percent;
	uint64_t min = HEAP_MINIMUM * (uint64_t)gc_percent / 100;
	next_gc = goal > min ? goal : min;
}

void gc_init(void)
{
	gc_percent = gogc_parse(getenv("GOGC"));
	gc_trace = godebug_flag(getenv("GODEBUG"), "gctrace");
	start_ns = nanotime();
	set_goal(0);
}

void gc_maybe_trigger(void)
{
	if (heap_live >= next_gc && !gc_running)
		gc_start(false);
}

static void trace_cycle(const gort_gc_stats *st, uint64_t heap0, uint64_t sweep_ns)
{
	char buf[256];
	uint64_t now = nanotime();
	int n = snprintf(buf, sizeof buf,
	                 "gc %llu @%.3fs: %.3f ms pause (mark %.3f ms, sweep %.3f ms): "
	                 "%llu->%llu->%llu MB, %llu MB goal, 1 P%s\n",
	                 (unsigned long long)st->cycle, (double)(now - start_ns) / 1e9,
	                 (double)st->pause_ns / 1e6, (double)st->mark_ns / 1e6,
	                 (double)sweep_ns / 1e6, (unsigned long long)(heap0 >> 20),
	                 (unsigned long long)((mheap_pages_inuse * PAGE_SIZE) >> 20),
	                 (unsigned long long)(gc_marked_bytes >> 20),
	                 (unsigned long long)(next_gc >> 20), st->forced ? " (forced)" : "");
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		return;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void gc_run(bool forced)
{
	uint64_t t0 = nanotime();
	gort_gc_stats st = {.cycle = memstats.num_gc + 1, .forced = forced};

	mcache_release_all();
	uint64_t heap0 = heap_live;
	st.heap_live = heap0;
	st.heap_goal = next_gc;
	void (*start_probe)(const gort_gc_stats *) = gort_probe_table.gc_start;
	if (unlikely(start_probe != NULL))
		start_probe(&st);

	gc_mark();
	uint64_t t1 = nanotime();
	gc_sweep();
	uint64_t t2 = nanotime();

	heap_live = gc_marked_bytes;
	set_goal(gc_marked_bytes);
	st.heap_live = gc_marked_bytes;
	st.heap_goal = next_gc;
	st.objects_live = gc_marked_objects;
	st.freed_objects = sweep_freed_objects;
	st.freed_bytes = sweep_freed_bytes;
	st.mark_ns = t1 - t0;
	st.pause_ns = t2 - t0;
	memstats.pause_ns[memstats.num_gc % 256] = st.pause_ns;
	memstats.pause_total_ns += st.pause_ns;
	memstats.num_gc++;
	memstats.num_forced_gc += forced;
	memstats.last_gc = wall_ns();
	if (gc_trace)
		trace_cycle(&st, heap0, t2 - t1);
	void (*end_probe)(const gort_gc_stats *) = gort_probe_table.gc_end;
	if (unlikely(end_probe != NULL))
		end_probe(&st);
}

static void gc_start_sys(void *arg)
{
	bool forced = *(bool *)arg;

	malloc_init();
	spin_lock(&gc_lock);
	if (!gc_running) {
		gc_running = true;
		gc_run(forced);
		gc_running = false;
	}
	spin_unlock(&gc_lock);
}

/* The collector runs on the system stack (Go's systemstack): it may be
 * entered from a goroutine on a 2 KB segment.  The goroutine's stack and
 * registers are roots through sched_scan_roots and the thread-stack scan. */
void gc_start(bool forced)
{
	systemstack(gc_start_sys, &forced);
}

void gort_gc(void)
{
	gc_start(true);
}
