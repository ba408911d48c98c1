/*
 * viewer/stackframes.h — stack frames per function, beside the heap bytes
 * of the same function: the "Stack frames" section of `escapade report`
 * for traces taken with `record --frames`.
 *
 * The call paths of the shadow stacks (viewer/framestack.h) are merged by
 * function (its entry address), symbolized, and joined by name with the
 * allocation sites (viewer/sites.h) whose allocating function it is.
 */
#ifndef ESCAPADE_VIEWER_STACKFRAMES_H
#define ESCAPADE_VIEWER_STACKFRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "framestack.h"
#include "sites.h"
#include "tracer/symbolize.h"

typedef struct frame_fn {
	const esc_frame *frame;                /* the function (where its entry address is) */
	uint64_t fn;                           /* its entry address */
	uint64_t calls;                        /* every entry */
	uint64_t sized;                        /* entries whose frame was measured */
	uint64_t frame_max;                    /* largest frame of one call, bytes */
	uint64_t stack_bytes;                  /* frame bytes summed over the measured calls */
	uint64_t deepest;                      /* stack bytes in use at its deepest call path, its
	                                          own frame included (from the outermost traced
	                                          function, whose own frame cannot be measured) */
	uint64_t heap_bytes, heap_allocations; /* the sites in this function */
	uint64_t frame_local, escaped;         /* their verdicts, in allocations */
} frame_fn;

/* The functions of f, sorted by stack_bytes (then deepest, calls), with
 * the heap figures of sites[0..nsites) whose function has the same name.
 * Returns the array (free() it) and its length in *n; NULL with *n = 0 when
 * f has no call or out of memory (then *n is SIZE_MAX). */
frame_fn *frame_fns_build(const framestack *f, esc_symbolizer *sym, const site *sites,
                          size_t nsites, size_t *n);

/* Mean frame of the measured calls (0 when none was measured). */
uint64_t frame_fn_mean(const frame_fn *f);

/* "escaped" when any allocation of the function escaped, "frame-local"
 * when all of them stayed frame-local, "unknown" when it allocated without
 * a verdict, "-" when it did not allocate on the heap. */
const char *frame_fn_verdict(const frame_fn *f);

#endif
