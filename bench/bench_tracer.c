/*
 * bench_tracer.c — what recording costs: escapade record against the
 * program alone and against heaptrack, in one run.
 *
 * The workload (`bench_tracer --work N`) makes N malloc/free pairs of
 * 16..255 bytes through a five-deep call chain (frame pointers kept, as in
 * the programs Escapade is for) and prints its own loop time.  The driver
 * (no arguments) runs the workload plain, under `escapade record`, and
 * under heaptrack, ROUNDS times each, interleaved so that the machine's
 * noise hits all three alike, and keeps each one's best round.  It prints
 * Go benchmark lines:
 *
 *   BenchmarkTracerPair/<how>      ns per pair inside the loop, the ns the
 *                                  tracer added to it, and the whole run's
 *                                  wall time as a ratio to the plain run
 *   BenchmarkTracerStartup/<how>   wall time of a run with N = 0
 *   BenchmarkTracerTrace/escapade  bytes per event of the trace left by a
 *                                  clean exit; the RSS the tracer added to
 *                                  the program (its own peak, which the
 *                                  workload reads with getrusage, minus the
 *                                  plain run's); and the peak of the whole
 *                                  process tree minus the plain run's (the
 *                                  `escapade record` process that waits is the
 *                                  larger one when it maps many
 *                                  libraries).  The two differ by the libc
 *                                  pages of printing, which the workload
 *                                  touches after it reads its peak and the
 *                                  tracer before: the tree's figure is the
 *                                  lower one.
 *   BenchmarkTracerFrames/<how>    ns per frame event (entry or exit) of a
 *                                  gort program built with
 *                                  -finstrument-functions, on a goroutine's
 *                                  stack, plain and under record --frames
 *                                  (bench_tracer_frames, beside this one)
 *
 * Targets (DESIGN.md, issue 4): <= 150 ns added per pair with full stacks,
 * an overall slowdown at most a third of heaptrack's, start-up <= 20 ms,
 * <= 4 bytes per event, <= 2 MB of RSS added, <= 20 ns per frame event.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAIRS  2000000L
#define CALLS  20000000L /* frame workload: two events each */
#define ROUNDS 3

#ifndef HEAPTRACK
#define HEAPTRACK ""
#endif

/* ---- the workload ------------------------------------------------------ */

__attribute__((noinline)) static void *level5(size_t n)
{
	return malloc(n);
}
#define LEVEL(name, next)                                                                          \
	__attribute__((noinline)) static void *name(size_t n)                                      \
	{                                                                                          \
		void *p = next(n);                                                                 \
		__asm__ volatile("" ::: "memory");                                                 \
		return p;                                                                          \
	}
LEVEL(level4, level5)
LEVEL(level3, level4)
LEVEL(level2, level3)
LEVEL(level1, level2)

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int work(long pairs)
{
	uint32_t x = 12345;
	double t0 = now_ns();

	for (long i = 0; i < pairs; i++) {
		x = x * 1103515245u + 12345u;
		void *volatile p = level1(16 + (x >> 8) % 240);
		free(p);
	}
	double t1 = now_ns();
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("%.3f %ld\n", pairs ? (t1 - t0) / (double)pairs : 0.0, ru.ru_maxrss);
	return 0;
}

/* ---- the driver ----------------------------------------------------------- */

struct result {
	double pair_ns, wall_ns;
	long maxrss_kb;      /* the process tree's peak (wait4) */
	long self_maxrss_kb; /* the workload's own, as it printed it (0: none) */
};

/* A line of one or two numbers: the workload's (ns, own peak RSS). */
static bool parse_numbers(const char *line, double *ns, long *rss)
{
	char *end;
	double v = strtod(line, &end);
	if (end == line)
		return false;
	long k = 0;
	if (*end == ' ') {
		char *end2;
		k = strtol(end + 1, &end2, 10);
		if (end2 == end + 1)
			return false;
		end = end2;
	}
	if (*end != '\0')
		return false;
	*ns = v;
	*rss = k;
	return true;
}

/* Run argv with stdout into a pipe; parse the workload's ns/pair. */
static int run(char *const argv[], struct result *r)
{
	int fds[2];
	double ns = 0;
	long self_rss = 0;

	if (pipe(fds) < 0)
		return -1;
	double t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	/* heaptrack talks on stdout too: keep reading, find the number line. */
	char out[8192];
	size_t have = 0;
	ssize_t n;
	while ((n = read(fds[0], out + have, sizeof out - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
	close(fds[0]);
	n = -1;
	for (char *line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n"))
		if (parse_numbers(line, &ns, &self_rss))
			n = 1;
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) != pid)
		return -1;
	r->wall_ns = now_ns() - t0;
	r->maxrss_kb = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n <= 0)
		return -1;
	r->pair_ns = ns;
	r->self_maxrss_kb = self_rss;
	return 0;
}

static void keep_best(struct result *best, const struct result *r, bool first)
{
	if (first || r->pair_ns < best->pair_ns)
		best->pair_ns = r->pair_ns;
	if (first || r->wall_ns < best->wall_ns)
		best->wall_ns = r->wall_ns;
	if (first || r->maxrss_kb < best->maxrss_kb)
		best->maxrss_kb = r->maxrss_kb;
	if (first || r->self_maxrss_kb < best->self_maxrss_kb)
		best->self_maxrss_kb = r->self_maxrss_kb;
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* BenchmarkTracerFrames: bench_tracer_frames (beside self) plain and
 * under record --frames, interleaved, best of ROUNDS each. */
static int bench_frames(const char *self, char *escapade, char *trace)
{
	char prog[PATH_MAX + 32], ncalls[32];
	const char *slash = strrchr(self, '/');

	snprintf(prog, sizeof prog, "%.*s/bench_tracer_frames", (int)(slash - self), self);
	if (access(prog, X_OK) != 0) {
		fprintf(stderr, "bench_tracer: %s is not built\n", prog);
		return -1;
	}
	snprintf(ncalls, sizeof ncalls, "%ld", CALLS);
	char *plain[] = {prog, "--work", ncalls, NULL};
	char *rec[] = {escapade, "record", "--frames", "-o",   trace,
	               "--",     prog,     "--work",   ncalls, NULL};
	char *const *argvs[2] = {plain, rec};
	struct result best[2], r;
	for (int round = 0; round < ROUNDS; round++)
		for (int k = 0; k < 2; k++) {
			if (run(argvs[k], &r) < 0) {
				fprintf(stderr, "bench_tracer: frames run %d failed\n", k);
				return -1;
			}
			keep_best(&best[k], &r, round == 0);
		}
	printf("BenchmarkTracerFrames/plain-2\t%ld\t%.2f ns/op\n", 2 * CALLS, best[0].pair_ns);
	printf("BenchmarkTracerFrames/escapade-2\t%ld\t%.2f ns/op\t%.2f added-ns/op\t%.3f "
	       "B/event\n",
	       2 * CALLS, best[1].pair_ns, best[1].pair_ns - best[0].pair_ns,
	       (double)file_size(trace) / (2.0 * CALLS));
	return 0;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], escapade[PATH_MAX + 32], trace[64], htout[64], npairs[32];

	if (argc == 3 && strcmp(argv[1], "--work") == 0)
		return work(atol(argv[2]));
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(escapade, sizeof escapade, "%s/../viewer/escapade", self);
	*slash = '/';
	snprintf(trace, sizeof trace, "/tmp/bench_tracer.%d.trace", (int)getpid());
	snprintf(htout, sizeof htout, "/tmp/bench_tracer.%d.heaptrack", (int)getpid());
	bool heaptrack = HEAPTRACK[0] != '\0' && access(HEAPTRACK, X_OK) == 0;

	for (int startup = 0; startup < 2; startup++) {
		snprintf(npairs, sizeof npairs, "%ld", startup ? 0L : PAIRS);
		char *plain[] = {self, "--work", npairs, NULL};
		char *rec[] = {escapade, "record", "-o", trace, "--", self, "--work", npairs, NULL};
		char *ht[] = {HEAPTRACK, "-o", htout, self, "--work", npairs, NULL};
		struct result best[3], r;
		bool ok[3] = {true, true, heaptrack};
		for (int round = 0; round < ROUNDS; round++) {
			char *const *argvs[3] = {plain, rec, ht};
			for (int k = 0; k < 3; k++) {
				if (!ok[k])
					continue;
				if (run(argvs[k], &r) < 0) {
					fprintf(stderr, "bench_tracer: run %d failed\n", k);
					ok[k] = false;
					continue;
				}
				keep_best(&best[k], &r, round == 0);
			}
		}
		if (!ok[0] || !ok[1])
			return 1;
		static const char *const names[3] = {"plain", "escapade", "heaptrack"};
		for (int k = 0; k < 3; k++) {
			if (!ok[k])
				continue;
			if (startup) {
				printf("BenchmarkTracerStartup/%s-2\t%d\t%.0f ns/op\n", names[k],
				       ROUNDS, best[k].wall_ns);
				continue;
			}
			printf("BenchmarkTracerPair/%s-2\t%ld\t%.1f ns/op\t%.1f added-ns/op\t"
			       "%.2f slowdown\n",
			       names[k], PAIRS, best[k].pair_ns, best[k].pair_ns - best[0].pair_ns,
			       best[k].wall_ns / best[0].wall_ns);
		}
		if (startup) {
			printf("BenchmarkTracerStartup/added-2\t%d\t%.0f ns/op\n", ROUNDS,
			       best[1].wall_ns - best[0].wall_ns);
			continue;
		}
		long size = file_size(trace);
		/* Events: one alloc and one free per pair. */
		printf("BenchmarkTracerTrace/escapade-2\t%ld\t%.3f B/event\t%ld rss-added-KB\t"
		       "%ld tree-rss-added-KB\n",
		       2 * PAIRS, (double)size / (2.0 * PAIRS),
		       best[1].self_maxrss_kb - best[0].self_maxrss_kb,
		       best[1].maxrss_kb - best[0].maxrss_kb);
		if (ok[2] && best[2].wall_ns > best[0].wall_ns)
			printf("BenchmarkTracerSlowdownVsHeaptrack-2\t1\t%.3f ratio\n",
			       (best[1].wall_ns - best[0].wall_ns) /
			               (best[2].wall_ns - best[0].wall_ns));
	}
	if (bench_frames(self, escapade, trace) < 0)
		return 1;
	unlink(trace);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -f %s*", htout);
	return system(cmd) == 0 ? 0 : 1;
}
