/*
 * test_record.c — `escapade record` end to end, checked through the reader.
 *
 * Each test runs a prog_* program (tests/tracer/) under `escapade record`
 * into a fresh temporary directory, then reads the trace(s) back with the
 * reader library and checks exact counts: allocation functions and sizes,
 * thread totals, fork/exec files, what survives kill -9, abort() and a
 * SIGSEGV handler, signals that allocate inside the tracer, the errors
 * `record` must give before running anything, and gort stacks: whole
 * across twenty segments, and walks that must stop short of an unmapped
 * segment or an address nobody mapped without keeping memory per walk.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "tracer/reader.h"

#define MAX_SIZE 8192

static char builddir[PATH_MAX], escapade[PATH_MAX], tmpdir[PATH_MAX];

/* What a trace holds, counted. */
struct summary {
	uint64_t allocs[ESC_FN_ALLOC_COUNT][MAX_SIZE]; /* by fn and size (< MAX_SIZE) */
	uint64_t allocs_by_thread[64];                 /* sizes 200..207 */
	uint64_t frees, frees_unknown, frees_live, lost;
	uint64_t newobjects[MAX_SIZE], sweeps, go_creates, go_exits, gc_starts, gc_ends;
	uint64_t stack_grows, newobject_goids, deepest_newobject_stack;
	bool end, truncated, damaged;
	unsigned end_reason;
	int64_t end_status;
};

static struct summary *summarize(const char *path)
{
	struct summary *s = calloc(1, sizeof *s);
	char err[512];
	struct esc_event ev;
	int rc;

	assert_non_null(s);
	esc_reader *r = esc_reader_open(path, err, sizeof err);
	if (r == NULL)
		fail_msg("cannot read %s: %s", path, err);
	while ((rc = esc_reader_next(r, &ev)) > 0) {
		switch (ev.type) {
		case ESC_EV_ALLOC:
			if (ev.u.alloc.fn == ESC_FN_NEWOBJECT && ev.u.alloc.size < MAX_SIZE) {
				uint32_t depth = 0;
				s->newobjects[ev.u.alloc.size]++;
				s->newobject_goids |= ev.goid < 64 ? UINT64_C(1) << ev.goid : 0;
				esc_reader_stack(r, ev.u.alloc.stack, &depth, NULL);
				if (depth > s->deepest_newobject_stack)
					s->deepest_newobject_stack = depth;
			}
			if (ev.u.alloc.fn < ESC_FN_ALLOC_COUNT && ev.u.alloc.size < MAX_SIZE)
				s->allocs[ev.u.alloc.fn][ev.u.alloc.size]++;
			if (ev.u.alloc.size >= 200 && ev.u.alloc.size < 208 && ev.thread < 64)
				s->allocs_by_thread[ev.thread]++;
			break;
		case ESC_EV_FREE:
			s->frees++;
			s->frees_unknown += ev.u.free.block.kind == ESC_REF_UNKNOWN;
			s->frees_live += ev.u.free.block.live;
			s->sweeps += ev.u.free.fn == ESC_FN_SWEEP;
			break;
		case ESC_EV_GO_CREATE:
			s->go_creates++;
			break;
		case ESC_EV_GO_EXIT:
			s->go_exits++;
			break;
		case ESC_EV_GC_START:
			s->gc_starts++;
			break;
		case ESC_EV_GC_END:
			s->gc_ends++;
			break;
		case ESC_EV_STACK_GROW:
			s->stack_grows++;
			break;
		case ESC_EV_LOST:
			s->lost += ev.u.lost.count;
			break;
		case ESC_EV_END:
			s->end = true;
			s->end_reason = ev.u.end.reason;
			s->end_status = ev.u.end.status;
			break;
		default:
			break;
		}
	}
	s->damaged = rc < 0;
	s->truncated = esc_reader_truncated(r);
	esc_reader_close(r);
	return s;
}

/* Allocations of `size` bytes by any function. */
static uint64_t count_size(const struct summary *s, size_t size)
{
	uint64_t n = 0;
	for (unsigned fn = 0; fn < ESC_FN_ALLOC_COUNT; fn++)
		n += s->allocs[fn][size];
	return n;
}

/* Run argv (NULL-terminated); its exit status, 128+N for signal N.  With
 * out != NULL, stdout goes to a pipe whose read end is returned there. */
static int run_argv(char *const argv[], int *out, pid_t *pidp)
{
	int fds[2] = {-1, -1};

	if (out != NULL)
		assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (out != NULL) {
			dup2(fds[1], 1);
			close(fds[0]);
			close(fds[1]);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (out != NULL) {
		close(fds[1]);
		*out = fds[0];
		*pidp = pid;
		return 0;
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* snprintf that fails the test rather than truncate. */
#define FORMAT(buf, len, ...) assert_true((size_t)snprintf(buf, len, __VA_ARGS__) < (len))

static void prog_path(char *buf, size_t len, const char *prog)
{
	FORMAT(buf, len, "%s/tests/tracer/%s", builddir, prog);
}

static void trace_path(char *buf, size_t len, const char *name)
{
	FORMAT(buf, len, "%s/%s", tmpdir, name);
}

/* escapade record [OPTION] -o TMP/NAME -- tests/tracer/PROG [ARG] */
static int record_full(const char *option, const char *name, const char *prog, const char *arg)
{
	char trace[PATH_MAX], path[PATH_MAX];

	trace_path(trace, sizeof trace, name);
	prog_path(path, sizeof path, prog);
	char *argv[] = {escapade, "record", "-o", trace, "--", path, (char *)arg, NULL, NULL};
	if (option != NULL) { /* escapade record OPTION -o ... */
		memmove(argv + 3, argv + 2, 6 * sizeof *argv);
		argv[2] = (char *)option;
	}
	return run_argv(argv, NULL, NULL);
}

static int record_with(const char *option, const char *name, const char *prog)
{
	return record_full(option, name, prog, NULL);
}

static int record(const char *name, const char *prog)
{
	return record_with(NULL, name, prog);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/escapade-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	(void)state;
	FORMAT(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void check_allfns(const char *option)
{
	char trace[PATH_MAX];

	assert_int_equal(record_with(option, "allfns.trace", "prog_allfns"), 0);
	trace_path(trace, sizeof trace, "allfns.trace");
	struct summary *s = summarize(trace);
	static const unsigned fns[] = {
	        ESC_FN_MALLOC,       ESC_FN_CALLOC,         ESC_FN_REALLOC,
	        ESC_FN_REALLOCARRAY, ESC_FN_POSIX_MEMALIGN, ESC_FN_ALIGNED_ALLOC,
	        ESC_FN_MEMALIGN,     ESC_FN_VALLOC,         ESC_FN_PVALLOC,
	};
	for (unsigned i = 0; i < 9; i++) {
		assert_int_equal(s->allocs[fns[i]][1001 + i], 1);
		assert_int_equal(count_size(s, 1001 + i), 1);
	}
	/* The nine frees name their blocks, and main was live each time. */
	assert_true(s->frees >= 9);
	assert_true(s->frees_live >= 9);
	assert_int_equal(s->lost, 0);
	assert_true(s->end && !s->truncated && !s->damaged);
	assert_int_equal(s->end_reason, ESC_END_EXIT);
	free(s);
}

static void test_allfns(void **state)
{
	(void)state;
	check_allfns(NULL);
}

/* The same through a compact (deflated) trace, and with --cost. */
static void test_allfns_compress_cost(void **state)
{
	(void)state;
	check_allfns("--compress");
	check_allfns("--cost");
}

static void test_threads(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	assert_int_equal(record("threads.trace", "prog_threads"), 0);
	trace_path(trace, sizeof trace, "threads.trace");
	struct summary *s = summarize(trace);
	uint64_t total = 0, workers = 0;
	for (int t = 0; t < 64; t++) {
		if (s->allocs_by_thread[t] == 0)
			continue;
		assert_int_equal(s->allocs_by_thread[t], 1000000);
		total += s->allocs_by_thread[t];
		workers++;
	}
	assert_int_equal(workers, 8);
	assert_int_equal(total, 8000000);
	for (size_t size = 200; size < 208; size++)
		assert_int_equal(s->allocs[ESC_FN_MALLOC][size], 1000000);
	assert_true(s->frees >= 8000000);
	assert_int_equal(s->lost, 0);
	assert_true(s->end && !s->truncated);
	free(s);
}

/* The traces in tmpdir whose names start with prefix. */
static int list_traces(const char *prefix, char names[][PATH_MAX], int max)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < max)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			FORMAT(names[n++], PATH_MAX, "%s/%s", tmpdir, e->d_name);
	closedir(d);
	return n;
}

static void test_fork_exec(void **state)
{
	char names[8][PATH_MAX];
	bool seen[3] = {false, false, false};
	(void)state;

	assert_int_equal(record("fork.trace", "prog_forkexec"), 0);
	int n = list_traces("fork.trace", names, 8);
	assert_int_equal(n, 3); /* FILE, FILE.PID (the child), FILE.PID.1 (after exec) */
	for (int i = 0; i < n; i++) {
		struct summary *s = summarize(names[i]);
		assert_true(s->end && !s->truncated);
		if (count_size(s, 444) == 1) { /* the parent */
			assert_int_equal(count_size(s, 111), 1);
			assert_int_equal(count_size(s, 333), 0);
			seen[0] = true;
		} else if (count_size(s, 333) == 1) { /* the child before exec */
			assert_int_equal(s->end_reason, ESC_END_EXEC);
			assert_int_equal(count_size(s, 111), 0); /* the parent's, not here */
			seen[1] = true;
		} else if (count_size(s, 222) == 1) { /* the exec'd image */
			assert_int_equal(count_size(s, 111), 1);
			seen[2] = true;
		}
		free(s);
	}
	assert_true(seen[0] && seen[1] && seen[2]);
}

static void test_no_follow(void **state)
{
	char trace[PATH_MAX], path[PATH_MAX], names[8][PATH_MAX];
	(void)state;

	trace_path(trace, sizeof trace, "nofollow.trace");
	prog_path(path, sizeof path, "prog_forkexec");
	char *argv[] = {escapade, "record", "--no-follow", "-o", trace, "--", path, NULL};
	assert_int_equal(run_argv(argv, NULL, NULL), 0);
	assert_int_equal(list_traces("nofollow.trace", names, 8), 1);
}

/* Start `escapade record -o TMP/NAME -- PROG` with PROG's stdout on a
 * pipe: returns the pipe's read end; *rec is the recorder's pid. */
static FILE *record_piped(const char *name, const char *prog, char *trace, pid_t *rec)
{
	char path[PATH_MAX];
	int fd;

	trace_path(trace, PATH_MAX, name);
	prog_path(path, sizeof path, prog);
	char *argv[] = {escapade, "record", "-o", trace, "--", path, NULL};
	run_argv(argv, &fd, rec);
	FILE *in = fdopen(fd, "r");
	assert_non_null(in);
	return in;
}

static void test_kill9(void **state)
{
	char trace[PATH_MAX], line[64];
	pid_t rec;
	(void)state;

	FILE *in = record_piped("kill.trace", "prog_kill", trace, &rec);
	int pid = 0;
	unsigned long reported = 0;
	assert_non_null(fgets(line, sizeof line, in));
	assert_int_equal(sscanf(line, "pid %d", &pid), 1);
	while (reported < 50000 && fgets(line, sizeof line, in) != NULL)
		reported = strtoul(line, NULL, 10);
	assert_int_equal(kill(pid, SIGKILL), 0);
	fclose(in);
	int st;
	assert_int_equal(waitpid(rec, &st, 0), rec);
	assert_int_equal(WEXITSTATUS(st), 128 + SIGKILL);
	struct summary *s = summarize(trace);
	assert_true(count_size(s, 4242) >= reported);
	assert_true(s->truncated && !s->end && !s->damaged);
	free(s);
}

static void test_segv_handler(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	assert_int_equal(record("segv.trace", "prog_segv"), 42);
	trace_path(trace, sizeof trace, "segv.trace");
	struct summary *s = summarize(trace);
	assert_int_equal(count_size(s, 1234), 1);
	assert_int_equal(count_size(s, 4321), 1);
	assert_true(s->end && !s->truncated);
	assert_int_equal(s->end_reason, ESC_END__EXIT);
	assert_int_equal(s->end_status, 42);
	free(s);
}

static void test_abort(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	assert_int_equal(record("abort.trace", "prog_abort"), 128 + SIGABRT);
	trace_path(trace, sizeof trace, "abort.trace");
	struct summary *s = summarize(trace);
	assert_int_equal(count_size(s, 5678), 1);
	assert_true(s->truncated && !s->damaged);
	free(s);
}

static void test_signal_in_hook(void **state)
{
	char trace[PATH_MAX], line[64];
	pid_t rec;
	(void)state;

	FILE *in = record_piped("sig.trace", "prog_sigalloc", trace, &rec);
	assert_non_null(fgets(line, sizeof line, in));
	fclose(in);
	int st;
	assert_int_equal(waitpid(rec, &st, 0), rec);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	uint64_t handled = strtoull(line, NULL, 10);
	struct summary *s = summarize(trace);
	assert_int_equal(count_size(s, 608), 1000000);
	/* Each handler run was recorded, or (inside the tracer) counted lost:
	 * its malloc and its free. */
	assert_true(count_size(s, 720) <= handled);
	assert_int_equal(count_size(s, 720) * 2 + s->lost, handled * 2);
	assert_true(s->end && !s->truncated && !s->damaged);
	free(s);
}

static void test_errors(void **state)
{
	char trace[PATH_MAX], marker[PATH_MAX];
	struct stat st;
	(void)state;

	trace_path(trace, sizeof trace, "err.trace");
	trace_path(marker, sizeof marker, "marker");
	char *missing[] = {escapade, "record", "-o", trace, "--", "/nonexistent/prog", NULL};
	assert_int_not_equal(run_argv(missing, NULL, NULL), 0);
	char *unwritable[] = {escapade, "record",         "-o",   "/nonexistent/dir/x.trace",
	                      "--",     "/usr/bin/touch", marker, NULL};
	assert_int_not_equal(run_argv(unwritable, NULL, NULL), 0);
	assert_int_not_equal(stat(marker, &st), 0); /* it never ran */
	if (stat("/sbin/ldconfig", &st) == 0) {     /* static on Debian */
		char *stat_prog[] = {escapade, "record",         "-o", trace,
		                     "--",     "/sbin/ldconfig", "-p", NULL};
		assert_int_not_equal(run_argv(stat_prog, NULL, NULL), 0);
	}
	char *noprog[] = {escapade, "record", NULL};
	assert_int_not_equal(run_argv(noprog, NULL, NULL), 0);
	char *bad[] = {escapade, "record", "--depth", "0", "--", "/bin/true", NULL};
	assert_int_not_equal(run_argv(bad, NULL, NULL), 0);
	char *unknown[] = {escapade, "frobnicate", NULL};
	assert_int_not_equal(run_argv(unknown, NULL, NULL), 0);
	char *help[] = {escapade, "record", "--help", NULL};
	int fd;
	pid_t pid;
	run_argv(help, &fd, &pid);
	char buf[4096] = {0};
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	waitpid(pid, NULL, 0);
	assert_true(n > 0);
	for (const char *opt = "-o\0--depth\0--no-follow\0--cost\0--frames\0"; *opt;
	     opt += strlen(opt) + 1)
		assert_non_null(strstr(buf, opt));
}

/* A program without frame pointers (the shell) goes through libunwind; the
 * exit status and a death by signal come back like a shell's. */
static void test_status_and_unwind(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	trace_path(trace, sizeof trace, "sh.trace");
	char *exit7[] = {escapade, "record", "-o", trace, "--", "/bin/sh", "-c", "exit 7", NULL};
	assert_int_equal(run_argv(exit7, NULL, NULL), 7);
	struct summary *s = summarize(trace);
	assert_true(s->end && !s->damaged);
	free(s);
	char *term[] = {escapade, "record",        "-o", trace, "--", "/bin/sh",
	                "-c",     "kill -TERM $$", NULL};
	assert_int_equal(run_argv(term, NULL, NULL), 128 + SIGTERM);
}

/* gort's probes: newobjects with their goroutines and full stacks (the
 * walk crosses stack segments), the sweeper's frees, goroutines, the GC. */
static void test_gort(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	assert_int_equal(record("gort.trace", "prog_gort"), 0);
	trace_path(trace, sizeof trace, "gort.trace");
	struct summary *s = summarize(trace);
	assert_int_equal(s->newobjects[48], 1000);
	assert_int_equal(s->newobjects[80], 400);
	assert_int_equal(s->newobject_goids, 0x3e); /* goroutines 1..5 */
	assert_true(s->deepest_newobject_stack >= 4);
	assert_true(s->sweeps >= 1000); /* the dropped objects, once collected */
	assert_int_equal(s->go_creates, 5);
	assert_true(s->go_exits >= 4);
	assert_int_equal(s->gc_starts, 1);
	assert_int_equal(s->gc_ends, 1);
	assert_true(s->stack_grows > 0);
	assert_int_equal(s->lost, 0);
	assert_true(s->end && !s->truncated && !s->damaged);
	free(s);
}

/* The most times one PC occurs in the stack of the allocations of `size`
 * bytes by fn (a recursion's frames all return to one call site); -1 when
 * there is none, or one is truncated. */
static int deepest_recursion(const char *trace, unsigned fn, uint64_t size)
{
	char err[256];
	struct esc_event ev;
	int best = -1;

	esc_reader *r = esc_reader_open(trace, err, sizeof err);
	if (r == NULL)
		fail_msg("cannot read %s: %s", trace, err);
	while (esc_reader_next(r, &ev) > 0) {
		if (ev.type != ESC_EV_ALLOC || ev.u.alloc.fn != fn || ev.u.alloc.size != size)
			continue;
		uint32_t depth = 0;
		bool truncated = true;
		const uint64_t *pcs = esc_reader_stack(r, ev.u.alloc.stack, &depth, &truncated);
		if (pcs == NULL || truncated)
			return -1;
		for (uint32_t i = 0; i < depth; i++) {
			int n = 0;
			for (uint32_t j = 0; j < depth; j++)
				n += pcs[j] == pcs[i];
			if (n > best)
				best = n;
		}
	}
	esc_reader_close(r);
	return best;
}

/* A gort program 60 frames of 300 KB deep (twenty-odd stack segments):
 * the newobject (walked from the probe, on the tracer's stack) and the
 * malloc (walked from the hook, on the segment) at the bottom have every
 * level in their stacks. */
static void test_gort_deep(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	assert_int_equal(record_full(NULL, "deep.trace", "prog_gort_deep", "deep"), 0);
	trace_path(trace, sizeof trace, "deep.trace");
	assert_int_equal(deepest_recursion(trace, ESC_FN_NEWOBJECT, 24), 60);
	assert_int_equal(deepest_recursion(trace, ESC_FN_MALLOC, 24), 60);
	struct summary *s = summarize(trace);
	assert_true(s->stack_grows >= 20);
	assert_int_equal(s->lost, 0);
	assert_true(s->end && !s->truncated && !s->damaged);
	free(s);
}

/* A frame link into a stack segment the runtime has unmapped: the walk
 * must stop there, and the program run on. */
static void test_gort_stale_segment(void **state)
{
	char trace[PATH_MAX];
	(void)state;

	assert_int_equal(record_full(NULL, "stale.trace", "prog_gort_deep", "stale"), 0);
	trace_path(trace, sizeof trace, "stale.trace");
	struct summary *s = summarize(trace);
	assert_true(s->end && !s->damaged);
	assert_int_equal(s->allocs[ESC_FN_MALLOC][24], 2);
	free(s);
}

/* Walks whose links lead to unmapped memory, as fast as the program can
 * make them for 300 ms: the tracer keeps nothing per walk (the program
 * checks its address space). */
static void test_gort_garbage_links(void **state)
{
	(void)state;
	assert_int_equal(record_full(NULL, "churn.trace", "prog_gort_deep", "churn"), 0);
}

/* Blocks freed by another thread: in the reader's time-merged order, each
 * free comes after its allocation, and names it. */
static void test_handoff(void **state)
{
	char trace[PATH_MAX], err[256];
	struct esc_event ev;
	uint64_t *made = calloc(200000, sizeof *made), nmade = 0, remote = 0;
	(void)state;

	assert_non_null(made);
	assert_int_equal(record("handoff.trace", "prog_handoff"), 0);
	trace_path(trace, sizeof trace, "handoff.trace");
	esc_reader *r = esc_reader_open(trace, err, sizeof err);
	assert_non_null(r);
	while (esc_reader_next(r, &ev) > 0) {
		if (ev.type == ESC_EV_ALLOC && ev.u.alloc.size == 3131 && nmade < 200000)
			made[nmade++] = ev.u.alloc.id;
		if (ev.type != ESC_EV_FREE || ev.u.free.block.kind != ESC_REF_REMOTE)
			continue;
		bool seen = false;
		for (uint64_t i = nmade; i-- > 0 && !seen;) /* recent ones first */
			seen = made[i] == ev.u.free.block.id;
		if (seen)
			remote++;
		else
			fail_msg("free of block %llx before its allocation",
			         (unsigned long long)ev.u.free.block.id);
	}
	assert_int_equal(nmade, 100000);
	assert_int_equal(remote, 100000);
	esc_reader_close(r);
	free(made);
}

/* --frames: main and ten levels of down(), each exit matched, each level's
 * frame at least its 1000-byte buffer below its caller's. */
static void test_frames(void **state)
{
	char trace[PATH_MAX], err[256];
	uint64_t sps[64], fns[64];
	int depth = 0, enters = 0, exits = 0, deepest = 0;
	struct esc_event ev;
	(void)state;

	assert_int_equal(record_with("--frames", "frames.trace", "prog_frames"), 0);
	trace_path(trace, sizeof trace, "frames.trace");
	esc_reader *r = esc_reader_open(trace, err, sizeof err);
	assert_non_null(r);
	while (esc_reader_next(r, &ev) > 0) {
		if (ev.type == ESC_EV_FRAME_ENTER) {
			assert_true(depth < 64);
			if (depth > 0 &&
			    fns[depth - 1] == ev.u.frame.fn) /* down() calling down() */
				assert_true(sps[depth - 1] - ev.u.frame.sp >= 1000);
			fns[depth] = ev.u.frame.fn;
			sps[depth++] = ev.u.frame.sp;
			enters++;
			if (depth > deepest)
				deepest = depth;
		} else if (ev.type == ESC_EV_FRAME_EXIT) {
			assert_true(depth > 0);
			depth--;
			exits++;
		}
	}
	assert_int_equal(enters, 11);
	assert_int_equal(exits, 11);
	assert_int_equal(deepest, 11);
	esc_reader_close(r);

	/* Without --frames, nothing. */
	assert_int_equal(record("noframes.trace", "prog_frames"), 0);
	trace_path(trace, sizeof trace, "noframes.trace");
	r = esc_reader_open(trace, err, sizeof err);
	assert_non_null(r);
	while (esc_reader_next(r, &ev) > 0)
		assert_true(ev.type != ESC_EV_FRAME_ENTER && ev.type != ESC_EV_FRAME_EXIT);
	esc_reader_close(r);
}

int main(void)
{
	const char *b = getenv("top_builddir");
	if ((size_t)snprintf(builddir, sizeof builddir, "%s", b ? b : ".") >= sizeof builddir ||
	    (size_t)snprintf(escapade, sizeof escapade, "%s/viewer/escapade", builddir) >=
	            sizeof escapade)
		return 1;
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_allfns, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_allfns_compress_cost, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fork_exec, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_no_follow, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_segv_handler, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_signal_in_hook, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_status_and_unwind, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_gort, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_gort_deep, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_gort_stale_segment, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_gort_garbage_links, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_frames, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_handoff, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
