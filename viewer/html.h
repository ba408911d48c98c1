/*
 * html.h — the self-contained HTML report: one file, inline CSS and
 * script, no network.
 *
 * Sections: a summary of the run, a sortable table of the top allocation
 * sites with their verdict, the flame graph with a switch between the
 * metrics the tree has (and a search box), heap and stack bytes over time
 * with the collections marked, the leaks, the blocked goroutines.
 *
 * Input: the call tree (for the flame graphs) and an html_summary, filled
 * by whoever read the trace (the fields mirror the Report JSON of
 * DESIGN.md).  Every string is HTML-escaped here; callers pass raw names.
 */
#ifndef ESCAPADE_VIEWER_HTML_H
#define ESCAPADE_VIEWER_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calltree.h"

/* One allocation site (a row of the sites table; a leak when leaked_bytes). */
typedef struct html_site {
	const char *function;
	const char *file; /* NULL when unknown */
	uint32_t line;
	uint64_t allocations, bytes, peak_bytes, leaked_bytes, cost_ns;
	const char *verdict; /* "escaped", "frame-local" or "unknown" */
} html_site;

/* A sample of memory in use over time (the plot). */
typedef struct html_point {
	uint64_t ts_ns; /* since the start of the run */
	uint64_t heap_bytes, stack_bytes;
} html_point;

/* A goroutine that was still blocked at exit. */
typedef struct html_blocked {
	uint64_t id;
	const char *wait;       /* "chan receive", ... */
	const char *created_by; /* the function that called gort_go */
	const char *file;
	uint32_t line;
} html_blocked;

typedef struct html_summary {
	const char *program;
	uint64_t pid;
	uint64_t allocations, frees, bytes_allocated, peak_bytes, leaked_bytes, leaked_allocations,
	        temporary, gc_cycles, stack_grows, goroutines;
	bool truncated;         /* the trace ended early */
	const html_site *sites; /* in the order to show (top first) */
	size_t nsites;
	const html_point *series; /* in time order */
	size_t nseries;
	const uint64_t *gc_ts_ns; /* when each collection started */
	size_t ngc;
	const html_blocked *blocked;
	size_t nblocked;
} html_summary;

/* Writes the page.  The tree must be sorted (ct_sort).  Returns 0, or -1
 * on a write or memory error. */
int html_write(FILE *out, const ct_tree *t, const html_summary *s);

#endif
