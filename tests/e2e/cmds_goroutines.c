/*
 * tests/e2e/cmds_goroutines.c — goroutines, stack growth and a collection,
 * for `escapade timeline` and `escapade html`.
 *
 * The main goroutine starts WORKERS workers that allocate gort objects and
 * recurse deep enough (1 KB frames) to grow their 2 KB stacks, waits for
 * them, forces a collection with gort_gc(), then starts one goroutine that
 * blocks forever on a channel nobody sends to (alive at exit) and returns.
 */
#include <gort.h>
#include <stdint.h>
#include <string.h>

#define WORKERS 4

static gort_waitgroup wg;
static void *volatile sink;

static int deep(int n)
{
	char frame[1024];
	memset(frame, n, sizeof frame);
	__asm__ volatile("" ::"r"(frame) : "memory");
	return n ? deep(n - 1) + frame[n % 1024] : 0;
}

static void worker(void *arg)
{
	intptr_t k = (intptr_t)arg;
	for (int i = 0; i < 100; i++)
		sink = gort_newobject(64 * (size_t)(k + 1));
	(void)deep(24);
	gort_wg_done(&wg);
}

static void blocked(void *arg)
{
	int v;
	gort_chanrecv(arg, &v);
}

static void mainfn(void *arg)
{
	(void)arg;
	gort_wg_add(&wg, WORKERS);
	for (intptr_t i = 0; i < WORKERS; i++)
		gort_go(worker, (void *)i);
	gort_wg_wait(&wg);
	gort_gc();
	gort_go(blocked, gort_makechan(sizeof(int), 0));
	gort_gosched();
}

int main(void)
{
	return gort_main(mainfn, NULL);
}
