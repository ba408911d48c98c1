/* prog_gort_frames.c — a gort program built with -finstrument-functions
 * (tests/tracer/frames-gort.sh): two goroutines each recurse ten levels
 * into down(), which keeps a 1000-byte buffer in its frame, and yield at
 * the bottom so that the two stacks interleave.  Each goroutine's frames
 * must be its own call path (worker;down;...;down), with one frame's bytes
 * per level. */
#include <gort.h>
#include <stdio.h>

static gort_waitgroup wg;

__attribute__((noinline)) static int down(int n)
{
	volatile char buf[1000];

	for (unsigned i = 0; i < sizeof buf; i++) /* no libc: stay on split code */
		buf[i] = (char)n;
	if (n == 0)
		gort_gosched();
	return n == 0 ? buf[0] : down(n - 1) + buf[1];
}

static void worker(void *arg)
{
	*(int *)arg = down(9);
	gort_wg_done(&wg);
}

static void gmain(void *arg)
{
	int *r = arg;

	gort_wg_add(&wg, 2);
	gort_go(worker, &r[0]);
	gort_go(worker, &r[1]);
	gort_wg_wait(&wg);
}

int main(void)
{
	static int r[2];
	int st = gort_main(gmain, r);

	if (st != 0 || r[0] != 45 || r[1] != 45) {
		fprintf(stderr, "prog_gort_frames: wrong sums %d %d\n", r[0], r[1]);
		return 1;
	}
	return 0;
}
