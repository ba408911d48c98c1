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

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- probes.c: the registered probe table ------------------------------ */

/* The live probe table.  Read a field once into a local, test it, call it:
 *     void (*p)(...) = gort_probe_table.newobject; if (unlikely(p)) p(...);
 */
extern gort_probes gort_probe_table;

/* ---- heap: msize.c mem.c mheap.c mcentral.c mcache.c malloc.c mgc.c
 *      mgcmark.c mgcsweep.c mstats.c env.c panic.c ------------------------- */

#include "sizeclasses.h"

#define PAGE_SIZE ((uintptr_t)1 << PAGE_SHIFT)
/* Arenas: 64 MB of address space each, indexed by a flat table of 2^22
 * pointers that covers the 48-bit user address space (as Go on amd64). */
#define ARENA_SHIFT      26
#define ARENA_SIZE       ((uintptr_t)1 << ARENA_SHIFT)
#define PAGES_PER_ARENA  (ARENA_SIZE / PAGE_SIZE)
#define ARENA_INDEX_BITS (48 - ARENA_SHIFT)
/* The most objects a small span holds (8 KB of 8-byte objects), in bitmap words. */
#define MAX_SPAN_OBJECTS  1024
#define SPAN_BITMAP_WORDS (MAX_SPAN_OBJECTS / 64)

/* msize.c: the generated size-class table. */
extern const uint16_t class_to_size[NUM_SIZE_CLASSES];
extern const uint8_t class_to_allocnpages[NUM_SIZE_CLASSES];
extern const uint32_t class_to_divmagic[NUM_SIZE_CLASSES];
extern const uint8_t size_to_class8[SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1];
extern const uint8_t size_to_class128[(MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1];

/* The class of a small size (1 <= size <= MAX_SMALL_SIZE). */
static inline unsigned size_to_class(size_t size)
{
	if (size <= SMALL_SIZE_MAX - 8)
		return size_to_class8[(size + SMALL_SIZE_DIV - 1) / SMALL_SIZE_DIV];
	return size_to_class128[(size - SMALL_SIZE_MAX + LARGE_SIZE_DIV - 1) / LARGE_SIZE_DIV];
}

/* A spin lock for the heap's slow paths (no libc, no syscalls: the world is
 * small and critical sections are short). */
typedef struct spinlock {
	int held;
} spinlock;

static inline void spin_lock(spinlock *l)
{
	while (__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			__builtin_ia32_pause();
}

static inline void spin_unlock(spinlock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

/* mem.c: memory from the OS (the only file that calls mmap for the heap). */
void *sys_reserve(size_t n, size_t align); /* lazily committed, read-write */
void sys_hugepages(void *p, size_t n);     /* back with transparent huge pages */
void *sys_grow(void *p, size_t oldn, size_t newn);
/* Give the pages of [p, p+n) back to the OS (madvise MADV_DONTNEED): they
 * read as zero afterwards.  False if the kernel refused (mlocked memory). */
bool sys_unused(void *p, size_t n);
uint64_t nanotime(void);
/* Zero n bytes (a multiple of 8) without calling libc. */
static inline void memclr_noheap(void *p, size_t n)
{
	if (n <= 256) {
		uint64_t *w = p;
		for (size_t i = 0; i < n / 8; i++) {
			w[i] = 0;
			/* Keeps the compiler from turning the loop into memset. */
			__asm__("" : : "r"(w) : "memory");
		}
		return;
	}
	__asm__ volatile("rep stosb" : "+D"(p), "+c"(n) : "a"(0) : "memory");
}

enum mspan_state { MSPAN_DEAD, MSPAN_FREE, MSPAN_INUSE };

/* A run of pages: either free in the page heap, or holding objects of one
 * size class (class 0: one large object).  The first cache line holds all
 * that the allocation fast path and the collector's pointer lookup touch. */
typedef struct mspan {
	uint64_t alloc_cache; /* free objects of word cache_end/64 - 1 of alloc_bits
	                       * that are at or past freeindex, below nelems */
	uint32_t freeindex;   /* every object below it is allocated */
	uint32_t nelems;
	uintptr_t base;
	uintptr_t elemsize;
	uint64_t *gcmark_bits; /* 1 = marked in this cycle */
	uint64_t *alloc_bits;  /* 1 = allocated (for objects >= freeindex) */
	uint32_t alloc_count;  /* allocated objects */
	uint32_t divmagic;     /* offset * divmagic >> 32 == object index (0: large) */
	uint8_t state;         /* enum mspan_state */
	bool needzero;         /* free objects may hold garbage (in use only) */
	uint8_t spanclass;     /* size class, 0 for a large object */
	uint32_t cache_end;    /* the object index where alloc_cache ends */
	/* second cache line */
	size_t npages;
	struct mspan *next, *prev; /* mcentral partial list / mheap free list */
	uint32_t cached_count;     /* alloc_count when the mcache took the span */
	uint32_t scavenged;        /* free only: pages of it that are zero and not
	                            * committed (released, or never handed out);
	                            * 32 bits keep mspan at 96 bytes (2^32 pages
	                            * is 32 TB) */
} mspan;

/* mheap.c: the page heap.  A page's map entry is NULL or a span that covers
 * the page: an in-use span maps all its pages, a free one its first and
 * last. */
typedef struct heap_arena {
	mspan *spans[PAGES_PER_ARENA];
	uintptr_t zeroed_base; /* pages at or above it were never handed out: zero */
	/* Bit n: page n is free, below zeroed_base, and was released to the OS
	 * by the scavenger (so it reads as zero again). */
	uint64_t scavenged[PAGES_PER_ARENA / 64];
	size_t nreleased; /* bits set in scavenged */
} heap_arena;

extern heap_arena **mheap_arenas;                /* ARENA_INDEX_BITS-wide index */
extern uintptr_t mheap_arena_lo, mheap_arena_hi; /* bounds of all arenas */

void mheap_init(void);
/* A span of npages in use; *dirty = how many of its first bytes may hold
 * garbage (the rest is fresh from the OS), and needzero = (*dirty != 0). */
mspan *mheap_alloc(size_t npages, uint8_t spanclass, size_t *dirty);
void mheap_free(mspan *s);
void mheap_foreach_inuse(void (*fn)(mspan *s, void *arg), void *arg);
bool mheap_verify(void); /* the page map and scavenged counts hold (tests) */
/* The scavenger (Go's mgcscavenge.go): release free pages to the OS until
 * at most `retain` bytes of the heap are committed (heap_sys minus
 * released); returns the bytes released.  gc_run calls it at the end of a
 * cycle, gort_free_os_memory with retain 0. */
uint64_t mheap_scavenge(uint64_t retain);
/* The in-use span holding address p, or NULL. */
static inline mspan *span_of(uintptr_t p)
{
	if (p - mheap_arena_lo >= mheap_arena_hi - mheap_arena_lo)
		return NULL;
	heap_arena *ha = mheap_arenas[p >> ARENA_SHIFT];
	if (ha == NULL)
		return NULL;
	mspan *s = ha->spans[(p >> PAGE_SHIFT) % PAGES_PER_ARENA];
	if (s == NULL || s->state != MSPAN_INUSE)
		return NULL;
	return s;
}

/* The index of the object of s that p points into; nelems or more when p
 * is in the span's tail, past the last object. */
static inline uint32_t span_object_index(const mspan *s, uintptr_t p)
{
	return (uint32_t)(((p - s->base) * s->divmagic) >> 32);
}
/* Page counts for memstats: in use, obtained, and released (free pages that
 * are not committed: scavenged, or never handed out; Go's HeapReleased). */
extern uint64_t mheap_pages_inuse, mheap_pages_sys, mheap_pages_released;

/* mcentral.c: spans of one size class with free objects. */
mspan *mcentral_cache_span(unsigned spanclass);
void mcentral_uncache_span(mspan *s);
void mcentral_reset(void);              /* before sweep: forget the partial lists */
void mcentral_put_swept(mspan *s);      /* after sweep: a span with free objects */
void span_refill_alloc_cache(mspan *s); /* load alloc_cache at freeindex */
/* Is object idx of s allocated? */
static inline bool span_allocated(const mspan *s, uint32_t idx)
{
	return idx < s->freeindex || (s->alloc_bits[idx / 64] >> (idx % 64)) & 1;
}

/* mcache.c: the P's cache of one span per class (one P for now). */
typedef struct mcache {
	mspan *alloc[NUM_SIZE_CLASSES];
} mcache;
extern mcache mcache0;
extern mspan emptymspan; /* a full span: sends the fast path to refill */
mspan *mcache_refill(unsigned spanclass);
void mcache_release_all(void);
uint64_t mcache_unflushed_mallocs(unsigned spanclass);

/* malloc.c */
void malloc_init(void); /* idempotent; every slow path calls it */
extern bool malloc_inited;
/* gort_set_probes (probes.c) sets it when newobject or newobject_at is set:
 * the allocation fast path loads this flag alone. */
extern bool newobject_probe_on;
/* gort_newobject for a runtime entry point that allocates on its caller's
 * behalf (gort_makechan): pc and fp are the entry's own return address and
 * frame, so the newobject probe names the program's function as the site. */
void *newobject_for_caller(size_t size, uintptr_t pc, const uintptr_t *fp);

/* env.c: GOGC and GODEBUG. */
int gogc_parse(const char *s); /* percent, or -1 for off */
bool godebug_flag(const char *godebug, const char *name);

/* mgc.c: the collector's entry and pacing.  gc_start is the one door into a
 * collection: forced by gort_gc(), or from the allocator when heap_live
 * reaches the trigger.  The scheduler wraps it to stop the world and run it
 * on the system stack. */
void gc_init(void); /* read GOGC and GODEBUG, set the first goal */
void gc_start(bool forced);
void gc_maybe_trigger(void);
extern uint64_t heap_live; /* bytes in allocated objects and cached spans */
extern uint64_t next_gc;   /* heap goal */
extern int gc_percent;     /* GOGC, -1 = off */
extern bool gc_trace;      /* GODEBUG=gctrace=1 */
extern bool scav_trace;    /* GODEBUG=scavtrace=1 */
extern bool gc_running;

/* Roots the scheduler adds (goroutine stacks, saved registers).  The heap's
 * weak default does nothing: with no scheduler there are no goroutines. */
void sched_scan_roots(void (*scan)(const void *lo, const void *hi));
/* Stack memory for gort_read_memstats (stack_inuse, stack_sys); the heap's
 * weak default reports none. */
void sched_stack_stats(uint64_t *inuse, uint64_t *sys);

/* mgcmark.c */
void gc_mark(void);         /* roots, then drain the mark stack */
void gc_mark_release(void); /* the mark stack's pages beyond its first MB back to the OS */
const void *gc_mark_stack_memory(size_t *bytes);    /* for tests */
void gc_scan_block(const void *lo, const void *hi); /* conservative scan */
extern uint64_t gc_marked_bytes, gc_marked_objects;
/* Where sched_scan_roots starts scanning the running goroutine's stack:
 * 0 in a collection (below the frame systemstack recorded), the caller's
 * sp in gort_reachable (mgc.c). */
extern uintptr_t gc_curg_sp;

/* mgcsweep.c */
void gc_sweep(void);
extern uint64_t sweep_freed_objects, sweep_freed_bytes; /* this cycle */

/* mstats.c: cumulative counters. */
typedef struct heap_stats {
	uint64_t nmalloc[NUM_SIZE_CLASSES]; /* small objects from flushed spans */
	uint64_t nfree[NUM_SIZE_CLASSES];
	uint64_t large_alloc, large_alloc_bytes;
	uint64_t large_free, large_free_bytes;
	uint64_t num_gc, num_forced_gc, pause_total_ns, last_gc;
	uint64_t pause_ns[256];
} heap_stats;
extern heap_stats memstats;

/* panic.c */
void fatal_error(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* ---- sched: proc.c stack.c time.c chan.c select.c sync.c traceback.c
 *      asm_amd64.S morestack_amd64.S ---------------------------------------- */

#include "asmdefs.h"

/* A stack segment: this header sits at the segment's low end, the stack
 * grows down from hi towards it.  The segments of a goroutine form a list
 * from its first segment (g->stack0) through prev/next; the one in use is
 * found from the guard, and the one after it, if any, is the spare. */
typedef struct stkseg {
	uintptr_t prev_guard; /* the older segment's guard (base + GUARD_OFF), 0
	                       * for the first: the guard a return restores */
	struct stkseg *next;
	struct gort_g *g;
	/* The spare (next) as __morestack's warm path wants it, so that a
	 * crossing reads one header, the current one: its top and its guard.
	 * Meaningful only while spare_avail != 0. */
	uintptr_t spare_hi;
	uintptr_t splo; /* lowest live address when a newer segment was entered */
	uintptr_t spare_guard;
	size_t spare_avail; /* frames below this fit on the spare (next) on
	                     * __morestack's warm path; 0 without a spare */
	uint32_t size;      /* bytes, header included: a power of two (<= 1 GB) */
	uint8_t cls;        /* pool class: size == STACK_MIN << cls */
	uint8_t mapped;     /* mmap'd on its own (large), not carved from a chunk */
	uint8_t pad[2];
} stkseg;

/* The older segment (the caller's side), NULL for the first. */
static inline stkseg *seg_prev(const stkseg *s)
{
	return s->prev_guard != 0 ? (stkseg *)(s->prev_guard - GUARD_OFF) : NULL;
}

/* The top of segment s (exclusive): where its stack starts. */
static inline uintptr_t seg_hi(const stkseg *s)
{
	return (uintptr_t)s + s->size;
}

/* The split-stack guard in the TCB (%fs:0x70, TCB_STACK_GUARD): the
 * current segment's base + GUARD_OFF, or 0 (no checks at all: the system
 * stack, a plain thread).  Always inlined: no_split_stack code reads and
 * sets it before the guard means anything. */
static inline __attribute__((always_inline)) uintptr_t tcb_guard(void)
{
	uintptr_t g;
	__asm__ volatile("movq %%fs:0x70, %0" : "=r"(g));
	return g;
}

static inline __attribute__((always_inline)) void tcb_set_guard(uintptr_t g)
{
	__asm__ volatile("movq %0, %%fs:0x70" : : "r"(g) : "memory");
}

#define STACK_MIN      (1 << STACK_MIN_SHIFT)             /* the first segment */
#define STACK_MAX_GROW (STACK_MIN << STACK_MAXGROW_CLASS) /* doubling stops here */
#define STACK_LIMIT    ((size_t)1000 * 1000 * 1000)       /* Go's maxstacksize */

/* What the context switch saves (the callee-saved registers live on the
 * goroutine's own stack, under sp). */
typedef struct gobuf {
	uintptr_t sp;
	uintptr_t guard;
} gobuf;

enum gstatus { G_IDLE, G_RUNNABLE, G_RUNNING, G_WAITING, G_DEAD };

/* A goroutine (Go's g).  The first line holds what a switch, a create and
 * an exit touch; the offsets assembly reads are in asmdefs.h. */
struct gort_g {
	gobuf sched;
	struct m *m;
	struct gort_g *schedlink; /* run queue, free list, wait queues */
	size_t stacksize;         /* bytes of all segments held (limit check) */
	stkseg *stack0;           /* first segment, kept across reuse */
	uint8_t status;           /* enum gstatus */
	bool selectdone;          /* a select case already won */
	int32_t timer_idx;        /* index in the P's timer heap, -1 if none */
	uint64_t goid;
	uint64_t parentid;  /* goid of the creator, 0 for main */
	uintptr_t gopc;     /* pc of the gort_go call that created it */
	void (*fn)(void *); /* entry function and argument */
	void *arg;
	const char *waitreason; /* Go's wait reason while G_WAITING (NULL otherwise) */
	void *waiting;          /* the channel/mutex/... it waits on (NULL otherwise) */
	void *param;            /* set by whoever readies it */
	int64_t timer_when;     /* gort_sleep deadline */
};

/* A processor (Go's p): what a thread needs to run goroutines.  One P for
 * now; its run queue and caches are already per-P. */
typedef struct p {
	struct gort_g *runqhead, *runqtail;
	struct gort_g *gfree; /* dead goroutines, stacks kept, for reuse */
	uint32_t ntimers, timerscap;
	struct gort_g **timers; /* min-heap on timer_when */
	uint32_t schedtick;
	uint64_t fastrand;
	void *mcache; /* the heap's per-P cache, when it wants one */
} p;

/* Stack pool of one thread: free segments by class. */
typedef struct stackpool {
	stkseg *free[STACK_CLASSES];
	uint32_t nfree[STACK_CLASSES];
	uint64_t inuse;            /* bytes of segments handed out */
	uint64_t sys;              /* bytes of segments obtained from the OS */
	uintptr_t chunk, chunkend; /* carving area for small segments */
} stackpool;

/* A thread (Go's m).  The first five fields are read by assembly
 * (asmdefs.h). */
typedef struct m {
	uintptr_t g0sp;      /* top of the system stack for systemstack() */
	uintptr_t curguard;  /* curg's guard while we run on the system stack */
	uintptr_t curfp;     /* curg's frame pointer then (a frame record) */
	struct gort_g *curg; /* running goroutine, NULL on the system stack */
	stackpool pool;      /* this thread's free stack segments */
	struct gort_g g0;    /* the thread's own context (gort_main's) */
	struct p *p;
} m;

/* The thread running goroutines (one for now) and its P.  Hidden: the
 * assembly addresses them %rip-relative, in the shared library too. */
extern m m0 __attribute__((visibility("hidden")));
extern p p0 __attribute__((visibility("hidden")));
extern struct gort_g **allgs; /* every goroutine ever created, dead ones too */
extern uint32_t allglen;
extern bool sched_running; /* inside gort_main */

/* asm_amd64.S */
void gogo_switch(gobuf *from, gobuf *to);
void gogo_jump(gobuf *to) __attribute__((noreturn));
void gostart(void);
void gosched_timers(void); /* proc.c: gort_gosched's way when timers are pending */
void systemstack(void (*fn)(void *), void *arg);

/* stack.c */
stkseg *stackalloc(size_t size);
void stackfree(stkseg *s);
void stack_release_spares(struct gort_g *gp, stkseg *keep);
stkseg *stack_current(const struct gort_g *gp); /* segment in use */
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
void sched_traceback_dying(void); /* panic.c: every goroutine, running first */
const char *symbolize(uintptr_t pc, uintptr_t *off);
/* "running", "runnable" or the wait reason: a traceback's goroutine header. */
const char *gstatus_string(const struct gort_g *gp);

/* chan.c, select.c, sync.c: a goroutine waiting on a channel (or a select
 * case, a mutex, a wait group).  It lives in the waiter's stack frame. */
typedef struct sudog {
	struct gort_g *g;
	struct sudog *next, *prev;
	void *elem; /* where the value comes from / goes */
	gort_chan *c;
	int caseidx; /* select: which case */
	bool isselect;
	bool success; /* woken by a transfer (true) or by close (false) */
} sudog;

typedef struct waitq {
	sudog *first, *last;
} waitq;

/* Go's hchan; the ring buffer follows the header in the same object. */
struct gort_chan {
	size_t qcount;   /* elements in the buffer */
	size_t dataqsiz; /* capacity */
	size_t elemsize;
	size_t sendx, recvx;
	waitq recvq, sendq;
	bool closed;
	_Alignas(16) unsigned char buf[];
};

static inline void *chanbuf(gort_chan *c, size_t i)
{
	return c->buf + i * c->elemsize;
}

void chan_copy(void *dst, const void *src, size_t n);
void chan_zero(void *dst, size_t n);
void waitq_enqueue(waitq *q, sudog *sg);
void waitq_remove(waitq *q, sudog *sg);
sudog *waitq_dequeue(waitq *q);
bool chan_trysend(gort_chan *c, const void *elem);
int chan_tryrecv(gort_chan *c, void *elem);

/* A goroutine still blocked, as the leak check and the tracer see it. */
typedef struct blocked_g {
	uint64_t goid;
	const char *waitreason;
	const void *waiting;
	uintptr_t gopc; /* where it was created */
	uint64_t parentid;
	void (*fn)(void *); /* its entry function */
} blocked_g;
/* Calls fn for each goroutine waiting right now; returns how many. */
int sched_for_each_blocked(void (*fn)(const blocked_g *b, void *arg), void *arg);

#endif /* GORT_INTERNAL_H */
