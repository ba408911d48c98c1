/*
 * bench/viewer_read.c — how fast the viewer reads and aggregates a trace:
 * the one streaming pass every command starts with (viewer/load.c: reader
 * -> aggregation), in Go's benchmark line format.
 *
 * The traces are recorded once, by `escapade record` on
 * bench/viewer_read_workload (malloc/free pairs over 243 unique stacks),
 * with -allocs N and 10 N allocations (2 events each), and kept in the
 * build tree (bench/viewer-read-N.trace) for later runs.  Each benchmark
 * loads one trace per op, without symbols (symbolization is per unique
 * stack, not per event), and reports:
 *
 *   events/s    trace events read (and aggregated) per second, wall clock
 *   cpu-events/s the same per second of the thread's CPU time (the
 *               figure to trust on a loaded machine)
 *   events/op   events in the trace
 *   anon-KB     anonymous memory resident after the load (the aggregation;
 *               the trace itself is a read-only file mapping): it must stay
 *               flat when the event count grows 10x
 *   stacks      unique stacks aggregated
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "viewer/load.h"

static long allocs = 1000000;
static char paths[2][512];
static uint64_t nevents[2];

/* Anonymous resident memory now, in KB (/proc/self/status RssAnon). */
static double anon_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = 0;
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "RssAnon:", 8))
			kb = atof(line + 8);
	if (f)
		fclose(f);
	return kb;
}

/* Records the trace of n allocations unless it exists; its event count. */
static int prepare(int which, long n)
{
	snprintf(paths[which], sizeof paths[which], "bench/viewer-read-%ld.trace", n);
	if (access(paths[which], R_OK) != 0) {
		char cmd[2048];
		snprintf(cmd, sizeof cmd, "'%s' record -o '%s' -- '%s' %ld >/dev/null",
		         ESCAPADE_BIN, paths[which], WORKLOAD_BIN, n);
		fprintf(stderr, "viewer_read: recording %s\n", paths[which]);
		if (system(cmd) != 0) {
			fprintf(stderr, "viewer_read: '%s' failed\n", cmd);
			return -1;
		}
	}
	char err[256];
	esc_reader *r = esc_reader_open(paths[which], err, sizeof err);
	if (!r) {
		fprintf(stderr, "viewer_read: %s\n", err);
		return -1;
	}
	struct esc_event ev;
	while (esc_reader_next(r, &ev) > 0)
		nevents[which]++;
	esc_reader_close(r);
	return 0;
}

/* CPU time of this thread, in ns: the machines are shared and loaded, so
 * wall-clock rates mostly measure the wait for a core. */
static int64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report_rates(bench_b *b, int which, int64_t wall, int64_t cpu)
{
	double events = (double)nevents[which] * (double)b->n;
	bench_report_metric(b, events * 1e9 / (double)wall, "events/s");
	bench_report_metric(b, events * 1e9 / (double)cpu, "cpu-events/s");
	bench_report_metric(b, (double)nevents[which], "events/op");
}

/* The baseline: the reader alone, every event decoded, nothing kept. */
static void bench_read(bench_b *b)
{
	int which = *(const int *)b->arg;
	int64_t wall = bench_nanotime(), cpu = cpu_ns();
	for (uint64_t i = 0; i < b->n; i++) {
		char err[256];
		esc_reader *r = esc_reader_open(paths[which], err, sizeof err);
		struct esc_event ev;
		if (!r) {
			bench_errorf(b, "%s", err);
			return;
		}
		while (esc_reader_next(r, &ev) > 0)
			;
		esc_reader_close(r);
	}
	report_rates(b, which, bench_nanotime() - wall, cpu_ns() - cpu);
}

static void bench_load(bench_b *b)
{
	int which = *(const int *)b->arg;
	double kb = 0;
	size_t stacks = 0;
	int64_t wall = 0, cpu = 0;
	for (uint64_t i = 0; i < b->n; i++) {
		struct loaded_trace t;
		int64_t t0 = bench_nanotime(), c0 = cpu_ns();
		enum load_status st = trace_load(paths[which], false, &t);
		wall += bench_nanotime() - t0;
		cpu += cpu_ns() - c0;
		if (st != LOAD_OK) {
			bench_errorf(b, "%s: %s", paths[which], t.message);
			return;
		}
		bench_stop_timer(b);
		kb = anon_kb();
		stacks = agg_nstacks(t.agg);
		trace_unload(&t);
		bench_start_timer(b);
	}
	report_rates(b, which, wall, cpu);
	bench_report_metric(b, kb, "anon-KB");
	bench_report_metric(b, (double)stacks, "stacks");
}

static const int small = 0, large = 1;
static char names[4][64];
static bench_def defs[4];
static const bench_flag flags[] = {
        {"allocs", "allocations of the small trace (the large one has 10x)", &allocs},
};

static void flags_parsed(void)
{
	for (int i = 0; i < 4; i++) {
		const int *which = i & 1 ? &large : &small;
		snprintf(names[i], sizeof names[i], "ViewerRead/%s/events=%ldk",
		         i < 2 ? "reader" : "load", (i & 1 ? 20 : 2) * allocs / 1000);
		defs[i] = (bench_def){names[i], i < 2 ? bench_read : bench_load, which, NULL,
		                      BENCH_NOMEM};
	}
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-allocs"))
			allocs = atol(argv[i + 1]);
	if (prepare(0, allocs) < 0 || prepare(1, 10 * allocs) < 0)
		return 1;
	flags_parsed();
	bench_suite s = {.pkg = "escapade/viewer",
	                 .benchmarks = defs,
	                 .count = 4,
	                 .flags = flags,
	                 .nflags = 1,
	                 .flags_parsed = flags_parsed};
	return bench_main(&s, argc, argv);
}
