/*
 * internal.h — what gort's files share with each other and no one else.
 *
 * The public surface is gort.h (programs) and probes.h (tools).  Everything
 * here is private to runtime/: names carry no gort_ prefix unless they are
 * exported for the tests.  Sections follow the runtime's concepts; each is
 * owned by the file(s) named in its heading.
 */
#ifndef GORT_INTERNAL_H
#define GORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gort.h"
#include "probes.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- probes.c: the registered probe table ------------------------------ */

/* The live probe table.  Read a field once into a local, test it, call it:
 *     void (*p)(...) = gort_probe_table.newobject; if (unlikely(p)) p(...);
 */
extern gort_probes gort_probe_table;

/* ---- sched: proc.c stack.c time.c chan.c select.c sync.c traceback.c
 *      asm_amd64.S morestack_amd64.S ---------------------------------------- */

#include "asmdefs.h"

/* A stack segment: this header sits at the segment's low end, the stack
 * grows down from hi towards it.  The segments of a goroutine form a list
 * from its first segment (g->stack0) through prev/next; the one in use is
 * found from the guard, and the one after it, if any, is the spare. */
typedef struct stkseg {
	struct stkseg *prev;
	struct stkseg *next;
	struct gort_g *g;
	uintptr_t hi;
	uintptr_t splo; /* lowest live address when a newer segment was entered */
	size_t size;    /* bytes, header included: a power of two */
	uint8_t cls;    /* pool class: size == STACK_MIN << cls */
	uint8_t mapped; /* mmap'd on its own (large), not carved from a chunk */
} stkseg;

#define STACK_MIN 2048                           /* the first segment */
#define STACK_CLASSES 20                         /* 2 KB ... 1 GB */
#define STACK_MAX_GROW (1024 * 1024)             /* doubling stops here */
#define STACK_LIMIT ((size_t)1000 * 1000 * 1000) /* Go's maxstacksize */

/* What the context switch saves (the callee-saved registers live on the
 * goroutine's own stack, under sp). */
typedef struct gobuf {
	uintptr_t sp;
	uintptr_t guard;
} gobuf;

enum gstatus { G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, G_DEAD };

/* A goroutine (Go's g). */
struct gort_g {
	gobuf sched;
	struct m *m;
	stkseg *stack0;     /* first segment, kept across reuse */
	size_t stacksize;   /* bytes of all segments held (limit check) */
	uint64_t goid;
	uint64_t parentid;  /* goid of the creator, 0 for main */
	uintptr_t gopc;     /* pc of the gort_go call that created it */
	void (*fn)(void *); /* entry function and argument */
	void *arg;
	struct gort_g *schedlink;  /* run queue, free list, wait queues */
	const char *waitreason;    /* Go's wait reason while G_WAITING */
	void *waiting;             /* the channel/mutex/... it waits on */
	void *param;               /* set by whoever readies it */
	int64_t timer_when;        /* gort_sleep deadline */
	int32_t timer_idx;         /* index in the P's timer heap, -1 if none */
	uint32_t allgidx;          /* index in allgs */
	uint8_t status;            /* enum gstatus */
	bool selectdone;           /* a select case already won */
};

/* A processor (Go's p): what a thread needs to run goroutines.  One P for
 * now; its run queue and caches are already per-P. */
typedef struct p {
	struct gort_g *runqhead, *runqtail;
	uint32_t runqsize;
	uint32_t schedtick;
	struct gort_g *gfree; /* dead goroutines, stacks kept, for reuse */
	uint32_t ngfree;
	struct gort_g **timers; /* min-heap on timer_when */
	uint32_t ntimers, timerscap;
	uint64_t fastrand;
	void *mcache; /* the heap's per-P cache, when it wants one */
} p;

/* Stack pool of one thread: free segments by class. */
typedef struct stackpool {
	stkseg *free[STACK_CLASSES];
	uint32_t nfree[STACK_CLASSES];
	uintptr_t chunk, chunkend; /* carving area for small segments */
} stackpool;

/* A thread (Go's m).  The first three fields are read by assembly
 * (asmdefs.h). */
typedef struct m {
	uintptr_t g0sp;       /* top of the system stack for systemstack() */
	uintptr_t curguard;   /* curg's guard while we run on the system stack */
	uintptr_t curfp;      /* curg's frame pointer then (a frame record) */
	struct gort_g g0;     /* the thread's own context (gort_main's) */
	struct gort_g *curg;  /* running goroutine, NULL on the system stack */
	struct p *p;
	stackpool pool;
} m;

/* The thread running goroutines (one for now) and its P. */
extern m m0;
extern p p0;
extern struct gort_g **allgs; /* every goroutine ever created, dead ones too */
extern uint32_t allglen;
extern bool sched_running; /* inside gort_main */

/* asm_amd64.S */
void gogo_switch(gobuf *from, gobuf *to);
void gogo_jump(gobuf *to) __attribute__((noreturn));
void gostart(void);
void systemstack(void (*fn)(void *), void *arg);

/* stack.c */
stkseg *stackalloc(size_t size);
void stackfree(stkseg *s);
void stack_release_spares(struct gort_g *gp, stkseg *keep);
stkseg *stack_current(const struct gort_g *gp); /* segment in use */
void sched_stack_stats(uint64_t *inuse, uint64_t *sys);
stkseg *morestack_grow(stkseg *cur, size_t frame, size_t args, uintptr_t caller_pc);
void morestack_release(stkseg *s);

/* proc.c: parking and readying (Go's gopark/goready).  gopark blocks the
 * running goroutine until someone calls goready on it. */
void gopark(const char *reason, void *waiting);
void goready(struct gort_g *gp);
static inline struct gort_g *getg(void)
{
	return m0.curg;
}
uint32_t fastrandn(uint32_t n);

/* time.c */
void timer_add(struct gort_g *gp);
void timer_del(struct gort_g *gp);
bool timers_run(int64_t now); /* ready expired sleepers; true if any */
int64_t timers_next(void);    /* earliest deadline, -1 if none */

/* traceback.c: what the scheduler prints when the program dies. */
void traceback_all(int fd, const struct gort_g *skip); /* every goroutine but skip */
void traceback_g(int fd, const struct gort_g *gp, uintptr_t rbp, uintptr_t pc);
void sched_fatal(const char *msg) __attribute__((noreturn));
const char *symbolize(uintptr_t pc, uintptr_t *off);

/* A goroutine still blocked, as the leak check and the tracer see it. */
typedef struct blocked_g {
	uint64_t goid;
	const char *waitreason;
	const void *waiting;
	uintptr_t gopc;     /* where it was created */
	uint64_t parentid;
	void (*fn)(void *); /* its entry function */
} blocked_g;
/* Calls fn for each goroutine waiting right now; returns how many. */
int sched_for_each_blocked(void (*fn)(const blocked_g *b, void *arg), void *arg);

#endif /* GORT_INTERNAL_H */
