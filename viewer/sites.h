/*
 * viewer/sites.h — allocation sites: stacks merged by the place that
 * called the allocator.
 *
 * A site is the function and line that called the allocator: the innermost
 * frame of a stack once the allocator's own wrappers (C++ operator new,
 * gort_newobject) are skipped, inlined frames included.  Stacks that reach
 * the allocator from the same site add up; the site keeps its heaviest
 * stack (most bytes) as the call path to show.
 */
#ifndef ESCAPADE_VIEWER_SITES_H
#define ESCAPADE_VIEWER_SITES_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate.h"
#include "calltree.h"
#include "tracer/symbolize.h"

typedef struct site {
	const esc_frame *frame; /* the site: function, file, line, module */
	uint64_t allocations, bytes, frees, cost_ns;
	uint64_t peak_bytes, leaked_bytes, leaked_allocations, temporary;
	uint64_t frame_local, escaped, unknown;
	const agg_stack *heaviest; /* the stack with the most bytes */
	uint32_t pc_index;         /* where the site is in it: pcs[pc_index] ... */
	int inline_index;          /* ... and that address's frame number */
} site;

enum site_sort { SORT_COUNT, SORT_BYTES, SORT_COST, SORT_PEAK, SORT_LEAKED };

/* Builds the sites of every stack that allocated, sorted by key (largest
 * first).  Returns the array (free() it) and its length in *n; NULL with *n
 * = 0 when there is none or no memory. */
site *sites_build(agg *a, esc_symbolizer *sym, enum site_sort key, size_t *n);

/* Finds the site of one stack: the first frame, walking outward, that is
 * not the allocator's own wrapper; pcs[*pc_index], inlined frame
 * *inline_index.  False for a stack without addresses. */
bool site_find(esc_symbolizer *sym, const agg_stack *st, uint32_t *pc_index, int *inline_index,
               const esc_frame **frame);

/* Tidies a call path (frames[0..n), outermost first) for the call tree;
 * returns the new length:
 *  - a function split by a stack segment, `f; __morestack; f` (its prologue
 *    called __morestack, which ran its body on the new segment), becomes the
 *    one inner `f` frame (the line that was running), so flame graphs do not
 *    show it twice;
 *  - the C start-up frames above main (_start, __libc_start_main*,
 *    __libc_start_call_main) are dropped when main is there, so every
 *    stack of main has the one root main however deep the unwinder went. */
size_t site_tidy_path(ct_frame *frames, size_t n);

/* "escaped" when an allocation outlived its allocating frame,
 * "frame-local" when every allocation died before its frame returned,
 * "unknown" otherwise (no frame information). */
const char *site_verdict(const site *s);

/* Calls fn for each frame of the site's call path, the site first, then its
 * callers outward (inlined frames expanded). */
void site_path(const site *s, esc_symbolizer *sym, void (*fn)(const esc_frame *f, void *arg),
               void *arg);

/* Where goroutine g was created (the caller of gort_go, from its creator's
 * stack) and its entry function; NULL frames when unknown.  The report,
 * the HTML page and the timeline name goroutines by these. */
void goroutine_origin(const agg *a, esc_symbolizer *sym, const agg_goroutine *g,
                      const esc_frame **created_by, const esc_frame **entry);

#endif
