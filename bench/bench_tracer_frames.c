/*
 * bench_tracer_frames.c — the workload of BenchmarkTracerFrames: function
 * entries and exits of a gort program built with -finstrument-functions,
 * on a goroutine's segmented stack.
 *
 * `bench_tracer_frames --work N` starts gort, and its main goroutine calls
 * an instrumented leaf N times (two frame events per call: the entry and
 * the exit, each forwarded by gort's __cyg_profile_func_* to the
 * frame_enter/frame_exit probes when a tracer registered them).  It prints
 * the loop's ns per frame event; bench_tracer runs it plain and under
 * `escapade record --frames` and reports the difference.
 */
#include <gort.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
	long calls;
	double ns_per_event;
};

__attribute__((noinline)) static uint64_t leaf(uint64_t x)
{
	__asm__ volatile("" : "+r"(x));
	return x * 2654435761u + 1;
}

static void loop(void *arg)
{
	struct job *j = arg;
	uint64_t x = 1;
	int64_t t0 = gort_nanotime();

	for (long i = 0; i < j->calls; i++)
		x = leaf(x);
	int64_t t1 = gort_nanotime();
	__asm__ volatile("" : : "r"(x));
	j->ns_per_event = j->calls ? (double)(t1 - t0) / (2.0 * (double)j->calls) : 0.0;
}

int main(int argc, char **argv)
{
	struct job j = {.calls = argc == 3 ? atol(argv[2]) : 0};

	if (argc != 3 || j.calls < 0) {
		fprintf(stderr, "usage: bench_tracer_frames --work N\n");
		return 2;
	}
	int st = gort_main(loop, &j);
	printf("%.3f\n", j.ns_per_event);
	return st;
}
