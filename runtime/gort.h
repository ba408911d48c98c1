/*
 * gort.h — the public interface of gort, a small Go-like runtime.
 *
 * gort gives C programs what Go gives Go programs: goroutines on small
 * segmented stacks that grow on demand, channels and select, and a
 * garbage-collected heap behind gort_newobject.  Names follow Go's runtime
 * (newobject, makechan, chansend, selectgo, ...) so that what you know of one
 * carries over to the other.
 *
 * Build a program with
 *
 *     cc prog.c $(pkg-config --cflags --libs gort)
 *
 * which compiles it with -fsplit-stack and frame pointers and links gort
 * statically with gold (see DESIGN.md, "Stacks", for why).
 *
 * The heap calls work from a plain main() too, before any goroutine exists.
 * The collector is conservative: it finds pointers in data and bss, in thread
 * and goroutine stacks and registers, and in gort heap objects; a pointer kept
 * only in malloc()ed memory is invisible to it (as with Boehm GC).
 */
#ifndef GORT_H
#define GORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Goroutines and the scheduler ------------------------------------- */

/* Start the runtime and run fn(arg) as the main goroutine.  Returns 0 once fn
 * returns, whatever other goroutines are doing (like returning from Go's
 * main). */
int gort_main(void (*fn)(void *), void *arg);

/* Start fn(arg) on a new goroutine (Go's `go fn(arg)`). */
void gort_go(void (*fn)(void *), void *arg);

void gort_gosched(void);          /* yield the processor */
void gort_sleep(int64_t ns);      /* park for at least ns nanoseconds */
int64_t gort_nanotime(void);      /* monotonic clock, nanoseconds */
int gort_numgoroutine(void);      /* live goroutines, main included */

/* ---- The heap ----------------------------------------------------------- */

/* A zeroed, garbage-collected object of `size` bytes (Go's runtime.newobject).
 * Objects are aligned as in Go: to 8 bytes always, and to 16 in every size
 * class but the 8 B and 24 B ones (so a request of 17..24 bytes is only
 * 8-byte aligned); large objects are page-aligned. */
void *gort_newobject(size_t size);

/* A zeroed array of n elements; elemsize * n overflowing is a runtime panic. */
void *gort_newarray(size_t elemsize, size_t n);

/* Run a complete collection, sweep included, even with GOGC=off. */
void gort_gc(void);

/* Collect, then return every free heap page to the OS (Go's debug.FreeOSMemory). */
void gort_free_os_memory(void);

/* Go's runtime.MemStats, in snake_case. */
typedef struct gort_memstats {
	uint64_t alloc;          /* bytes of allocated heap objects */
	uint64_t total_alloc;    /* cumulative bytes allocated */
	uint64_t sys;            /* bytes obtained from the OS */
	uint64_t mallocs;        /* cumulative objects allocated */
	uint64_t frees;          /* cumulative objects freed */
	uint64_t heap_alloc;     /* same as alloc */
	uint64_t heap_sys;       /* heap bytes obtained from the OS */
	uint64_t heap_idle;      /* bytes in idle (unused) spans */
	uint64_t heap_inuse;     /* bytes in in-use spans */
	uint64_t heap_released;  /* idle bytes returned to the OS */
	uint64_t heap_objects;   /* live objects: mallocs - frees */
	uint64_t stack_inuse;    /* bytes in stack segments in use */
	uint64_t stack_sys;      /* stack bytes obtained from the OS */
	uint64_t next_gc;        /* heap size goal of the next cycle */
	uint64_t last_gc;        /* end of the last collection, ns since the epoch */
	uint64_t num_gc;         /* completed collections */
	uint64_t num_forced_gc;  /* collections forced by gort_gc */
	uint64_t pause_total_ns; /* cumulative stop-the-world pause */
} gort_memstats;

void gort_read_memstats(gort_memstats *stats);

/* ---- Channels and select ------------------------------------------------ */

typedef struct gort_chan gort_chan;

gort_chan *gort_makechan(size_t elemsize, size_t cap);
void gort_chansend(gort_chan *c, const void *elem);
bool gort_chanrecv(gort_chan *c, void *elem);
void gort_closechan(gort_chan *c);

enum { GORT_SELECT_SEND = 1, GORT_SELECT_RECV = 2 };

typedef struct gort_selcase {
	gort_chan *c;
	int dir;    /* GORT_SELECT_SEND or GORT_SELECT_RECV */
	void *elem; /* value to send, or where to receive */
	bool ok;    /* receive: false when the channel was closed and drained */
} gort_selcase;

/* Go's select: returns the index of the case that ran, or -1 when !block and
 * no case is ready (the `default` branch). */
int gort_selectgo(gort_selcase *cases, int n, bool block);

/* ---- Synchronisation ---------------------------------------------------- */

/* A zeroed gort_waitgroup or gort_mutex is ready to use, as in Go. */
typedef struct gort_waitgroup {
	int64_t count;
	void *waiters;
} gort_waitgroup;

void gort_wg_add(gort_waitgroup *wg, int64_t delta);
void gort_wg_done(gort_waitgroup *wg);
void gort_wg_wait(gort_waitgroup *wg);

typedef struct gort_mutex {
	int32_t state;
	void *waiters;
} gort_mutex;

void gort_mutex_lock(gort_mutex *m);
void gort_mutex_unlock(gort_mutex *m);

/* ---- Failure ------------------------------------------------------------ */

/* Print "panic: ..." and a traceback of every goroutine, then exit 2. */
void gort_panic(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif

#endif /* GORT_H */
