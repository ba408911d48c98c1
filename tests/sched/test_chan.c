/*
 * test_chan.c — channels, select, WaitGroup and Mutex with Go's semantics,
 * including every panic (in forked children: exit status 2 and message).
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

/* Run fn as the main goroutine of a fresh runtime. */
static void run(void (*fn)(void *), void *arg)
{
	assert_int_equal(gort_main(fn, arg), 0);
}

/* ---- unbuffered: a rendezvous ---------------------------------------------------- */

static char events[32];
static int nevents;

static void note(char c)
{
	events[nevents++] = c;
	events[nevents] = 0;
}

static void unbuf_sender(void *arg)
{
	int v = 7;

	note('s');
	gort_chansend(arg, &v); /* blocks until main receives */
	note('S');
}

static void unbuffered_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);
	int v = 0;

	(void)arg;
	gort_go(unbuf_sender, c);
	gort_gosched(); /* the sender runs and blocks */
	note('r');
	assert_true(gort_chanrecv(c, &v));
	assert_int_equal(v, 7);
	note('R');
	gort_gosched();
}

static void test_unbuffered_rendezvous(void **state)
{
	(void)state;
	nevents = 0;
	run(unbuffered_main, NULL);
	assert_string_equal(events, "srRS");
}

/* ---- buffered: FIFO, blocking only when full ---------------------------------------- */

static void buffered_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(long), 5);

	(void)arg;
	for (long i = 0; i < 5; i++)
		gort_chansend(c, &i); /* never blocks */
	assert_int_equal(gort_numgoroutine(), 1);
	for (long i = 0; i < 5; i++) {
		long v = -1;
		assert_true(gort_chanrecv(c, &v));
		assert_int_equal(v, i);
	}
}

static void test_buffered_fifo(void **state)
{
	(void)state;
	run(buffered_main, NULL);
}

static void full_sender(void *arg)
{
	for (long i = 0; i < 10; i++)
		gort_chansend(arg, &i);
}

static void full_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(long), 3);

	(void)arg;
	gort_go(full_sender, c);
	gort_gosched(); /* fills the buffer, blocks on the 4th */
	for (long i = 0; i < 10; i++) {
		long v = -1;
		assert_true(gort_chanrecv(c, &v));
		assert_int_equal(v, i); /* a blocked sender keeps its place */
	}
}

static void test_buffered_full_keeps_order(void **state)
{
	(void)state;
	run(full_main, NULL);
}

/* Odd element sizes go through the generic copy. */
struct big {
	char bytes[37];
};

static void bigelem_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(struct big), 2);
	struct big in, out;

	(void)arg;
	memset(&in, 'q', sizeof in);
	gort_chansend(c, &in);
	memset(&out, 0, sizeof out);
	assert_true(gort_chanrecv(c, &out));
	assert_memory_equal(&in, &out, sizeof in);
}

static void test_element_copy(void **state)
{
	(void)state;
	run(bigelem_main, NULL);
}

/* ---- close ---------------------------------------------------------------------------- */

static int woken_closed;

static void closed_receiver(void *arg)
{
	long v = 99;

	if (!gort_chanrecv(arg, &v) && v == 0)
		woken_closed++;
}

static void close_wakes_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(long), 0);

	(void)arg;
	woken_closed = 0;
	for (int i = 0; i < 10; i++)
		gort_go(closed_receiver, c);
	gort_gosched();
	assert_int_equal(gort_numgoroutine(), 11);
	gort_closechan(c);
	gort_gosched();
	assert_int_equal(woken_closed, 10);
	assert_int_equal(gort_numgoroutine(), 1);
}

static void test_close_wakes_every_receiver(void **state)
{
	(void)state;
	run(close_wakes_main, NULL);
}

static void drain_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 4);
	int v;

	(void)arg;
	for (v = 1; v <= 3; v++)
		gort_chansend(c, &v);
	gort_closechan(c);
	for (int i = 1; i <= 3; i++) {
		assert_true(gort_chanrecv(c, &v));
		assert_int_equal(v, i);
	}
	v = 42;
	assert_false(gort_chanrecv(c, &v));
	assert_int_equal(v, 0);
	assert_false(gort_chanrecv(c, &v));
}

static void test_receive_after_close_drains(void **state)
{
	(void)state;
	run(drain_main, NULL);
}

/* ---- nil channels block forever ------------------------------------------------------------ */

static void nil_receiver(void *arg)
{
	int v;

	(void)arg;
	gort_chanrecv(NULL, &v);
	*(int *)arg = 1; /* never */
}

static void nil_main(void *arg)
{
	gort_go(nil_receiver, arg);
	for (int i = 0; i < 10; i++)
		gort_gosched();
}

static void test_nil_channel_blocks(void **state)
{
	int reached = 0;

	(void)state;
	run(nil_main, &reached);
	assert_int_equal(reached, 0);
}

static void nil_send_main(void *arg)
{
	int v = 1;

	(void)arg;
	gort_chansend(NULL, &v);
}

static void test_nil_send_deadlocks(void **state)
{
	child_result r;

	(void)state;
	run_child(nil_send_main, NULL, NULL, &r);
	assert_int_equal(r.exit_status, 2);
	assert_non_null(strstr(r.err, "fatal error: all goroutines are asleep - deadlock!"));
	assert_non_null(strstr(r.err, "goroutine 1 [chan send (nil chan)]:"));
}

/* ---- the panics -------------------------------------------------------------------------------
 */

static void send_closed_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 1);
	int v = 1;

	(void)arg;
	gort_closechan(c);
	gort_chansend(c, &v);
}

static void close_twice_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);

	(void)arg;
	gort_closechan(c);
	gort_closechan(c);
}

static void close_nil_main(void *arg)
{
	(void)arg;
	gort_closechan(NULL);
}

static void blocked_sender(void *arg)
{
	int v = 1;

	gort_chansend(arg, &v);
}

static void close_under_sender_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);

	(void)arg;
	gort_go(blocked_sender, c);
	gort_gosched();
	gort_closechan(c); /* the blocked sender wakes and panics */
	gort_gosched();
}

static void wg_negative_main(void *arg)
{
	gort_waitgroup wg = {0};

	(void)arg;
	gort_wg_add(&wg, 1);
	gort_wg_done(&wg);
	gort_wg_done(&wg);
}

static void unlock_unlocked_main(void *arg)
{
	gort_mutex mu = {0};

	(void)arg;
	gort_mutex_unlock(&mu);
}

static void select_send_closed_main(void *arg)
{
	gort_chan *c = gort_makechan(sizeof(int), 0);
	int v = 1;
	gort_selcase cases[] = {{.c = c, .dir = GORT_SELECT_SEND, .elem = &v}};

	(void)arg;
	gort_closechan(c);
	gort_selectgo(cases, 1, true);
}

static void test_panics(void **state)
{
	static const struct {
		void (*fn)(void *);
		const char *message;
	} table[] = {
	        {send_closed_main, "panic: send on closed channel\n"},
	        {close_twice_main, "panic: close of closed channel\n"},
	        {close_nil_main, "panic: close of nil channel\n"},
	        {close_under_sender_main, "panic: send on closed channel\n"},
	        {wg_negative_main, "panic: sync: negative WaitGroup counter\n"},
	        {unlock_unlocked_main, "fatal error: sync: unlock of unlocked mutex\n"},
	        {select_send_closed_main, "panic: send on closed channel\n"},
	};
	child_result r;

	(void)state;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		run_child(table[i].fn, NULL, NULL, &r);
		assert_int_equal(r.exit_status, 2);
		assert_non_null(strstr(r.err, table[i].message));
		assert_non_null(strstr(r.err, "goroutine "));
	}
}

/* ---- select -------------------------------------------------------------------------------------
 */

static void select_basics_main(void *arg)
{
	gort_chan *a = gort_makechan(sizeof(int), 1);
	gort_chan *b = gort_makechan(sizeof(int), 1);
	int va = 0, vb = 0, one = 1;
	gort_selcase rcases[] = {{.c = a, .dir = GORT_SELECT_RECV, .elem = &va},
	                         {.c = b, .dir = GORT_SELECT_RECV, .elem = &vb},
	                         {.c = NULL, .dir = GORT_SELECT_RECV, .elem = &va}};

	(void)arg;
	/* Nothing ready: default. */
	assert_int_equal(gort_selectgo(rcases, 3, false), -1);
	/* One ready. */
	gort_chansend(b, &one);
	assert_int_equal(gort_selectgo(rcases, 3, false), 1);
	assert_int_equal(vb, 1);
	assert_true(rcases[1].ok);
	/* A send case on a buffered channel with room. */
	gort_selcase scase[] = {{.c = a, .dir = GORT_SELECT_SEND, .elem = &one}};
	assert_int_equal(gort_selectgo(scase, 1, false), 0);
	assert_int_equal(gort_selectgo(scase, 1, false), -1); /* full now */
	assert_int_equal(gort_selectgo(rcases, 3, true), 0);
	assert_int_equal(va, 1);
	/* A closed channel is ready, with ok = false. */
	gort_closechan(b);
	vb = 5;
	assert_int_equal(gort_selectgo(rcases, 3, true), 1);
	assert_false(rcases[1].ok);
	assert_int_equal(vb, 0);
}

static void test_select_ready_and_default(void **state)
{
	(void)state;
	run(select_basics_main, NULL);
}

struct two {
	gort_chan *a, *b;
};

static void late_sender(void *arg)
{
	struct two *t = arg;
	int v = 77;

	gort_sleep(1000000);
	gort_chansend(t->b, &v);
}

static void select_block_main(void *arg)
{
	struct two t = {gort_makechan(sizeof(int), 0), gort_makechan(sizeof(int), 0)};
	int va = 0, vb = 0;
	gort_selcase cases[] = {{.c = t.a, .dir = GORT_SELECT_RECV, .elem = &va},
	                        {.c = t.b, .dir = GORT_SELECT_RECV, .elem = &vb}};

	(void)arg;
	gort_go(late_sender, &t);
	assert_int_equal(gort_selectgo(cases, 2, true), 1);
	assert_int_equal(vb, 77);
	assert_true(cases[1].ok);
	/* Our sudog on a was taken off its queue: a send there now blocks
	 * instead of waking a select that is over. */
	int v = 1;
	gort_selcase trysend[] = {{.c = t.a, .dir = GORT_SELECT_SEND, .elem = &v}};
	assert_int_equal(gort_selectgo(trysend, 1, false), -1);
}

static void test_select_blocks_until_ready(void **state)
{
	(void)state;
	run(select_block_main, NULL);
}

/* Many cases (more than fit in selectgo's frame), woken by close. */
static void closer(void *arg)
{
	gort_closechan(arg);
}

static void select_many_main(void *arg)
{
	gort_chan *chans[20];
	gort_selcase cases[20];
	int sink[20];

	(void)arg;
	for (int i = 0; i < 20; i++) {
		chans[i] = gort_makechan(sizeof(int), 0);
		cases[i] = (gort_selcase){.c = chans[i], .dir = GORT_SELECT_RECV, .elem = &sink[i]};
	}
	gort_go(closer, chans[13]);
	assert_int_equal(gort_selectgo(cases, 20, true), 13);
	assert_false(cases[13].ok);
}

static void test_select_many_cases(void **state)
{
	(void)state;
	run(select_many_main, NULL);
}

/* Fairness: with two cases always ready, each wins about half of N selects.
 * The count is binomial(N, 1/2): standard deviation sqrt(N)/2 = 50 for
 * N = 10000; we allow 6 of them. */
static void fairness_main(void *arg)
{
	int *wins = arg;
	gort_chan *a = gort_makechan(sizeof(int), 1);
	gort_chan *b = gort_makechan(sizeof(int), 1);
	int v = 0;
	gort_selcase cases[] = {{.c = a, .dir = GORT_SELECT_RECV, .elem = &v},
	                        {.c = b, .dir = GORT_SELECT_RECV, .elem = &v}};

	for (int i = 0; i < 10000; i++) {
		gort_chansend(a, &v);
		gort_chansend(b, &v);
		int k = gort_selectgo(cases, 2, true);
		wins[k]++;
		gort_chanrecv(k == 0 ? b : a, &v); /* empty both again */
	}
}

static void test_select_fairness(void **state)
{
	int wins[2] = {0, 0};

	(void)state;
	run(fairness_main, wins);
	assert_int_equal(wins[0] + wins[1], 10000);
	assert_true(abs(wins[0] - 5000) <= 300);
}

/* ---- WaitGroup and Mutex ------------------------------------------------------------------------
 */

static int wg_count;

static void wg_worker(void *arg)
{
	gort_gosched();
	wg_count++;
	gort_wg_done(arg);
}

static void waitgroup_main(void *arg)
{
	gort_waitgroup wg = {0};

	(void)arg;
	wg_count = 0;
	gort_wg_wait(&wg); /* zero: returns at once */
	gort_wg_add(&wg, 100);
	for (int i = 0; i < 100; i++)
		gort_go(wg_worker, &wg);
	gort_wg_wait(&wg);
	assert_int_equal(wg_count, 100);
}

static void test_waitgroup(void **state)
{
	(void)state;
	run(waitgroup_main, NULL);
}

struct locked {
	gort_mutex mu;
	long counter;
	gort_waitgroup wg;
};

static void locker(void *arg)
{
	struct locked *l = arg;

	for (int i = 0; i < 100; i++) {
		gort_mutex_lock(&l->mu);
		long c = l->counter;
		gort_gosched(); /* others run, and must wait for the lock */
		l->counter = c + 1;
		gort_mutex_unlock(&l->mu);
	}
	gort_wg_done(&l->wg);
}

static void mutex_main(void *arg)
{
	struct locked *l = arg;

	gort_wg_add(&l->wg, 10);
	for (int i = 0; i < 10; i++)
		gort_go(locker, l);
	gort_wg_wait(&l->wg);
}

static void test_mutex_excludes(void **state)
{
	struct locked l;

	(void)state;
	memset(&l, 0, sizeof l);
	run(mutex_main, &l);
	assert_int_equal(l.counter, 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_unbuffered_rendezvous),
	        cmocka_unit_test(test_buffered_fifo),
	        cmocka_unit_test(test_buffered_full_keeps_order),
	        cmocka_unit_test(test_element_copy),
	        cmocka_unit_test(test_close_wakes_every_receiver),
	        cmocka_unit_test(test_receive_after_close_drains),
	        cmocka_unit_test(test_nil_channel_blocks),
	        cmocka_unit_test(test_nil_send_deadlocks),
	        cmocka_unit_test(test_panics),
	        cmocka_unit_test(test_select_ready_and_default),
	        cmocka_unit_test(test_select_blocks_until_ready),
	        cmocka_unit_test(test_select_many_cases),
	        cmocka_unit_test(test_select_fairness),
	        cmocka_unit_test(test_waitgroup),
	        cmocka_unit_test(test_mutex_excludes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
