/*
 * bench_sched.c — the scheduler's costs, in go test's format: goroutine
 * create + run + exit, a gosched switch, an unbuffered channel round trip,
 * stack growth (onto the kept spare, and from the pool), a call at a
 * segment boundary in a tight loop beside the same call with room to spare,
 * and the memory of a million parked goroutines.
 *
 * Every benchmark runs inside the main goroutine (the suite's runner is
 * gort_main).  bench/go-sched/sched_test.go has the Go counterparts, same
 * names, same shapes; bench/sched-compare.sh runs both and prints ratios,
 * bench/sched-instructions.sh counts the instructions of each op.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gort.h"
#include "harness.h"

/* ---- goroutines -------------------------------------------------------------- */

static void done_and_exit(void *arg)
{
	gort_wg_done(arg);
}

/* go func() { wg.Done() }(), in batches of 1000 so that a long run does not
 * hold millions of goroutines at once (the Go side does the same). */
static void bench_go_create(bench_b *b)
{
	gort_waitgroup wg = {0};

	for (uint64_t i = 0; i < b->n; i++) {
		gort_wg_add(&wg, 1);
		gort_go(done_and_exit, &wg);
		if (i % 1000 == 999)
			gort_wg_wait(&wg);
	}
	gort_wg_wait(&wg);
}

static volatile bool partner_stop;

static void yielder(void *arg)
{
	while (!partner_stop)
		gort_gosched();
	gort_wg_done(arg);
}

/* One op: main yields to the partner, which yields back (two switches). */
static void bench_gosched(bench_b *b)
{
	gort_waitgroup wg = {0};

	partner_stop = false;
	gort_wg_add(&wg, 1);
	gort_go(yielder, &wg);
	gort_gosched();
	bench_reset_timer(b);
	for (uint64_t i = 0; i < b->n; i++)
		gort_gosched();
	bench_stop_timer(b);
	partner_stop = true;
	gort_wg_wait(&wg);
	bench_report_metric(b, (double)b->duration_ns / (double)b->n / 2, "ns/switch");
}

struct pingpong {
	gort_chan *ping, *pong;
	gort_waitgroup wg;
};

static void echo(void *arg)
{
	struct pingpong *p = arg;
	int v;

	while (gort_chanrecv(p->ping, &v))
		gort_chansend(p->pong, &v);
	gort_wg_done(&p->wg);
}

/* One op: send on an unbuffered channel, receive the echo. */
static void bench_chan_round_trip(bench_b *b)
{
	struct pingpong p = {gort_makechan(sizeof(int), 0), gort_makechan(sizeof(int), 0), {0}};
	int v = 0;

	gort_wg_add(&p.wg, 1);
	gort_go(echo, &p);
	bench_reset_timer(b);
	for (uint64_t i = 0; i < b->n; i++) {
		gort_chansend(p.ping, &v);
		gort_chanrecv(p.pong, &v);
	}
	bench_stop_timer(b);
	gort_closechan(p.ping);
	gort_wg_wait(&p.wg);
}

/* ---- stacks ----------------------------------------------------------------------- */

/* The callees of the boundary benchmarks, both with a 1 KB frame: "touch"
 * writes two words of it, "fill" writes all of it and sums it (a function
 * that uses the frame it asked for). */
static uint64_t __attribute__((noinline)) callee_touch(uint64_t x)
{
	volatile uint64_t buf[128];

	buf[0] = x;
	buf[127] = x * 3;
	__asm__ volatile("" : : "r"(buf) : "memory"); /* the whole array stays */
	return buf[0] + buf[127];
}

static uint64_t __attribute__((noinline)) callee_fill(uint64_t x)
{
	volatile uint64_t buf[128];
	uint64_t s = 0;

	for (int i = 0; i < 128; i++)
		buf[i] = x + (uint64_t)i;
	for (int i = 0; i < 128; i++)
		s += buf[i];
	return s;
}

/* Two boundaries per call: a 3000-byte frame fills the 4 KB spare, so its
 * callee crosses again, onto a segment from the pool that goes back to the
 * pool when two_segments returns (only one spare is kept).  Minus the
 * one-boundary figure, that is one grow from the pool and one release to
 * it, both through morestack_grow/morestack_release on the system stack. */
static uint64_t __attribute__((noinline)) two_segments(uint64_t x)
{
	volatile uint64_t buf[375];

	buf[0] = x;
	__asm__ volatile("" : : "r"(buf) : "memory"); /* the whole array stays */
	return callee_touch(buf[0]) + buf[0];
}

/* callee_touch with a __morestack that only moves the stack pointer
 * (call_floor_amd64.S): at a boundary, the floor under any crossing. */
uint64_t floor_touch(uint64_t x);

/* Room left above the guard on the current segment. */
static uintptr_t stack_room(void)
{
	uintptr_t guard;

	__asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard));
	return (uintptr_t)__builtin_frame_address(0) - guard;
}

struct call_bench {
	uint64_t (*fn)(uint64_t);
	uint64_t n;
	bool boundary;
	uint64_t sum;
	gort_waitgroup wg;
};

static uint64_t call_loop(struct call_bench *cb)
{
	uint64_t s = 0;

	for (uint64_t i = 0; i < cb->n; i++)
		s += cb->fn(i);
	return s;
}

/* Recurse with small frames until less than 600 bytes are left on the
 * segment, then loop there: every 1 KB call crosses into the next segment
 * (the kept spare, after the first call). */
static uint64_t __attribute__((noinline)) at_boundary(struct call_bench *cb)
{
	volatile char pad[64];

	pad[0] = 0;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (stack_room() > 600)
		return at_boundary(cb) + (uint64_t)pad[0];
	return call_loop(cb);
}

/* The same loop with room to spare: on a fresh 64 KB segment. */
static uint64_t __attribute__((noinline)) with_room(struct call_bench *cb)
{
	volatile char big[40000];

	big[0] = 0;
	__asm__ volatile("" : : "r"(big) : "memory");
	return call_loop(cb) + (uint64_t)big[0];
}

/* On a fresh goroutine, whose first segment is 2 KB: the same segment
 * sizes in every run. */
static void call_goroutine(void *arg)
{
	struct call_bench *cb = arg;

	cb->sum = cb->boundary ? at_boundary(cb) : with_room(cb);
	gort_wg_done(&cb->wg);
}

static uint64_t sink;

static void run_calls(bench_b *b, uint64_t (*fn)(uint64_t), bool boundary)
{
	struct call_bench cb = {fn, b->n, boundary, 0, {0}};

	gort_wg_add(&cb.wg, 1);
	gort_go(call_goroutine, &cb);
	gort_wg_wait(&cb.wg);
	sink += cb.sum;
}

static void bench_call_touch(bench_b *b)
{
	run_calls(b, callee_touch, false);
}

static void bench_call_touch_boundary(bench_b *b)
{
	run_calls(b, callee_touch, true);
}

static void bench_call_fill(bench_b *b)
{
	run_calls(b, callee_fill, false);
}

static void bench_call_fill_boundary(bench_b *b)
{
	run_calls(b, callee_fill, true);
}

static void bench_two_boundaries(bench_b *b)
{
	run_calls(b, two_segments, true);
}

static void bench_call_touch_floor(bench_b *b)
{
	run_calls(b, floor_touch, true);
}

/* ---- a million parked goroutines ---------------------------------------------------- */

static long parked_count = 1000000;

static long rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * sysconf(_SC_PAGESIZE);
}

static void parked(void *arg)
{
	gort_chanrecv(arg, NULL);
}

/* One op: park parked_count goroutines on a channel, then close it and let
 * them all end.  Reports the resident memory they held, per goroutine. */
static void bench_parked(bench_b *b)
{
	double per_g = 0;

	for (uint64_t i = 0; i < b->n; i++) {
		gort_chan *c = gort_makechan(0, 0);
		long before = rss_bytes();
		for (long k = 0; k < parked_count; k++)
			gort_go(parked, c);
		while (gort_numgoroutine() < parked_count + 1)
			gort_gosched();
		gort_gosched(); /* all of them parked */
		per_g = (double)(rss_bytes() - before) / (double)parked_count;
		gort_closechan(c);
		while (gort_numgoroutine() > 1)
			gort_gosched();
	}
	bench_report_metric(b, per_g, "RSS-B/goroutine");
}

static const bench_def benchmarks[] = {
        {"GoCreate", bench_go_create, NULL, NULL, 0},
        {"Gosched", bench_gosched, NULL, NULL, 0},
        {"ChanRoundTrip", bench_chan_round_trip, NULL, NULL, 0},
        {"Call/touch", bench_call_touch, NULL, NULL, 0},
        {"Call/touch-boundary", bench_call_touch_boundary, NULL, NULL, 0},
        {"Call/touch-2boundaries", bench_two_boundaries, NULL, NULL, 0},
        {"Call/touch-floor", bench_call_touch_floor, NULL, NULL, 0},
        {"Call/fill", bench_call_fill, NULL, NULL, 0},
        {"Call/fill-boundary", bench_call_fill_boundary, NULL, NULL, 0},
        {"Parked1M", bench_parked, NULL, NULL, 0},
};

static const bench_flag flags[] = {
        {"parked", "goroutines parked by Parked1M (default 1000000)", &parked_count},
};

int main(int argc, char **argv)
{
	bench_suite suite = bench_gort_suite; /* gort's meter, run in the main goroutine */

	suite.pkg = "escapade/bench/sched";
	suite.benchmarks = benchmarks;
	suite.count = sizeof benchmarks / sizeof benchmarks[0];
	suite.flags = flags;
	suite.nflags = sizeof flags / sizeof flags[0];
	return bench_main(&suite, argc, argv);
}
