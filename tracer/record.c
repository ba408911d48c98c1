/*
 * record.c — `escapade record [options] -- PROG ARGS...`.
 *
 * Checks everything that can be checked before the program runs (PROG
 * exists, is executable, is a dynamically linked ELF and not set-uid —
 * LD_PRELOAD cannot reach the others — and the trace can be written), then
 * forks, puts libescapade.so in front of LD_PRELOAD, passes the options in
 * ESCAPADE_* variables (preload.c reads them), and execs PROG.  It waits and
 * exits with PROG's status, or 128+N when PROG died of signal N, as a shell
 * does.  While it waits it ignores SIGINT and SIGQUIT, which the terminal
 * sends to PROG as well.
 *
 * libescapade.so is found, in order: $ESCAPADE_PRELOAD; next to this binary
 * in a build tree (../tracer/.libs/); the installed libdir.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tracer/format.h"
#include "viewer/commands.h"

#ifndef ESCAPADE_LIBDIR
#define ESCAPADE_LIBDIR "/usr/local/lib"
#endif

struct record_opts {
	const char *output;
	unsigned depth, time_sample;
	long verdict_sample; /* -1: the library's default */
	bool no_follow, cost, frames, compress;
};

static void record_usage(FILE *out)
{
	fprintf(out,
	        "usage: escapade record [-o FILE] [--depth N] [--time-sample N] [--no-follow] "
	        "[--cost]\n"
	        "                       [--compress] [--frames] [--verdict-sample N] -- PROG "
	        "[ARGS...]\n\n"
	        "Run PROG with libescapade.so preloaded and record every malloc-family call,\n"
	        "every gort newobject and stack event, with its call stack, into a trace.\n"
	        "Exits with PROG's status (128+N when PROG died of signal N).\n\n"
	        "options:\n"
	        "  -o, --output FILE  write the trace to FILE (default: escapade.PROG.PID.trace);\n"
	        "                     a forked or exec'd child writes FILE.PID\n"
	        "  --depth N          record at most N frames per stack (default 256, max %u);\n"
	        "                     deeper stacks are marked truncated\n"
	        "  --no-follow        do not trace forked children and exec'd programs\n"
	        "  --time-sample N    read the clock every N events of a thread; the events\n"
	        "                     between share its reading (default 16; 1: every event)\n"
	        "  --cost             time each call inside the real allocator (clock ticks\n"
	        "                     around the forwarded call, never the tracer's own work)\n"
	        "  --compress         at a clean exit, rewrite the trace deflated (zlib): about\n"
	        "                     a third of the size, for some time at exit\n"
	        "  --frames           record every function entry and exit (with the stack\n"
	        "                     pointer) of code built with -finstrument-functions:\n"
	        "                     stack bytes per call path (gort programs too: gort\n"
	        "                     forwards the calls to the tracer)\n"
	        "  --verdict-sample N judge the first N gort objects of each allocation site:\n"
	        "                     escaped or frame-local, checked when the allocating\n"
	        "                     frame returns (default 4; 0: no verdicts)\n"
	        "  -h, --help         show this help\n\n"
	        "environment:\n"
	        "  ESCAPADE_PRELOAD   path of libescapade.so to use\n"
	        "  ESCAPADE_UNWIND    fp or dwarf: force one stack walker (default: per module)\n",
	        ESC_MAX_DEPTH);
}

/* PROG as a path: itself when it has a '/', else the first match in PATH. */
static bool find_prog(const char *prog, char *out, size_t len)
{
	if (strchr(prog, '/') != NULL) {
		snprintf(out, len, "%s", prog);
		return access(out, F_OK) == 0;
	}
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *end = strchrnul(path, ':');
		int n = snprintf(out, len, "%.*s/%s", (int)(end - path), path, prog);
		if (n > 0 && (size_t)n < len && access(out, X_OK) == 0)
			return true;
		path = *end ? end + 1 : end;
	}
	return false;
}

/* Can the preloaded tracer reach PROG?  NULL when yes, else why not. */
static const char *check_prog(const char *path)
{
	struct stat st;
	Elf64_Ehdr eh;
	static char why[256];

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return "not an executable file";
	if (st.st_mode & (S_ISUID | S_ISGID))
		return "set-uid/set-gid: the dynamic loader ignores LD_PRELOAD for it";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return strerror(errno);
	ssize_t n = pread(fd, &eh, sizeof eh, 0);
	if (n >= 2 && memcmp(&eh, "#!", 2) == 0) {
		close(fd);
		return NULL; /* a script: its interpreter is traced */
	}
	if (n != (ssize_t)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr)) {
		close(fd);
		return "not a 64-bit ELF executable";
	}
	bool interp = false;
	for (unsigned i = 0; i < eh.e_phnum && i < 4096; i++) {
		Elf64_Phdr ph;
		if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != sizeof ph)
			break;
		if (ph.p_type == PT_INTERP)
			interp = true;
	}
	close(fd);
	if (!interp) {
		snprintf(why, sizeof why, "statically linked: LD_PRELOAD cannot reach it");
		return why;
	}
	return NULL;
}

static bool find_preload(char *out, size_t len)
{
	const char *env = getenv("ESCAPADE_PRELOAD");
	char self[PATH_MAX];

	if (env != NULL && env[0] != '\0') {
		snprintf(out, len, "%s", env);
		return access(out, R_OK) == 0;
	}
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			/* viewer/escapade or viewer/.libs/escapade in a build tree */
			const char *rel[] = {"/../tracer/.libs/libescapade.so",
			                     "/../../tracer/.libs/libescapade.so"};
			for (size_t i = 0; i < 2; i++) {
				int k = snprintf(out, len, "%s%s", self, rel[i]);
				if (k > 0 && (size_t)k < len && access(out, R_OK) == 0)
					return true;
			}
		}
	}
	snprintf(out, len, "%s/libescapade.so", ESCAPADE_LIBDIR);
	return access(out, R_OK) == 0;
}

static int parse(int argc, char **argv, struct record_opts *o)
{
	static const struct option longs[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"depth", required_argument, NULL, 'd'},
	        {"no-follow", no_argument, NULL, 'n'},
	        {"cost", no_argument, NULL, 'c'},
	        {"frames", no_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {"compress", no_argument, NULL, 'z'},
	        {"time-sample", required_argument, NULL, 't'},
	        {"verdict-sample", required_argument, NULL, 'v'},
	        {NULL, 0, NULL, 0},
	};
	int c;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:h", longs, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'd':
			errno = 0;
			long d = strtol(optarg, &end, 10);
			if (errno || *end || d < 1 || d > (long)ESC_MAX_DEPTH) {
				fprintf(stderr, "escapade record: --depth wants 1..%u, not '%s'\n",
				        ESC_MAX_DEPTH, optarg);
				return -1;
			}
			o->depth = (unsigned)d;
			break;
		case 't':
			errno = 0;
			long ts = strtol(optarg, &end, 10);
			if (errno || *end || ts < 1 || ts > 1000000) {
				fprintf(stderr,
				        "escapade record: --time-sample wants 1..1000000, not "
				        "'%s'\n",
				        optarg);
				return -1;
			}
			o->time_sample = (unsigned)ts;
			break;
		case 'v':
			errno = 0;
			long vs = strtol(optarg, &end, 10);
			if (errno || *end || vs < 0 || vs > 1000000) {
				fprintf(stderr,
				        "escapade record: --verdict-sample wants 0..1000000, not "
				        "'%s'\n",
				        optarg);
				return -1;
			}
			o->verdict_sample = vs;
			break;
		case 'n':
			o->no_follow = true;
			break;
		case 'c':
			o->cost = true;
			break;
		case 'f':
			o->frames = true;
			break;
		case 'z':
			o->compress = true;
			break;
		case 'h':
			record_usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "escapade record: see escapade record --help\n");
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
		        "escapade record: no program to run (escapade record -- PROG ARGS)\n");
		return -1;
	}
	return optind;
}

/* Absolute form of a path, so that children in other directories agree. */
static void absolute(const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];

	int n = -1;

	if (path[0] != '/' && getcwd(cwd, sizeof cwd) != NULL)
		n = snprintf(out, len, "%s/%s", cwd, path);
	if (n < 0 || (size_t)n >= len)
		snprintf(out, len, "%s", path);
}

static bool output_writable(const char *output)
{
	if (output == NULL)
		return access(".", W_OK) == 0;
	int fd = open(output, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void set_env(const struct record_opts *o, const char *lib, const char *prog, char *trace,
                    size_t len)
{
	char buf[PATH_MAX * 2];
	const char *old = getenv("LD_PRELOAD");

	snprintf(buf, sizeof buf, "%s%s%s", lib, old && *old ? ":" : "", old ? old : "");
	setenv("LD_PRELOAD", buf, 1);
	if (o->output != NULL) {
		absolute(o->output, trace, len);
	} else {
		const char *base = strrchr(prog, '/');
		snprintf(buf, sizeof buf, "escapade.%s.%d.trace", base ? base + 1 : prog,
		         (int)getpid());
		absolute(buf, trace, len);
	}
	setenv("ESCAPADE_OUTPUT", trace, 1);
	setenv("ESCAPADE_ROOT", "1", 1);
	snprintf(buf, sizeof buf, "%u", o->depth);
	setenv("ESCAPADE_DEPTH", buf, 1);
	if (o->cost)
		setenv("ESCAPADE_COST", "1", 1);
	if (o->frames)
		setenv("ESCAPADE_FRAMES", "1", 1);
	if (o->time_sample != 0) {
		snprintf(buf, sizeof buf, "%u", o->time_sample);
		setenv("ESCAPADE_TIME_SAMPLE", buf, 1);
	}
	if (o->verdict_sample >= 0) {
		snprintf(buf, sizeof buf, "%ld", o->verdict_sample);
		setenv("ESCAPADE_VERDICT_SAMPLE", buf, 1);
	}
	if (o->no_follow)
		setenv("ESCAPADE_NO_FOLLOW", "1", 1);
	if (o->compress)
		setenv("ESCAPADE_COMPACT", "1", 1);
}

/* Say where the trace went (stderr: stdout is the program's). */
static void report_trace(const struct record_opts *o, const char *prog, pid_t pid)
{
	char path[PATH_MAX];
	const char *base = strrchr(prog, '/');

	if (o->output != NULL)
		snprintf(path, sizeof path, "%s", o->output);
	else
		snprintf(path, sizeof path, "escapade.%s.%d.trace", base ? base + 1 : prog,
		         (int)pid);
	if (access(path, F_OK) == 0)
		fprintf(stderr, "escapade record: trace written to %s\n", path);
	else
		fprintf(stderr, "escapade record: no trace was written to %s\n", path);
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = {.depth = 256, .verdict_sample = -1};
	char prog[PATH_MAX], lib[PATH_MAX], trace[PATH_MAX];
	int first = parse(argc, argv, &o);

	if (first < 0)
		return 2;
	if (!find_prog(argv[first], prog, sizeof prog)) {
		fprintf(stderr, "escapade record: %s: no such program\n", argv[first]);
		return 127;
	}
	const char *why = check_prog(prog);
	if (why != NULL) {
		fprintf(stderr, "escapade record: %s: %s\n", prog, why);
		return 126;
	}
	if (!find_preload(lib, sizeof lib)) {
		fprintf(stderr,
		        "escapade record: cannot find libescapade.so (tried %s; set "
		        "ESCAPADE_PRELOAD)\n",
		        lib);
		return 2;
	}
	if (!output_writable(o.output)) {
		fprintf(stderr, "escapade record: cannot write the trace %s: %s\n",
		        o.output ? o.output : "in the current directory", strerror(errno));
		return 2;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		perror("escapade record: pipe");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("escapade record: fork");
		return 2;
	}
	if (pid == 0) {
		close(pipefd[0]);
		set_env(&o, lib, argv[first], trace, sizeof trace);
		execv(prog, argv + first);
		int e = errno;
		if (write(pipefd[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	close(pipefd[1]);
	int e = 0;
	bool exec_failed = read(pipefd[0], &e, sizeof e) == (ssize_t)sizeof e;
	close(pipefd[0]);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("escapade record: waitpid");
			return 2;
		}
	if (exec_failed) {
		fprintf(stderr, "escapade record: %s: %s\n", prog, strerror(e));
		return 127;
	}
	report_trace(&o, argv[first], pid);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
