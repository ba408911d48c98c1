/* prog_gort.c — a gort program for the tracer's probes: the main goroutine
 * makes 1000 newobjects of 48 bytes (dropping them), starts 4 goroutines
 * that each make 100 of 80 bytes and recurse deep enough to grow their
 * stacks, waits for them, then forces a collection. */
#include <gort.h>

#define KIDS 4

static gort_waitgroup wg;
void *volatile sink;

static int deep(int n)
{
	volatile char pad[256];
	pad[0] = (char)n;
	return n == 0 ? pad[0] : deep(n - 1) + pad[0];
}

static void kid(void *arg)
{
	(void)arg;
	for (int i = 0; i < 100; i++)
		sink = gort_newobject(80);
	deep(64);
	gort_wg_done(&wg);
}

static void main_g(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		sink = gort_newobject(48);
	sink = NULL;
	gort_wg_add(&wg, KIDS);
	for (int i = 0; i < KIDS; i++)
		gort_go(kid, NULL);
	gort_wg_wait(&wg);
	sink = NULL;
	gort_gc();
}

int main(void)
{
	return gort_main(main_g, NULL);
}
