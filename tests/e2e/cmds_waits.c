/*
 * tests/e2e/cmds_waits.c — goroutines left blocked for every wait reason
 * gort has, for the "wait" of `escapade report` (tests/e2e/cmds-goroutines.sh).
 *
 * The main goroutine starts one goroutine per way of parking (a receive, a
 * send, a receive on a nil channel, a select, an empty select, a sleep, a
 * WaitGroup.Wait, a Mutex.Lock), lets them all park, starts one more that
 * never gets to run (runnable), and returns: the others are left behind.
 * With the argument "deadlock" it receives from a channel nobody sends to
 * instead, once all of them are parked but the runnable one has run: gort
 * sees that every goroutine is asleep and exits 2 (Go's fatal error).
 */
#include <gort.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static gort_chan *never_sent, *never_read; /* nobody sends to one, reads the other */
static gort_waitgroup wg;
static gort_mutex mu;
static bool deadlock;

static void recv_forever(void *arg)
{
	int v;
	(void)arg;
	gort_chanrecv(never_sent, &v);
}

static void send_forever(void *arg)
{
	int v = 1;
	(void)arg;
	gort_chansend(never_read, &v);
}

static void recv_nil(void *arg)
{
	int v;
	(void)arg;
	gort_chanrecv(NULL, &v);
}

static void select_forever(void *arg)
{
	int v;
	gort_selcase cases[1] = {{.c = arg, .dir = GORT_SELECT_RECV, .elem = &v}};
	gort_selectgo(cases, 1, true);
}

static void select_empty(void *arg)
{
	(void)arg;
	gort_selectgo(NULL, 0, true);
}

static void sleep_long(void *arg)
{
	(void)arg;
	gort_sleep(3600 * INT64_C(1000000000));
}

static void wait_group(void *arg)
{
	(void)arg;
	gort_wg_wait(&wg);
}

static void lock_held(void *arg)
{
	(void)arg;
	gort_mutex_lock(&mu);
}

static void never_ran(void *arg)
{
	(void)arg;
}

static void mainfn(void *arg)
{
	(void)arg;
	never_sent = gort_makechan(sizeof(int), 0);
	never_read = gort_makechan(sizeof(int), 0);
	gort_wg_add(&wg, 1);
	gort_mutex_lock(&mu);
	gort_go(recv_forever, NULL);
	gort_go(send_forever, NULL);
	gort_go(recv_nil, NULL);
	gort_go(select_forever, gort_makechan(sizeof(int), 0));
	gort_go(select_empty, NULL);
	if (!deadlock)
		gort_go(sleep_long, NULL);
	gort_go(wait_group, NULL);
	gort_go(lock_held, NULL);
	gort_gosched();
	if (deadlock) {
		int v;
		gort_chanrecv(gort_makechan(sizeof(int), 0), &v);
	}
	gort_go(never_ran, NULL);
}

int main(int argc, char **argv)
{
	deadlock = argc > 1 && !strcmp(argv[1], "deadlock");
	return gort_main(mainfn, NULL);
}
