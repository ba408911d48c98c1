/*
 * proc.c — goroutines and the scheduler: Go's G, M and P.
 *
 * A G is a goroutine: its saved context (gobuf: stack pointer and stack
 * guard, the callee-saved registers being on its own stack), its stack
 * segments, and why it waits.  An M is a thread; it runs goroutines when it
 * holds a P, which owns the run queue, the timers, the free Gs and (for the
 * heap) an mcache.  There is one M and one P for now (GOMAXPROCS=1); the
 * structures are the ones more threads will need.
 *
 * Scheduling is cooperative, and switches go straight from one goroutine to
 * the next: gosched puts the running G at the tail of the run queue, takes
 * the head and calls gogo_switch (asm_amd64.S).  Nothing runs on the system
 * stack on the way unless there is something to wait for: when the run
 * queue is empty, findrunnable goes to the system stack (systemstack()) to
 * sleep until the next timer, or to report Go's "all goroutines are asleep
 * - deadlock!" when no timer can wake anyone.
 *
 * A goroutine that ends goes to the P's free list with its first segment
 * (its spares go back to the stack pool), so the next gort_go reuses G and
 * stack without allocating: create + run + exit touches no allocator.
 *
 * gort_main runs on the calling thread's stack, which becomes the M's system
 * stack (g0): it creates the main goroutine and switches to it; when the main
 * goroutine's function returns, the switch comes back and gort_main returns
 * 0, whatever the other goroutines are doing.  They are discarded, so
 * gort_main can be called again (the tests do).
 *
 * With one thread and no preemption, nothing here needs a lock: a goroutine
 * runs until it parks, yields or ends.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

_Static_assert(offsetof(struct gort_g, schedlink) == G_SCHEDLINK, "asmdefs.h G_SCHEDLINK");
_Static_assert(offsetof(struct gort_g, status) == G_STATUS, "asmdefs.h G_STATUS");
_Static_assert(offsetof(m, curg) == M_CURG, "asmdefs.h M_CURG");
_Static_assert(offsetof(p, runqhead) == P_RUNQHEAD, "asmdefs.h P_RUNQHEAD");
_Static_assert(offsetof(p, runqtail) == P_RUNQTAIL, "asmdefs.h P_RUNQTAIL");
_Static_assert(offsetof(p, ntimers) == P_NTIMERS, "asmdefs.h P_NTIMERS");
_Static_assert(G_RUNNABLE == G_STATUS_RUNNABLE && G_RUNNING == G_STATUS_RUNNING,
               "asmdefs.h G_STATUS_*");

m m0 = {.p = &p0};
p p0 = {.fastrand = 0x9e3779b97f4a7c15ull};
struct gort_g **allgs;
uint32_t allglen;
bool sched_running;

/* True on the thread that runs goroutines (m0's), so that gort_getg on
 * any other thread says "no goroutine".  Initial-exec TLS: a plain load
 * from %fs, no call into libc. */
static __thread bool on_m0 __attribute__((tls_model("initial-exec")));
static uint32_t allgcap;
static uint64_t goidgen;
static int32_t ngoroutines;
static struct gort_g *maing;

uint32_t fastrandn(uint32_t n)
{
	uint64_t x = p0.fastrand;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	p0.fastrand = x;
	return (uint32_t)(((x >> 32) * (uint64_t)n) >> 32);
}

/* ---- the run queue ---------------------------------------------------- */

static inline void runqput(struct gort_g *gp)
{
	gp->schedlink = NULL;
	if (p0.runqtail != NULL)
		p0.runqtail->schedlink = gp;
	else
		p0.runqhead = gp;
	p0.runqtail = gp;
}

static inline struct gort_g *runqget(void)
{
	struct gort_g *gp = p0.runqhead;

	if (gp != NULL) {
		p0.runqhead = gp->schedlink;
		if (p0.runqhead == NULL)
			p0.runqtail = NULL;
	}
	return gp;
}

/* ---- allocating Gs (system stack: it calls mmap) --------------------- */

#define G_CHUNK     256
#define SIGALT_SIZE (64 * 1024)

static void galloc_sys(void *out)
{
	static struct gort_g *chunk;
	static uint32_t chunkleft;
	struct gort_g *gp;

	if (chunkleft == 0) {
		chunk = mmap(NULL, G_CHUNK * sizeof *chunk, PROT_READ | PROT_WRITE,
		             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (chunk == MAP_FAILED)
			sched_fatal("out of memory allocating goroutines");
		chunkleft = G_CHUNK;
	}
	gp = chunk++;
	chunkleft--;
	if (allglen == allgcap) {
		uint32_t ncap = allgcap ? allgcap * 2 : 1024;
		struct gort_g **n = realloc(allgs, ncap * sizeof *n);
		if (n == NULL)
			sched_fatal("out of memory allocating goroutines");
		allgs = n;
		allgcap = ncap;
	}
	allgs[allglen++] = gp;
	gp->m = &m0;
	gp->timer_idx = -1;
	gp->stack0 = stackalloc(STACK_MIN);
	gp->stack0->g = gp;
	gp->stacksize = gp->stack0->size;
	*(struct gort_g **)out = gp;
}

/* Keep one dead G ready: called after a create took the last one, when no
 * value of gort_go is live any more (so its common path saves no register).
 * gort_main fills it first. */
static __attribute__((noinline)) void gfree_refill(void)
{
	struct gort_g *gp;

	systemstack(galloc_sys, &gp);
	gp->status = G_DEAD;
	gp->schedlink = p0.gfree;
	p0.gfree = gp;
}

/* A dead G with its first segment: the free list is never empty while
 * goroutines run (gfree_refill). */
static inline struct gort_g *gfget(void)
{
	struct gort_g *gp = p0.gfree;

	p0.gfree = gp->schedlink;
	return gp;
}

/* A dead G keeps its first segment and has no wait reason, no waiting
 * object (gopark clears them, sched_reset too): gfget's caller sets only
 * what a new goroutine changes. */
static inline void gfput(struct gort_g *gp)
{
	gp->status = G_DEAD;
	gp->schedlink = p0.gfree;
	p0.gfree = gp;
}

/* ---- creating goroutines ---------------------------------------------- */

/* Inlined into gort_go: one call, one split-stack prologue per go statement.
 * The only calls come last (the probe, the refill), so nothing is saved
 * around them. */
static inline __attribute__((always_inline)) struct gort_g *newproc(void (*fn)(void *), void *arg,
                                                                    uintptr_t pc)
{
	struct gort_g *gp = gfget();
	struct gort_g *parent = m0.curg;
	stkseg *s = gp->stack0;
	uintptr_t *sp = (uintptr_t *)(seg_hi(s) - 72);

	/* What gogo_switch pops: r15 r14 r13 r12 rbx rbp, then the pc it
	 * jumps to, gostart, which calls r12(r13). */
	sp[0] = sp[1] = 0;
	sp[2] = (uintptr_t)arg;
	sp[3] = (uintptr_t)fn;
	sp[4] = sp[5] = 0;
	sp[6] = (uintptr_t)gostart;
	gp->sched.sp = (uintptr_t)sp;
	gp->sched.guard = (uintptr_t)s + GUARD_OFF;
	gp->goid = ++goidgen;
	gp->parentid = parent != NULL ? parent->goid : 0;
	gp->gopc = pc;
	gp->fn = fn;
	gp->arg = arg;
	gp->status = G_RUNNABLE;
	ngoroutines++;
	runqput(gp);
	void (*probe)(const gort_g *, void (*)(void *), const gort_g *) =
	        __atomic_load_n(&gort_probe_table.go_create, __ATOMIC_RELAXED);
	if (unlikely(probe != NULL))
		probe(gp, fn, parent);
	if (unlikely(p0.gfree == NULL))
		gfree_refill();
	return gp;
}

void gort_go(void (*fn)(void *), void *arg)
{
	if (unlikely(!sched_running))
		gort_panic("gort_go called outside gort_main");
	newproc(fn, arg, (uintptr_t)__builtin_return_address(0));
}

int gort_numgoroutine(void)
{
	return ngoroutines;
}

/* ---- finding work ------------------------------------------------------ */

static void deadlock(void)
{
	sched_fatal("all goroutines are asleep - deadlock!");
}

/* On the system stack: run timers, sleeping until one is due; die if no
 * goroutine can ever run again. */
static void wait_for_work(void *out)
{
	for (;;) {
		int64_t now = gort_nanotime();
		timers_run(now);
		struct gort_g *gp = runqget();
		if (gp != NULL) {
			*(struct gort_g **)out = gp;
			return;
		}
		int64_t next = timers_next();
		if (next < 0)
			deadlock();
		if (next > now) {
			struct timespec ts = {.tv_sec = (next - now) / 1000000000,
			                      .tv_nsec = (next - now) % 1000000000};
			nanosleep(&ts, NULL);
		}
	}
}

static void check_timers(void *unused)
{
	(void)unused;
	timers_run(gort_nanotime());
}

static struct gort_g *findrunnable(void)
{
	struct gort_g *gp;

	if (p0.ntimers != 0 && ((++p0.schedtick & 63) == 0 || p0.runqhead == NULL))
		systemstack(check_timers, NULL);
	gp = runqget();
	if (gp == NULL)
		systemstack(wait_for_work, &gp);
	return gp;
}

/* The next goroutine to run: straight from the run queue when no timer is
 * pending (the common case, inlined into every switch), else findrunnable,
 * which runs due timers first and sleeps if there is nothing to do. */
static inline struct gort_g *nextg(void)
{
	struct gort_g *gp;

	if (likely(p0.ntimers == 0) && (gp = runqget()) != NULL)
		return gp;
	return findrunnable();
}

/* Switch from gp (already queued, parked or dead) to the next goroutine. */
static void schedule(struct gort_g *gp)
{
	struct gort_g *next = nextg();

	next->status = G_RUNNING;
	if (next == gp)
		return;
	m0.curg = next;
	gogo_switch(&gp->sched, &next->sched);
}

/* Yield: gort_gosched (asm_amd64.S) rotates the run queue and switches
 * when no timer is pending; with timers, it comes here, to run the due
 * ones first. */
void gosched_timers(void)
{
	struct gort_g *gp = m0.curg;

	gp->status = G_RUNNABLE;
	runqput(gp);
	schedule(gp);
}

void gopark(const char *reason, void *waiting)
{
	struct gort_g *gp = m0.curg;

	if (unlikely(gp == NULL)) /* a plain thread: nothing could wake it */
		fatal_error("all goroutines are asleep - deadlock!");
	gp->status = G_WAITING;
	gp->waitreason = reason;
	gp->waiting = waiting;
	schedule(gp);
	gp->waitreason = NULL;
	gp->waiting = NULL;
}

void goready(struct gort_g *gp)
{
	gp->status = G_RUNNABLE;
	runqput(gp);
}

/* ---- ending goroutines -------------------------------------------------- */

static void release_spares_sys(void *arg)
{
	struct gort_g *gp = arg;

	stack_release_spares(gp, gp->stack0);
}

static __attribute__((noinline, cold)) void probe_go_exit(struct gort_g *gp)
{
	void (*probe)(const gort_g *) =
	        __atomic_load_n(&gort_probe_table.go_exit, __ATOMIC_RELAXED);
	if (probe != NULL)
		probe(gp);
}

/* Called by gostart when the goroutine's function returns, on its first
 * segment.  It keeps its split-stack prologue although there is room: in a
 * sanitizer build it calls the sanitizer's runtime (non-split code), which
 * gold can send to a big enough stack only through that prologue. */
void goexit1(void) __attribute__((noreturn));
void goexit1(void)
{
	struct gort_g *gp = m0.curg;

	if (unlikely(__atomic_load_n(&gort_probe_table.go_exit, __ATOMIC_RELAXED) != NULL))
		probe_go_exit(gp);
	ngoroutines--;
	if (unlikely(gp == maing)) {
		gp->status = G_DEAD;
		gogo_jump(&m0.g0.sched);
	}
	if (unlikely(gp->stack0->next != NULL))
		systemstack(release_spares_sys, gp);
	gfput(gp);
	struct gort_g *next = nextg();
	next->status = G_RUNNING;
	m0.curg = next;
	gogo_jump(&next->sched);
}

/* ---- gort_main ------------------------------------------------------------ */

/* Forget every goroutine left when the main one returned: they will never
 * run again.  Their Gs and first segments go to the free list. */
static void sched_reset(void)
{
	for (uint32_t i = 0; i < allglen; i++) {
		struct gort_g *gp = allgs[i];
		if (gp->status == G_DEAD)
			continue;
		if (gp->timer_idx >= 0)
			timer_del(gp);
		gp->waitreason = NULL;
		gp->waiting = NULL;
		stack_release_spares(gp, gp->stack0);
		gfput(gp);
	}
	stack_release_spares(maing, maing->stack0);
	gfput(maing);
	p0.runqhead = p0.runqtail = NULL;
	ngoroutines = 0;
}

static void leak_line(const blocked_g *b, void *arg)
{
	uintptr_t off = 0;
	const char *created = symbolize(b->gopc - 1, &off);

	fprintf(stderr, "goroutine %llu [%s] on %p, created by %s+0x%lx in goroutine %llu\n",
	        (unsigned long long)b->goid, b->waitreason, b->waiting,
	        created != NULL ? created : "?", (unsigned long)off + 1,
	        (unsigned long long)b->parentid);
	(*(int *)arg)++;
}

/* GODEBUG=leakcheck=1: list the goroutines still blocked at exit. */
static void leakcheck(void)
{
	int n = 0;

	if (!godebug_flag(getenv("GODEBUG"), "leakcheck"))
		return;
	sched_for_each_blocked(leak_line, &n);
	fprintf(stderr, "leakcheck: %d goroutine%s still blocked at exit\n", n, n == 1 ? "" : "s");
}

int sched_for_each_blocked(void (*fn)(const blocked_g *b, void *arg), void *arg)
{
	int n = 0;

	for (uint32_t i = 0; i < allglen; i++) {
		const struct gort_g *gp = allgs[i];
		if (gp->status != G_WAITING)
			continue;
		blocked_g b = {gp->goid, gp->waitreason, gp->waiting,
		               gp->gopc, gp->parentid,   gp->fn};
		fn(&b, arg);
		n++;
	}
	return n;
}

/* Signal handlers must not run on a 2 KB segment: give the thread an
 * alternate signal stack (used by handlers installed with SA_ONSTACK, as
 * the tracer's are) unless it has one. */
static void ensure_sigaltstack(void)
{
	static void *alt;
	stack_t cur;

	if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE))
		return;
	if (alt == NULL) {
		alt = mmap(NULL, SIGALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		           -1, 0);
		if (alt == MAP_FAILED) {
			alt = NULL;
			return;
		}
	}
	stack_t ss = {.ss_sp = alt, .ss_size = SIGALT_SIZE, .ss_flags = 0};
	sigaltstack(&ss, NULL);
}

int gort_main(void (*fn)(void *), void *arg)
{
	if (sched_running)
		gort_panic("gort_main called while the runtime is running");
	/* The system stack is this thread's stack, below gort_main's frame. */
	m0.g0sp = ((uintptr_t)__builtin_frame_address(0) - 4096) & ~(uintptr_t)15;
	ensure_sigaltstack();
	on_m0 = true;
	m0.curg = NULL;
	sched_running = true;
	goidgen = 0; /* the main goroutine is goroutine 1, as in Go */
	if (p0.gfree == NULL)
		gfree_refill();
	maing = newproc(fn, arg, (uintptr_t)__builtin_return_address(0));
	struct gort_g *gp = runqget();
	gp->status = G_RUNNING;
	m0.curg = gp;
	gogo_switch(&m0.g0.sched, &gp->sched);
	/* The main goroutine returned (goexit1). */
	m0.curg = NULL;
	sched_running = false;
	leakcheck();
	sched_reset();
	return 0;
}

/* ---- for tools ---------------------------------------------------------- */

uint64_t gort_goid(const gort_g *g)
{
	return g != NULL ? g->goid : 0;
}

const gort_g *gort_getg(void)
{
	return on_m0 ? m0.curg : NULL;
}

/* The scheduler's goroutine list for tools (probes.h); the states are the
 * headers of Go's tracebacks (traceback.c). */
int gort_goroutine_states(void (*fn)(uint64_t goid, const char *state, void *arg), void *arg)
{
	int n = 0;

	for (uint32_t i = 0; i < allglen; i++) {
		const struct gort_g *gp = allgs[i];
		if (gp->status != G_RUNNABLE && gp->status != G_RUNNING && gp->status != G_WAITING)
			continue;
		fn(gp->goid, gstatus_string(gp), arg);
		n++;
	}
	return n;
}
