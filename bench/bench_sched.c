/*
 * bench_sched.c — the scheduler's costs, in go test's format: goroutine
 * create + run + exit, a gosched switch, an unbuffered channel round trip,
 * stack growth (onto the kept spare, and from the pool), a call at a
 * segment boundary in a tight loop beside the same call with room to spare,
 * and the memory of a million parked goroutines.
 *
 * Every benchmark runs inside the main goroutine (the suite's runner is
 * gort_main).  bench/go-sched/sched_test.go has the Go counterparts, same
 * names, same shapes; bench/sched-compare.sh runs both and prints ratios.
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

/* The callee of the boundary benchmarks: a 1 KB frame, some work in it. */
static uint64_t __attribute__((noinline)) callee(uint64_t x)
{
	volatile uint64_t buf[128];

	buf[0] = x;
	buf[127] = x * 3;
	return buf[0] + buf[127];
}

/* Room left above the guard on the current segment. */
static uintptr_t stack_room(void)
{
	uintptr_t guard;

	__asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard));
	return (uintptr_t)__builtin_frame_address(0) - guard;
}

static uint64_t call_loop(uint64_t n)
{
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++)
		s += callee(i);
	return s;
}

/* Recurse with small frames until less than `room` bytes are left on the
 * segment, then run the loop there.  room 600: every callee() call crosses
 * into the next segment (the spare after the first).  "chain" calls go one
 * segment further through an intermediate frame. */
static uint64_t __attribute__((noinline)) at_boundary(uintptr_t room, uint64_t n,
                                                      uint64_t (*loop)(uint64_t))
{
	volatile char pad[64];

	pad[0] = 0;
	if (stack_room() > room)
		return at_boundary(room, n, loop) + (uint64_t)pad[0];
	return loop(n);
}

static uint64_t sink;

/* The same loop with room to spare: on a fresh 64 KB segment. */
static uint64_t __attribute__((noinline)) with_room(uint64_t n)
{
	volatile char big[40000];

	big[0] = 0;
	return call_loop(n) + (uint64_t)big[0];
}

static void bench_call_no_boundary(bench_b *b)
{
	sink += with_room(b->n);
}

static void bench_call_boundary(bench_b *b)
{
	sink += at_boundary(600, b->n, call_loop);
}

/* Two boundaries per call: the spare takes the first, the second segment
 * comes from the pool and goes back to it on return (only one spare is
 * kept).  Minus the one-boundary figure, that is one pool grow and one pool
 * release. */
static uint64_t __attribute__((noinline)) two_segments(uint64_t x)
{
	volatile uint64_t buf[160]; /* 1.3 KB: fills a 2 KB spare's room */

	buf[0] = x;
	return callee(buf[0]) + buf[0];
}

static uint64_t chain_loop(uint64_t n)
{
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++)
		s += two_segments(i);
	return s;
}

static void bench_grow_pool(bench_b *b)
{
	sink += at_boundary(600, b->n, chain_loop);
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
	{"CallNoBoundary", bench_call_no_boundary, NULL, NULL, 0},
	{"CallBoundary", bench_call_boundary, NULL, NULL, 0},
	{"CallTwoBoundaries", bench_grow_pool, NULL, NULL, 0},
	{"Parked1M", bench_parked, NULL, NULL, 0},
};

static const bench_flag flags[] = {
	{"parked", "goroutines parked by Parked1M (default 1000000)", &parked_count},
};

int main(int argc, char **argv)
{
	bench_suite suite = {
		.pkg = "escapade/bench/sched",
		.benchmarks = benchmarks,
		.count = sizeof benchmarks / sizeof benchmarks[0],
		.meter = &bench_gort_meter,
		.flags = flags,
		.nflags = sizeof flags / sizeof flags[0],
		.runner = gort_main,
	};
	return bench_main(&suite, argc, argv);
}
