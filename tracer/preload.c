/*
 * preload.c — libescapade.so's life: start-up, options, threads, and the
 * ways a process ends or multiplies (exit, _exit, quick_exit, fork, exec).
 *
 * Start-up (the constructor, which runs before the program's own): resolve
 * the real allocator, read the options `escapade record` left in the
 * environment, open the trace, record the module map, hook up gort's
 * probes, register fork handlers, then switch recording on.  Until then
 * every hook only forwards.
 *
 * Where the trace goes: ESCAPADE_OUTPUT names it.  The first image started
 * by `escapade record` (ESCAPADE_ROOT=1, removed from the environment once
 * read) writes FILE itself; every other image — a forked child, a program
 * exec'd later — writes FILE.PID (FILE.PID.1, .2 ... when that exists
 * already, as it does when a forked child execs).  --no-follow
 * (ESCAPADE_NO_FOLLOW=1) leaves those untraced.
 *
 * Threads get their state on their first event: an index, their stack's
 * bounds (from /proc/self/maps: pthread_getattr_np would allocate), and a
 * THREAD_NAME record.
 *
 * Endings: a destructor handles exit() and return from main; _exit, _Exit
 * and quick_exit are interposed, as are the exec family (which end this
 * image's trace first).  A process whose pid is not the trace's (a vfork
 * child, sharing our memory) must touch nothing, so those paths check.
 * Crashes need nothing: the mapping holds every committed record.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

#define EXPORT __attribute__((visibility("default")))

struct esc_options esc_opt = {.depth = 256, .follow = true, .time_sample = 16};
volatile int esc_state;
__thread struct tstate *esc_self TLS_IE;

static pid_t trace_pid;
static int exit_status = -1;
static char base_path[ESC_MAX_PATH];

uint32_t esc_gettid(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

static pid_t real_getpid(void)
{
	return (pid_t)syscall(SYS_getpid);
}

/* ---- threads ------------------------------------------------------------------ */

static void stack_bounds(struct tstate *t)
{
	uintptr_t here = (uintptr_t)__builtin_frame_address(0), lo = 0, hi = 0;
	struct rlimit rl;

	if (!maps_find(here, &lo, &hi))
		return;
	/* The main thread's stack grows below its mapping's current start. */
	if (t->tid == (uint32_t)real_getpid() && getrlimit(RLIMIT_STACK, &rl) == 0) {
		uintptr_t lim = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > ((uintptr_t)1 << 32)
		                        ? (uintptr_t)1 << 32
		                        : rl.rlim_cur;
		lo = hi > lim ? hi - lim : 0;
	}
	t->stack_lo = lo;
	t->stack_hi = hi;
}

static void record_thread_name(struct tstate *t)
{
	char path[64], name[ESC_MAX_NAME + 1];

	snprintf(path, sizeof path, "/proc/self/task/%u/comm", t->tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, name, ESC_MAX_NAME);
	close(fd);
	if (n <= 0)
		return;
	while (n > 0 && (name[n - 1] == '\n' || name[n - 1] == '\0'))
		n--;
	name[n] = '\0';
	writer_thread_name(t, name);
}

/* Give t a fresh identity in the current trace. */
static void thread_start(struct tstate *t)
{
	t->index = writer_new_thread_index();
	t->tid = esc_gettid();
	t->chunk = NULL;
	t->seq = 0;
	t->goid = 0;
	t->lost = 0;
	t->last_module[0] = t->last_module[1] = NULL;
	t->clock_skip = 0;
	stack_bounds(t);
	record_thread_name(t);
}

/* States of threads that ended, for new threads to reuse: a program that
 * starts thousands of short threads must not grow the tracer by a state
 * (and a stack table) each. */
static struct tstate *spare_states;
static esc_spin spare_spin;
static pthread_key_t exit_key;
static bool exit_key_ok;

/* A thread ends (pthread key destructor): its state becomes a spare.  If
 * the thread allocates again later in its exit, it gets another state. */
static void thread_exit(void *arg)
{
	struct tstate *t = arg;

	if (esc_self != t || t->busy)
		return;
	writer_thread_done(t);
	esc_self = NULL;
	spin_lock(&spare_spin);
	t->next_spare = spare_states;
	spare_states = t;
	spin_unlock(&spare_spin);
}

static struct tstate *spare_state(void)
{
	spin_lock(&spare_spin);
	struct tstate *t = spare_states;
	if (t != NULL)
		spare_states = t->next_spare;
	spin_unlock(&spare_spin);
	if (t != NULL)
		stacks_reset(t);
	return t;
}

struct tstate *tstate_get(void)
{
	struct tstate *t = esc_self;

	if (t != NULL)
		return t;
	t = spare_state();
	if (t == NULL) {
		t = arena_alloc(sizeof *t);
		if (t == NULL)
			return NULL;
		stacks_thread_init(t);
	}
	t->busy = 1;
	esc_self = t;
	KEEP_ERRNO(thread_start(t));
	if (exit_key_ok)
		pthread_setspecific(exit_key, t);
	t->busy = 0;
	return t;
}

EXPORT int pthread_setname_np(pthread_t th, const char *name)
{
	static int (*real)(pthread_t, const char *);

	if (real == NULL)
		real = (int (*)(pthread_t, const char *))dlsym(RTLD_NEXT, "pthread_setname_np");
	if (real == NULL)
		return -1;
	int rc = real(th, name);
	if (rc == 0 && pthread_equal(th, pthread_self()) && esc_state == ESC_ON) {
		struct tstate *t = tstate_get();
		if (t != NULL && !t->busy) {
			t->busy = 1;
			writer_thread_name(t, name);
			t->busy = 0;
		}
	}
	return rc;
}

EXPORT void *dlopen(const char *file, int mode)
{
	static void *(*real)(const char *, int);

	if (real == NULL)
		real = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	void *h = real(file, mode);
	if (h != NULL && esc_state == ESC_ON) {
		struct tstate *t = tstate_get();
		if (t != NULL && !t->busy) {
			t->busy = 1;
			KEEP_ERRNO(modules_scan(t));
			t->busy = 0;
		}
	}
	return h;
}

/* ---- options and the file name ------------------------------------------------- */

static bool env_flag(const char *name)
{
	const char *v = getenv(name);
	return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

static void read_options(void)
{
	const char *v = getenv("ESCAPADE_DEPTH");

	if (v != NULL) {
		long d = strtol(v, NULL, 10);
		if (d >= 1 && d <= (long)ESC_MAX_DEPTH)
			esc_opt.depth = (unsigned)d;
	}
	esc_opt.cost = env_flag("ESCAPADE_COST");
	esc_opt.frames = env_flag("ESCAPADE_FRAMES");
	esc_opt.follow = !env_flag("ESCAPADE_NO_FOLLOW");
	esc_opt.compact = env_flag("ESCAPADE_COMPACT");
	v = getenv("ESCAPADE_TIME_SAMPLE");
	if (v != NULL) {
		long n = strtol(v, NULL, 10);
		if (n >= 1 && n <= 1000000)
			esc_opt.time_sample = (unsigned)n;
	}
	v = getenv("ESCAPADE_UNWIND");
	if (v != NULL && strcmp(v, "fp") == 0)
		esc_opt.unwind = UNWIND_FP;
	else if (v != NULL && strcmp(v, "dwarf") == 0)
		esc_opt.unwind = UNWIND_DWARF;
}

/* The program's short name, for the default file name. */
static const char *prog_name(char *buf, size_t len)
{
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	while (n > 0 && (buf[n - 1] == '\n'))
		n--;
	buf[n > 0 ? n : 0] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '/')
			*p = '_';
	return n > 0 ? buf : "prog";
}

/* Open the trace for this image (root: the file itself; others: FILE.PID,
 * then FILE.PID.N while those exist). */
static int open_trace(bool root)
{
	char path[ESC_MAX_PATH], name[32], err[256];
	pid_t pid = real_getpid();
	int n;

	if (base_path[0] == '\0') {
		const char *out = getenv("ESCAPADE_OUTPUT");
		if (out != NULL && out[0] != '\0')
			snprintf(base_path, sizeof base_path, "%s", out);
		else
			snprintf(base_path, sizeof base_path, "escapade.%s.%d.trace",
			         prog_name(name, sizeof name), (int)pid);
		if (out == NULL || out[0] == '\0')
			root = true;
	}
	if (root)
		n = snprintf(path, sizeof path, "%s", base_path);
	else
		n = snprintf(path, sizeof path, "%s.%d", base_path, (int)pid);
	for (int i = 1; !root && access(path, F_OK) == 0 && i < 1000; i++)
		n = snprintf(path, sizeof path, "%s.%d.%d", base_path, (int)pid, i);
	if (n < 0 || (size_t)n >= sizeof path) {
		fprintf(stderr, "escapade: trace path too long\n");
		return -1;
	}
	if (writer_open(path, err, sizeof err) < 0) {
		fprintf(stderr, "escapade: cannot write the trace: %s\n", err);
		return -1;
	}
	trace_pid = pid;
	return 0;
}

/* ---- fork ---------------------------------------------------------------------- */

static void fork_prepare(void)
{
	blocks_lock_all();
	writer_lock_all();
	arena_lock_all();
}

static void fork_parent(void)
{
	arena_unlock_all();
	writer_unlock_all();
	blocks_unlock_all();
}

static void fork_child(void)
{
	fork_parent();
	if (esc_state != ESC_ON)
		return;
	writer_forget();
	if (!esc_opt.follow || open_trace(false) < 0) {
		esc_state = ESC_DONE;
		return;
	}
	struct tstate *t = esc_self;
	blocks_reset();
	modules_reset();
	if (t == NULL)
		t = tstate_get();
	if (t == NULL)
		return;
	int busy = t->busy;
	t->busy = 1;
	stacks_reset(t);
	thread_start(t);
	modules_scan(t);
	t->busy = busy;
}

/* ---- start and end -------------------------------------------------------------- */

__attribute__((constructor)) static void escapade_init(void)
{
	hooks_resolve();
	read_options();
	stacks_init();
	exit_key_ok = pthread_key_create(&exit_key, thread_exit) == 0;
	bool root = env_flag("ESCAPADE_ROOT");
	if (root)
		unsetenv("ESCAPADE_ROOT");
	else if (!esc_opt.follow && getenv("ESCAPADE_OUTPUT") != NULL)
		return; /* an exec'd image under --no-follow */
	if (open_trace(root) < 0)
		return;
	struct tstate *t = tstate_get();
	if (t == NULL)
		return;
	t->busy = 1;
	modules_scan(t);
	gort_attach();
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	t->busy = 0;
	__atomic_store_n(&esc_state, ESC_ON, __ATOMIC_RELEASE);
}

/* May this process end the trace?  Not a vfork child sharing our memory. */
static bool owner(void)
{
	return esc_state == ESC_ON && real_getpid() == trace_pid;
}

__attribute__((destructor)) static void escapade_fini(void)
{
	if (owner()) {
		gort_record_states();
		writer_finish(ESC_END_EXIT, exit_status, esc_opt.compact);
	}
}

#define REAL(type, name) ((type)dlsym(RTLD_NEXT, name))

EXPORT __attribute__((noreturn)) void exit(int status)
{
	exit_status = status;
	REAL(void (*)(int), "exit")(status);
	__builtin_unreachable();
}

/* End the trace, then the process through the real function `name`. */
static __attribute__((noreturn)) void end_then(unsigned reason, int status, const char *name)
{
	if (owner()) {
		gort_record_states();
		writer_finish(reason, status, esc_opt.compact);
	}
	REAL(void (*)(int), name)(status);
	__builtin_unreachable();
}

EXPORT __attribute__((noreturn)) void _exit(int status)
{
	end_then(ESC_END__EXIT, status, "_exit");
}

EXPORT __attribute__((noreturn)) void _Exit(int status)
{
	end_then(ESC_END__EXIT, status, "_Exit");
}

EXPORT __attribute__((noreturn)) void quick_exit(int status)
{
	end_then(ESC_END_QUICK_EXIT, status, "quick_exit");
}

/* The exec family ends this image's trace: the new image opens its own. */
static void before_exec(void)
{
	if (owner())
		writer_finish(ESC_END_EXEC, 0, esc_opt.compact);
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	before_exec();
	return REAL(int (*)(const char *, char *const[], char *const[]), "execve")(path, argv,
	                                                                           envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
	before_exec();
	return REAL(int (*)(const char *, char *const[]), "execv")(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	before_exec();
	return REAL(int (*)(const char *, char *const[]), "execvp")(file, argv);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	before_exec();
	return REAL(int (*)(const char *, char *const[], char *const[]), "execvpe")(file, argv,
	                                                                            envp);
}

/* execl, execle and execlp gather their arguments into an argv here: in
 * glibc they call execve internally, past any interposition. */
#define GATHER_ARGS(arg, argv, last)                                                               \
	va_list ap_;                                                                               \
	size_t n_ = 1;                                                                             \
	va_start(ap_, arg);                                                                        \
	while (va_arg(ap_, char *) != NULL)                                                        \
		n_++;                                                                              \
	va_end(ap_);                                                                               \
	char **argv = __builtin_alloca((n_ + 1) * sizeof *argv);                                   \
	va_start(ap_, arg);                                                                        \
	argv[0] = (char *)(arg);                                                                   \
	for (size_t i_ = 1; i_ <= n_; i_++)                                                        \
		argv[i_] = va_arg(ap_, char *);                                                    \
	last;                                                                                      \
	va_end(ap_)

EXPORT int execl(const char *path, const char *arg, ...)
{
	GATHER_ARGS(arg, argv, (void)0);
	return execv(path, argv);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	GATHER_ARGS(arg, argv, (void)0);
	return execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char **envp;
	GATHER_ARGS(arg, argv, envp = va_arg(ap_, char **));
	return execve(path, argv, envp);
}
