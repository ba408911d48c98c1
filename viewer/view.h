/*
 * viewer/view.h — a trace loaded for the outputs: one streaming pass that
 * every drawing command (folded, flame, html, pprof, timeline, diff)
 * shares.
 *
 * The pass is viewer/load.c's (events -> aggregation, modules ->
 * symbolizer); on top of it a view samples what totals cannot tell — heap
 * and stack bytes in use over time (bounded to VIEW_MAX_POINTS by merging
 * neighbours), collections, goroutine lives and stack growths for the
 * timeline — shows progress on a terminal, and then builds the symbolized
 * call tree: each stack's frames (allocator wrappers skipped, as for
 * sites; inlined frames expanded; tidied by site_tidy_path: one root main,
 * split functions one frame), outermost first, with the metric vector
 * {allocs, bytes, cost, peak, leaked bytes, leaked allocs, stack bytes}.
 * Stack bytes come from the function entry/exit events of a --frames trace
 * (viewer/framestack.h: each call's frame size on its call path) when it
 * has them, else from segment growth charged to the path that needed it.
 */
#ifndef ESCAPADE_VIEWER_VIEW_H
#define ESCAPADE_VIEWER_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calltree.h"
#include "framestack.h"
#include "html.h"
#include "load.h"

#define VIEW_MAX_POINTS 4096

struct view_opts {
	bool series;   /* sample memory in use over time (html) */
	bool timeline; /* keep goroutine lives and stack growths (timeline) */
	bool no_tree;  /* build no call tree (report: sites and frames only) */
};

typedef struct view_goroutine {
	uint64_t goid, fn, start_ns, end_ns;
	bool exited;
} view_goroutine;

typedef struct view_gc {
	uint64_t start_ns, end_ns;
} view_gc;

typedef struct view_grow {
	uint64_t ts_ns, goid, seg_size;
	uint32_t stack;
} view_grow;

struct trace_view {
	struct loaded_trace t; /* aggregation, symbolizer, program, truncated */
	ct_tree *tree;         /* symbolized call tree, not sorted */
	uint64_t start_realtime_ns, duration_ns, events;
	html_point *series; /* with opts.series: memory in use, time order */
	size_t nseries;
	view_gc *gcs; /* collections, in order */
	size_t ngcs;
	view_goroutine *gs; /* with opts.timeline: every goroutine, by creation */
	size_t ngs;
	view_grow *grows; /* with opts.timeline: stack segment growths */
	size_t ngrows;
	framestack *frames; /* a --frames trace's call paths, or NULL */
};

/* Loads path for command cmd ("flame", ...).  Messages go to stderr as
 * "escapade CMD: ..."; a truncated trace loads with a warning.  Returns 0,
 * or 1 when the trace is missing, unreadable or damaged (or no memory). */
int view_load(const char *cmd, const char *path, const struct view_opts *o, struct trace_view *v);
void view_free(struct trace_view *v);

/* --metric NAME: count, bytes, cost, peak, leaked, leaks (leaked
 * allocations), stack.  -1 (with a
 * message) for an unknown name. */
int view_metric(const char *cmd, const char *name);

/* Opens the output: opath "-" is stdout; without opath, TRACE + suffix, or
 * stdout when suffix is NULL.  Refuses to write over the trace itself.
 * *name (may be NULL) gets the name used (owned by the caller).  NULL with
 * a message on error. */
FILE *view_output(const char *cmd, const char *trace, const char *opath, const char *suffix,
                  char **name);

/* Do paths a and b name the same existing file? */
bool view_same_file(const char *a, const char *b);

/* Flushes and closes out (not stdout); 0, or 1 with a message when a write
 * failed.  Says where a file output went when verbose. */
int view_close(const char *cmd, FILE *out, const char *name, bool verbose);

#endif
