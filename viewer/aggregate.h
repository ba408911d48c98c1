/*
 * viewer/aggregate.h — per-stack totals of a trace, in one streaming pass.
 *
 * The reader's events go in one at a time (agg_alloc, agg_free, ...); what
 * comes out is a table of the unique allocating stacks, each with its
 * counters, and the trace's totals.  Nothing is kept per event: memory is
 * the stack table plus the blocks still live at the current point of the
 * trace (a free must find its block's size and stack), the same bound as
 * the traced program's own heap.
 *
 * Symbols play no part here; sites (function:line) are formed later by
 * merging stacks whose innermost frame resolves to the same place.
 */
#ifndef ESCAPADE_VIEWER_AGGREGATE_H
#define ESCAPADE_VIEWER_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One unique stack and what was allocated from it. */
typedef struct agg_stack {
	uint64_t id;                      /* the reader's process-wide stack id */
	uint64_t *pcs;                    /* return addresses, innermost first */
	uint32_t depth;                   /* entries of pcs */
	bool truncated;                   /* deeper than the recorder kept */
	uint64_t allocs;                  /* allocating calls from this stack */
	uint64_t bytes;                   /* bytes they asked for */
	uint64_t cost_ns;                 /* time spent in the allocator */
	uint64_t frees;                   /* blocks of this stack released */
	uint64_t live_bytes, live_allocs; /* still live (at the end: leaked) */
	uint64_t peak_bytes;              /* live bytes at the moment of the trace's peak */
	uint64_t temporary;               /* freed before the thread's next allocation */
	uint64_t frame_local;             /* freed while the allocating frame was live */
	uint64_t escaped;                 /* outlived the allocating frame (or leaked) */
	uint64_t unknown;                 /* no frame information to judge by */
	uint64_t gort;                    /* of allocs, gort newobject calls */
	uint64_t live_gort;               /* of live_allocs, gort objects */
	uint64_t stack_bytes;             /* stack segment bytes grown on this path */
	uint64_t peak_stamp;              /* internal: peak count when live_bytes last changed */
} agg_stack;

typedef struct agg_totals {
	uint64_t allocations, frees, bytes_allocated;
	uint64_t peak_bytes; /* most bytes live at once */
	uint64_t leaked_bytes, leaked_allocations;
	uint64_t temporary;
	uint64_t cost_ns;
	uint64_t gc_cycles, stack_grows, stack_grow_bytes, goroutines;
	uint64_t gort_objects;  /* gort newobject calls (of allocations) */
	uint64_t gort_frees;    /* objects gort's sweeper released (of frees) */
	uint64_t unknown_frees; /* releases of blocks the trace never created */
	uint64_t lost;          /* events the tracer reported it dropped */
} agg_totals;

typedef struct agg agg;

agg *agg_new(void);
void agg_free_all(agg *a);

/* Defines stack id (pcs innermost first).  A second definition of an id is
 * ignored.  Returns false when out of memory. */
bool agg_stack_define(agg *a, uint64_t id, const uint64_t *pcs, uint32_t depth, bool truncated);

/* A block was created: block is the reader's 64-bit block id (thread << 40
 * | seq), stack a defined stack id (an undefined one gets an empty stack),
 * frame_known whether the record carries the allocating frame, which the
 * verdict needs.  gort marks gort_newobject/newarray. */
bool agg_alloc(agg *a, uint64_t block, uint64_t stack, uint64_t size, uint64_t cost_ns,
               bool frame_known, bool gort);

/* A block was released (free, sweep, the old block of a realloc).  live:
 * the allocating frame was still live (the record's LIVE bit).  counted:
 * false for the old block of an in-place realloc, which is not a free. */
void agg_release(agg *a, uint64_t block, bool live, bool counted);

/* gort's sweeper released a block (an unknown one counts too); live as
 * for agg_release: the object died before its allocating frame returned. */
void agg_sweep(agg *a, uint64_t block, bool live);

/* The escape record: a return barrier found gort object `block` still
 * reachable (escaped) or not (frame-local) when its frame returned.  gort
 * objects get their verdict from these records only: the collector frees
 * them long after their frame, so neither a sweep nor a leak says anything
 * about escape.  Unknown or non-gort blocks are ignored. */
void agg_escape(agg *a, uint64_t block, bool escaped);

/* A release of a block the trace never saw created. */
void agg_release_unknown(agg *a);

void agg_gc(agg *a);
void agg_stack_grow(agg *a, uint64_t seg_size);
/* The same growth, charged to the call path (a defined stack id) that
 * needed it: the stack_bytes metric of that stack. */
void agg_stack_grow_at(agg *a, uint64_t stack, uint64_t seg_size);
/* A goroutine was created (stack: its creator's, fn: its entry function)
 * or exited.  Goroutines still alive at the end are listed by
 * agg_goroutines_alive. */
void agg_go_create(agg *a, uint64_t goid, uint64_t stack, uint64_t fn);
void agg_go_exit(agg *a, uint64_t goid);
/* What goroutine goid was doing when the program ended ("chan receive",
 * "runnable", ... from a goroutine state record); ignored unless it is
 * alive.  At most AGG_MAX_STATES distinct strings are kept (a hostile
 * trace cannot grow the table): past that, the state stays unknown.
 * False when out of memory. */
#define AGG_MAX_STATES 64
bool agg_go_state(agg *a, uint64_t goid, const char *state);
void agg_lost(agg *a, uint64_t count);

/* Ends the pass: blocks still live are leaked (and escaped), every stack's
 * peak_bytes is settled (gort objects excepted, see agg_escape).  Call once, after the last event.
 */
void agg_finish(agg *a);

const agg_totals *agg_totals_of(const agg *a);
size_t agg_nstacks(const agg *a);
agg_stack *agg_stack_at(agg *a, size_t i);
/* The stack defined with id, or NULL. */
const agg_stack *agg_stack_by_id(const agg *a, uint64_t id);

/* A goroutine that never exited. */
typedef struct agg_goroutine {
	uint64_t goid, stack, fn;
	const char *state; /* its wait reason or "runnable", ...; NULL: unknown */
} agg_goroutine;

/* The goroutines alive at the end, by goid; *n their number.  free() the
 * array (NULL when none or no memory). */
agg_goroutine *agg_goroutines_alive(const agg *a, size_t *n);

/* Heap bytes live right now (the plot of the HTML report samples it). */
uint64_t agg_live_bytes(const agg *a);

/* Live blocks right now (the memory the pass holds beyond its stacks). */
size_t agg_live_blocks(const agg *a);

#endif
