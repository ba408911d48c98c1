/*
 * viewer/load.h — one pass over a trace: the aggregation and the module map.
 *
 * Every viewer command starts the same way: open the trace, stream its
 * events into the per-stack aggregation (viewer/aggregate.h) and hand its
 * modules to the symbolizer.  This is that pass; the commands then read the
 * totals and stacks and print them their own way.
 */
#ifndef ESCAPADE_VIEWER_LOAD_H
#define ESCAPADE_VIEWER_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "aggregate.h"
#include "tracer/reader.h"
#include "tracer/symbolize.h"

struct loaded_trace {
	agg *agg;
	esc_symbolizer *sym; /* NULL when loaded without symbols */
	char *exe;           /* the traced program */
	uint32_t pid;
	bool truncated;     /* no end record, or cut short */
	bool clean_end;     /* an end record was read */
	bool cost_measured; /* recorded with --cost: allocs carry the allocator's time */
	int64_t exit_status;
	char message[512]; /* why it is truncated or damaged */
};

enum load_status {
	LOAD_OK = 0,
	LOAD_UNREADABLE = -1, /* missing, not a trace, unsupported version */
	LOAD_DAMAGED = -2,    /* a malformed record or chunk */
	LOAD_NOMEM = -3,
};

/* Reads the whole trace at path.  With symbols, modules go to a new
 * symbolizer (its warnings to stderr).  On LOAD_OK the trace is in *t
 * (trace_unload frees it); otherwise t->message says why and nothing needs
 * freeing. */
enum load_status trace_load(const char *path, bool symbols, struct loaded_trace *t);

/* The same pass over an open reader (without symbols when sym is NULL);
 * the reader stays the caller's. */
enum load_status trace_load_reader(esc_reader *r, esc_symbolizer *sym, struct loaded_trace *t);

/* Someone who watches the pass: event is called after each event has been
 * fed to the aggregation (a is its state at that point), to sample what
 * the totals cannot tell (time series, timelines, progress).  It returns
 * false when out of memory, which ends the pass with LOAD_NOMEM. */
struct load_observer {
	bool (*event)(void *ctx, const struct esc_event *ev, const agg *a);
	void *ctx;
};

/* trace_load_reader with an observer (NULL: none). */
enum load_status trace_load_observed(esc_reader *r, esc_symbolizer *sym,
                                     const struct load_observer *obs, struct loaded_trace *t);

void trace_unload(struct loaded_trace *t);

#endif
