/*
 * timeline.h — a run as a Chrome trace-event JSON file, the format Perfetto
 * (ui.perfetto.dev) and chrome://tracing open.
 *
 * The input is a sequence of timed events, one struct each; the trace
 * reader will produce them from gort's probes and the collector's records.
 * How each kind is drawn:
 *
 *   TL_GOROUTINE   a complete ("X") slice from creation to exit on the
 *                  goroutine's own track, named after its function; one
 *                  still alive when the trace ended (state set) gets its
 *                  state in the slice's args and an instant at the end
 *                  named after it ("chan receive", "runnable", ...);
 *   TL_GC          a complete slice on the "GC" track;
 *   TL_STACK_GROW  an instant ("i") on the goroutine's track (value: the
 *                  new segment's size, name: the function that needed it);
 *   TL_HEAP        a counter ("C") sample of heap bytes in use;
 *   TL_STACK       a counter sample of stack bytes in use.
 */
#ifndef ESCAPADE_VIEWER_TIMELINE_H
#define ESCAPADE_VIEWER_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

enum tl_kind { TL_GOROUTINE, TL_GC, TL_STACK_GROW, TL_HEAP, TL_STACK };

typedef struct tl_event {
	enum tl_kind kind;
	uint64_t ts_ns;    /* start, or the instant, since the trace's start */
	uint64_t dur_ns;   /* TL_GOROUTINE, TL_GC */
	uint64_t goid;     /* TL_GOROUTINE, TL_STACK_GROW */
	uint64_t value;    /* bytes: TL_HEAP, TL_STACK, TL_STACK_GROW */
	const char *name;  /* function: TL_GOROUTINE, TL_STACK_GROW (may be NULL) */
	const char *state; /* TL_GOROUTINE: Go's wait reason (or "runnable", ...)
	                    * when the trace ended; NULL if it exited */
} tl_event;

typedef struct tl_writer tl_writer;

/* Starts the JSON document for process pid named program. */
tl_writer *tl_open(FILE *out, const char *program, uint64_t pid);

/* Appends one event; events need not be sorted.  -1 on a bad kind. */
int tl_add(tl_writer *w, const tl_event *ev);

/* Ends the document and frees w.  Returns 0, or -1 if any write failed. */
int tl_close(tl_writer *w);

#endif
