/*
 * test_proc.c — the scheduler: goroutines, gosched, sleep, the classic Go
 * programs (prime sieve, ping-pong, many goroutines with deep stacks), and
 * how programs die (deadlock, panic tracebacks, the 1 GB stack limit), the
 * leak check, and the collector's view of goroutine stacks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "child.h"
#include "gort.h"

/* ---- basics ---------------------------------------------------------------- */

static char order_log[64];
static int order_len;

static void logger(void *arg)
{
	char c = (char)(intptr_t)arg;

	for (int i = 0; i < 3; i++) {
		order_log[order_len++] = c;
		gort_gosched();
	}
}

static void basics_main(void *arg)
{
	int *counts = arg;

	counts[0] = gort_numgoroutine();
	gort_go(logger, (void *)(intptr_t)'a');
	gort_go(logger, (void *)(intptr_t)'b');
	counts[1] = gort_numgoroutine();
	while (gort_numgoroutine() > 1)
		gort_gosched();
	counts[2] = gort_numgoroutine();
}

static void test_gosched_round_robin(void **state)
{
	int counts[3];

	(void)state;
	order_len = 0;
	assert_int_equal(gort_main(basics_main, counts), 0);
	order_log[order_len] = 0;
	assert_int_equal(counts[0], 1);
	assert_int_equal(counts[1], 3);
	assert_int_equal(counts[2], 1);
	assert_string_equal(order_log, "ababab");
}

/* gort_main returns when main returns, whatever the others do; it can run
 * again afterwards. */
static void blocked_forever(void *arg)
{
	gort_chanrecv(arg, NULL);
}

static void abandon_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);

	for (int i = 0; i < 10; i++)
		gort_go(blocked_forever, c);
	gort_gosched();
	*(int *)arg = gort_numgoroutine();
}

static void test_main_returns_with_blocked_goroutines(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(gort_main(abandon_main, &n), 0);
	assert_int_equal(n, 11);
	n = 0;
	assert_int_equal(gort_main(abandon_main, &n), 0);
	assert_int_equal(n, 11);
}

/* ---- sleep ------------------------------------------------------------------- */

static int wake_order[4], nwoken;

static void sleeper(void *arg)
{
	int ms = (int)(intptr_t)arg;

	gort_sleep((int64_t)ms * 1000000);
	wake_order[nwoken++] = ms;
}

static void sleep_main(void *arg)
{
	int64_t t0 = gort_nanotime();
	nwoken = 0;
	/* 100 ms apart: a loaded machine may stall us for a few ms. */
	gort_go(sleeper, (void *)230);
	gort_go(sleeper, (void *)30);
	gort_go(sleeper, (void *)130);
	while (nwoken < 3)
		gort_sleep(1000000);
	*(int64_t *)arg = gort_nanotime() - t0;
}

static void test_sleep_wakes_in_deadline_order(void **state)
{
	int64_t elapsed = 0;

	(void)state;
	gort_main(sleep_main, &elapsed);
	assert_int_equal(wake_order[0], 30);
	assert_int_equal(wake_order[1], 130);
	assert_int_equal(wake_order[2], 230);
	assert_true(elapsed >= 230 * 1000000);
	assert_true(elapsed < 2000 * 1000000LL);
}

/* ---- the daisy-chain prime sieve ------------------------------------------------ */

static void generate(void *arg)
{
	gort_chan *ch = arg;

	for (int i = 2;; i++)
		gort_chansend(ch, &i);
}

struct filter_args {
	gort_chan *in, *out;
	int prime;
};

static void filter(void *arg)
{
	struct filter_args *a = arg;
	int v;

	for (;;) {
		gort_chanrecv(a->in, &v);
		if (v % a->prime != 0)
			gort_chansend(a->out, &v);
	}
}

static void sieve_main(void *arg)
{
	int *primes = arg;
	gort_chan *ch = gort_makechan(sizeof(int), 0);

	gort_go(generate, ch);
	for (int i = 0; i < 1000; i++) {
		int prime;
		gort_chanrecv(ch, &prime);
		primes[i] = prime;
		struct filter_args *fa = gort_newobject(sizeof *fa);
		fa->in = ch;
		fa->out = gort_makechan(sizeof(int), 0);
		fa->prime = prime;
		gort_go(filter, fa);
		ch = fa->out;
	}
}

static void test_prime_sieve(void **state)
{
	static int primes[1000];
	int n = 0;

	(void)state;
	gort_main(sieve_main, primes);
	for (int c = 2; n < 1000; c++) {
		bool prime = true;
		for (int d = 2; d * d <= c; d++)
			if (c % d == 0)
				prime = false;
		if (prime) {
			assert_int_equal(primes[n], c);
			n++;
		}
	}
	assert_int_equal(primes[999], 7919);
}

/* ---- ping-pong --------------------------------------------------------------------- */

struct pp {
	gort_chan *ping, *pong;
	int rounds;
};

static void ponger(void *arg)
{
	struct pp *p = arg;
	int v;

	while (gort_chanrecv(p->ping, &v)) {
		v++;
		gort_chansend(p->pong, &v);
	}
}

static void pingpong_main(void *arg)
{
	struct pp p = {gort_makechan(sizeof(int), 0), gort_makechan(sizeof(int), 0), 10000};
	int v = 0;

	gort_go(ponger, &p);
	for (int i = 0; i < p.rounds; i++) {
		v++;
		gort_chansend(p.ping, &v);
		gort_chanrecv(p.pong, &v);
	}
	gort_closechan(p.ping);
	*(int *)arg = v;
}

static void test_ping_pong(void **state)
{
	int v = 0;

	(void)state;
	gort_main(pingpong_main, &v);
	assert_int_equal(v, 20000);
}

/* ---- 100 000 goroutines, each 64 KB deep and back ----------------------------------- */

static unsigned __attribute__((noinline)) deep(int kb)
{
	volatile unsigned char buf[1000];

	buf[0] = (unsigned char)kb;
	__asm__ volatile("" : : "r"(buf) : "memory"); /* the whole array stays */
	if (kb == 0)
		return 0;
	return deep(kb - 1) + buf[0];
}

static unsigned long deep_total;

static void deep_worker(void *arg)
{
	deep_total += deep(64);
	gort_wg_done(arg);
}

static void many_main(void *arg)
{
	gort_waitgroup wg = {0};

	(void)arg;
	deep_total = 0;
	for (int i = 0; i < 100000; i++) {
		gort_wg_add(&wg, 1);
		gort_go(deep_worker, &wg);
	}
	gort_wg_wait(&wg);
}

static void test_hundred_thousand_deep_goroutines(void **state)
{
	(void)state;
	gort_main(many_main, NULL);
	assert_int_equal(deep_total, 100000UL * (64 * 65 / 2));
}

/* ---- deaths ---------------------------------------------------------------------------- */

static void deadlock_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);

	(void)arg;
	gort_go(blocked_forever, c);
	gort_chanrecv(c, NULL);
}

static void test_deadlock(void **state)
{
	child_result r;

	(void)state;
	run_child(deadlock_main, NULL, NULL, &r);
	assert_int_equal(r.exit_status, 2);
	assert_non_null(strstr(r.err, "fatal error: all goroutines are asleep - deadlock!"));
	assert_non_null(strstr(r.err, "goroutine 1 [chan receive]:"));
	assert_non_null(strstr(r.err, "deadlock_main"));
	assert_non_null(strstr(r.err, "blocked_forever"));
	assert_non_null(strstr(r.err, "created by deadlock_main in goroutine 1"));
}

static void __attribute__((noinline)) panicking_inner(int depth)
{
	volatile char pad[800];

	pad[0] = 1;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (depth == 0) {
		if (pad[0] == 1) /* always: pad is volatile, so the compiler cannot tell */
			gort_panic("boom %d", 42);
		return;
	}
	panicking_inner(depth - 1);
}

static void panicking_goroutine(void *arg)
{
	(void)arg;
	panicking_inner(8); /* across a few segments */
}

static void panic_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);

	(void)arg;
	gort_go(blocked_forever, c);
	gort_go(panicking_goroutine, NULL);
	gort_chanrecv(c, NULL);
}

static void test_panic_traceback(void **state)
{
	child_result r;

	(void)state;
	run_child(panic_main, NULL, NULL, &r);
	assert_int_equal(r.exit_status, 2);
	assert_non_null(strstr(r.err, "panic: boom 42\n\ngoroutine 3 [running]:\n"));
	assert_non_null(strstr(r.err, "panicking_inner(...)"));
	assert_non_null(strstr(r.err, "panicking_goroutine(...)"));
	assert_non_null(strstr(r.err, "created by panic_main in goroutine 1"));
	assert_non_null(strstr(r.err, "goroutine 1 [chan receive]:"));
	assert_non_null(strstr(r.err, "goroutine 2 [chan receive]:"));
	assert_null(strstr(r.err, "__morestack"));
}

/* Recurses until the stack limit (n never reaches 0). */
static unsigned long __attribute__((noinline)) forever(unsigned long n)
{
	volatile char pad[4000];

	pad[0] = (char)n;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (n == 0)
		return 0;
	return forever(n + 1) + (unsigned long)pad[0];
}

static void overflow_main(void *arg)
{
	*(unsigned long *)arg = forever(1);
}

static void test_stack_limit(void **state)
{
	child_result r;
	unsigned long sink;

	(void)state;
	run_child(overflow_main, &sink, NULL, &r);
	assert_int_equal(r.exit_status, 2);
	assert_non_null(strstr(r.err, "runtime: goroutine stack exceeds 1000000000-byte limit\n"));
	assert_non_null(strstr(r.err, "fatal error: stack overflow"));
	assert_non_null(strstr(r.err, "goroutine 1 [running]:\nforever(...)"));
	assert_non_null(strstr(r.err, "...additional frames elided..."));
}

/* ---- GODEBUG=leakcheck=1 ------------------------------------------------------------------ */

static void leaky_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);

	(void)arg;
	gort_go(blocked_forever, c);
	gort_go(blocked_forever, c);
	gort_gosched();
}

static void test_leakcheck(void **state)
{
	child_result r;

	(void)state;
	run_child(leaky_main, NULL, "leakcheck=1", &r);
	assert_int_equal(r.exit_status, 0);
	assert_non_null(strstr(r.err, "goroutine 2 [chan receive]"));
	assert_non_null(strstr(r.err, "goroutine 3 [chan receive]"));
	assert_non_null(strstr(r.err, "created by leaky_main"));
	assert_non_null(strstr(r.err, "leakcheck: 2 goroutines still blocked at exit"));

	run_child(leaky_main, NULL, NULL, &r);
	assert_int_equal(r.exit_status, 0);
	assert_null(strstr(r.err, "leakcheck"));
}

/* ---- the collector sees goroutine stacks --------------------------------------------------- */

#define HELD 1000

struct holder {
	gort_chan *go_on;
	gort_chan *ready;
};

static void __attribute__((noinline)) hold_deep(struct holder *h, int depth)
{
	volatile char pad[900];
	void *held[HELD];

	pad[0] = 0;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (depth > 0) {
		hold_deep(h, depth - 1 + pad[0]);
		return;
	}
	for (int i = 0; i < HELD; i++) {
		held[i] = gort_newobject(64);
		memset(held[i], 0x5a, 64);
	}
	gort_chansend(h->ready, &depth);
	gort_chanrecv(h->go_on, NULL); /* parked, segments deep, holding them */
	for (int i = 0; i < HELD; i++)
		for (int j = 0; j < 64; j++)
			if (((unsigned char *)held[i])[j] != 0x5a)
				gort_panic("object %d lost to the collector", i);
}

static void holder(void *arg)
{
	hold_deep(arg, 6);
}

static void gc_main(void *arg)
{
	uint64_t *alloc = arg;
	struct holder h = {gort_makechan(0, 0), gort_makechan(sizeof(int), 0)};
	gort_memstats ms;
	int d;

	gort_go(holder, &h);
	gort_chanrecv(h.ready, &d);
	gort_gc();
	gort_read_memstats(&ms);
	alloc[0] = ms.heap_alloc;
	for (int i = 0; i < HELD; i++) /* would reuse the objects if they were freed */
		memset(gort_newobject(64), 0xa5, 64);
	gort_chansend(h.go_on, NULL);
	gort_gosched(); /* the holder checks its objects and ends */
	gort_gc();
	gort_read_memstats(&ms);
	alloc[1] = ms.heap_alloc;
}

static void test_gc_scans_goroutine_stacks(void **state)
{
	uint64_t alloc[2];

	(void)state;
	gort_main(gc_main, alloc);
	assert_true(alloc[0] >= HELD * 64);
	assert_true(alloc[1] + HELD * 64 <= alloc[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_gosched_round_robin),
	        cmocka_unit_test(test_main_returns_with_blocked_goroutines),
	        cmocka_unit_test(test_sleep_wakes_in_deadline_order),
	        cmocka_unit_test(test_prime_sieve),
	        cmocka_unit_test(test_ping_pong),
	        cmocka_unit_test(test_hundred_thousand_deep_goroutines),
	        cmocka_unit_test(test_deadlock),
	        cmocka_unit_test(test_panic_traceback),
	        cmocka_unit_test(test_stack_limit),
	        cmocka_unit_test(test_leakcheck),
	        cmocka_unit_test(test_gc_scans_goroutine_stacks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
