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
 *      unmarked objects are free, empty spans go back to the page heap;
 *   4. scavenge (mheap.c): free pages beyond what the heap should keep go
 *      back to the OS.
 *
 * The pacer is Go's GOGC rule: after a cycle that found `live` bytes, the
 * next cycle starts when heap_live reaches live * (1 + GOGC/100), but not
 * before 4 MB * GOGC/100 (Go's heapminimum).  heap_live is checked on
 * allocation slow paths only (span refill, large objects).
 *
 * How much the heap keeps follows Go's background scavenger
 * (mgcscavenge.go): retained memory (heap_sys minus heap_released) may be
 * 10% over what the heap is expected to need at its next goal.  Go
 * estimates that as the pages in use at the last cycle scaled by new goal /
 * old goal; gort scales the pages in use at the start of this cycle by new
 * goal / allocated bytes at that start (pages per allocated byte, times the
 * goal), which is the same when the cycle started at its goal and does not
 * shed pages the next cycle will take back when it started early (a forced
 * collection).  A heap that holds steady keeps what it uses; one whose live
 * data shrank gives back in proportion.  Go spreads the work over a
 * background goroutine; gort's world is stopped anyway and the work is one
 * madvise per free run, so it is done here, in the pause, and only when
 * retained memory is over that mark (one comparison otherwise).  With
 * GOGC=off nothing is released (Go would then scavenge only for a memory
 * limit, which gort lacks).
 * A cycle that released pages gives back the mark stack's too, beyond its
 * first megabyte (one huge cycle should not pin it for good).
 * gort_free_os_memory (Go's debug.FreeOSMemory) collects, then releases
 * every free page.  GODEBUG=scavtrace=1 prints, after each cycle that
 * released something, Go's line: "scav N KiB work, N KiB total, N% util"
 * (released now, released in all, in-use share of the retained heap).
 *
 * gc_start is the one entry into a collection: gort_gc() calls it forced,
 * the allocator unforced.  The scheduler wraps it (stop the world, switch
 * to the system stack); sched_scan_roots is its hook to add goroutine
 * stacks, with a weak do-nothing default here.
 *
 * gort_reachable (for tools) is the mark phase alone: the same roots and
 * marking, then the marks of the objects asked about are read and every
 * mark bit is cleared again; nothing is swept, heap_live and the pacer do
 * not move.
 *
 * GODEBUG=gctrace=1 prints one line per cycle on stderr:
 *   gc 3 @0.120s: 1.234 ms pause (mark 1.100 ms, sweep 0.120 ms): 8->5->4 MB, 9 MB goal, 1 P
 * with the heap (allocated bytes) at the start, the heap in use (spans)
 * after the sweep, and the live (marked) bytes.  The pause includes the
 * scavenger's work (mark + sweep + scavenge).
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
bool scav_trace;
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
	scav_trace = godebug_flag(getenv("GODEBUG"), "scavtrace");
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

/* The bytes the heap may keep committed after a cycle that started with
 * heap0 bytes allocated in inuse0 bytes of spans, now that the goal is
 * new_goal (see the top of the file). */
static uint64_t retain_goal(uint64_t inuse0, uint64_t heap0, uint64_t new_goal)
{
	if (new_goal == UINT64_MAX)
		return UINT64_MAX;
	double per_byte = heap0 != 0 && inuse0 > heap0 ? (double)inuse0 / (double)heap0 : 1.0;
	double r = 1.1 * (double)new_goal * per_byte;
	return r >= 1.8e19 ? UINT64_MAX : (uint64_t)r;
}

static void trace_scavenge(uint64_t released, bool forced)
{
	char buf[160];
	uint64_t total = mheap_pages_released * PAGE_SIZE;
	uint64_t retained = mheap_pages_sys * PAGE_SIZE - total;
	uint64_t inuse = mheap_pages_inuse * PAGE_SIZE;
	int n = snprintf(buf, sizeof buf, "scav %llu KiB work, %llu KiB total, %llu%% util%s\n",
	                 (unsigned long long)(released >> 10), (unsigned long long)(total >> 10),
	                 (unsigned long long)(retained ? inuse * 100 / retained : 100),
	                 forced ? " (forced)" : "");
	if (n > 0 && write(2, buf, (size_t)n) < 0)
		return;
}

/* After the sweep: give back what the heap should not keep (all free
 * pages when release_all).  Returns the bytes released. */
static uint64_t scavenge(uint64_t inuse0, uint64_t heap0, bool release_all)
{
	uint64_t retain = release_all ? 0 : retain_goal(inuse0, heap0, next_gc);
	uint64_t retained = (mheap_pages_sys - mheap_pages_released) * PAGE_SIZE;

	if (retained <= retain)
		return 0;
	uint64_t released = mheap_scavenge(retain);
	if (scav_trace && released != 0)
		trace_scavenge(released, release_all);
	return released;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void gc_run(bool forced, bool release_all)
{
	uint64_t t0 = nanotime();
	gort_gc_stats st = {.cycle = memstats.num_gc + 1, .forced = forced};

	mcache_release_all();
	uint64_t heap0 = heap_live, inuse0 = mheap_pages_inuse * PAGE_SIZE;
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
	if (scavenge(inuse0, heap0, release_all) != 0 || release_all)
		gc_mark_release();
	uint64_t t3 = nanotime();
	st.heap_live = gc_marked_bytes;
	st.heap_goal = next_gc;
	st.objects_live = gc_marked_objects;
	st.freed_objects = sweep_freed_objects;
	st.freed_bytes = sweep_freed_bytes;
	st.mark_ns = t1 - t0;
	st.pause_ns = t3 - t0;
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

struct gc_request {
	bool forced, release_all;
};

static void gc_start_sys(void *arg)
{
	const struct gc_request *r = arg;

	malloc_init();
	spin_lock(&gc_lock);
	if (!gc_running) {
		gc_running = true;
		gc_run(r->forced, r->release_all);
		gc_running = false;
	}
	spin_unlock(&gc_lock);
}

/* The collector runs on the system stack (Go's systemstack): it may be
 * entered from a goroutine on a 2 KB segment.  The goroutine's stack and
 * registers are roots through sched_scan_roots and the thread-stack scan. */
void gc_start(bool forced)
{
	struct gc_request r = {forced, false};

	systemstack(gc_start_sys, &r);
}

/* ---- gort_reachable --------------------------------------------------------- */

uintptr_t gc_curg_sp;

struct reach_query {
	const void *sp;
	void *const *ptrs;
	int n;
	bool *reachable;
	int ret;
};

static bool marked(uintptr_t p)
{
	mspan *s = span_of(p);
	if (s == NULL)
		return false;
	uint32_t idx = span_object_index(s, p);
	return idx < s->nelems && (s->gcmark_bits[idx / 64] >> (idx % 64)) & 1;
}

static void clear_marks(mspan *s, void *arg)
{
	(void)arg;
	for (uint32_t w = 0; w < (s->nelems + 63) / 64; w++)
		s->gcmark_bits[w] = 0;
}

static void reachable_sys(void *arg)
{
	struct reach_query *q = arg;

	malloc_init();
	spin_lock(&gc_lock);
	if (gc_running) {
		spin_unlock(&gc_lock);
		return;
	}
	gc_running = true;
	mcache_release_all(); /* freeindex final: span_allocated is exact */
	gc_curg_sp = (uintptr_t)q->sp;
	gc_mark();
	gc_curg_sp = 0;
	for (int i = 0; i < q->n; i++)
		q->reachable[i] = marked((uintptr_t)q->ptrs[i]);
	mheap_foreach_inuse(clear_marks, NULL);
	gc_running = false;
	spin_unlock(&gc_lock);
	q->ret = 0;
}

int gort_reachable(const void *sp, void *const *ptrs, int n, bool *reachable)
{
	struct reach_query q = {sp, ptrs, n, reachable, -1};

	if (n < 0)
		return -1;
	systemstack(reachable_sys, &q);
	return q.ret;
}

void gort_gc(void)
{
	gc_start(true);
}

void gort_free_os_memory(void)
{
	struct gc_request r = {true, true};

	systemstack(gc_start_sys, &r);
}
