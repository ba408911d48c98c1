/*
 * reader.h — reading an Escapade trace (the viewer's only way in).
 *
 * Open a trace, then pull events one by one with esc_reader_next() (or have
 * esc_reader_run() call you back for each).  Events of all threads come
 * merged in time order; every thread's own order is kept.  Stack ids in
 * events are process-wide (identical stacks of two threads share one id)
 * and a STACK event announces each id before its first use; block ids are
 * `thread << 40 | seq` and match between an alloc and its free.
 *
 * The reader never trusts the file: a cut-off file yields everything before
 * the cut and esc_reader_truncated(); a damaged one yields everything before
 * the damage, then -1 and a message in esc_reader_error().
 */
#ifndef ESCAPADE_READER_H
#define ESCAPADE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format.h"

typedef struct esc_reader esc_reader;

enum esc_event_type {
	ESC_EV_MODULE,
	ESC_EV_STACK,
	ESC_EV_THREAD_NAME,
	ESC_EV_ALLOC, /* malloc family; also gort newobject (fn ESC_FN_NEWOBJECT) */
	ESC_EV_FREE,  /* free family; also gort's sweeper (fn ESC_FN_SWEEP) */
	ESC_EV_GC_START,
	ESC_EV_GC_END,
	ESC_EV_STACK_GROW,
	ESC_EV_STACK_RELEASE,
	ESC_EV_GO_CREATE,
	ESC_EV_GO_EXIT,
	ESC_EV_LOST,
	ESC_EV_END,
	ESC_EV_FRAME_ENTER, /* --frames: a function of code built with -finstrument-functions */
	ESC_EV_FRAME_EXIT,
	ESC_EV_ESCAPE,   /* a return barrier's verdict on one gort object */
	ESC_EV_GO_STATE, /* a goroutine left at the end, and what it was doing */
};

/* fn of an ESC_EV_ALLOC that came from gort_newobject. */
#define ESC_FN_NEWOBJECT 31u

/* A block named by a free or a realloc. */
struct esc_ref {
	enum esc_ref_kind kind; /* NONE, LOCAL, REMOTE, UNKNOWN */
	bool live;              /* the allocating frame was still live: frame-local */
	bool same;              /* realloc kept the address */
	uint64_t id;            /* block id (0 for NONE and UNKNOWN) */
};

struct esc_event {
	enum esc_event_type type;
	uint32_t thread;  /* thread index (1, 2, ...) */
	uint32_t tid;     /* kernel thread id */
	uint64_t goid;    /* goroutine running (0: none) */
	uint64_t time_ns; /* since the trace started */
	union {
		struct {
			uint64_t base, size;
			const char *path;
			const uint8_t *build_id;
			size_t build_id_len;
		} module;
		struct {
			uint32_t id;
			uint32_t depth;
			bool truncated;
			const uint64_t *pcs; /* return addresses, innermost first */
		} stack;
		struct {
			const char *name;
		} thread_name;
		struct {
			unsigned fn;    /* enum esc_alloc_fn, or ESC_FN_NEWOBJECT */
			uint64_t id;    /* block id */
			uint64_t size;  /* bytes requested */
			uint32_t stack; /* process-wide stack id (0: none) */
			uint64_t frame; /* CFA of the allocating frame (0: unknown) */
			uint64_t cost_ns;
			int sizeclass;      /* gort only */
			struct esc_ref old; /* realloc family: the block released */
		} alloc;
		struct {
			unsigned fn; /* enum esc_free_fn */
			struct esc_ref block;
		} free;
		struct {
			uint64_t cycle, heap_live, heap_goal, objects_live, freed_objects,
			        freed_bytes, pause_ns, mark_ns;
			bool forced;
		} gc;
		struct {
			uint64_t goid, frame_size, seg_size;
			uint32_t stack;
		} stack_grow; /* seg_size only for STACK_RELEASE */
		struct {
			uint64_t goid, parent, fn;
			uint32_t stack;
		} go;
		struct {
			uint64_t count;
		} lost;
		struct {
			unsigned reason; /* enum esc_end_reason */
			int64_t status;  /* -1: unknown (main returned) */
		} end;
		struct {
			uint64_t fn; /* FRAME_ENTER: the function's address */
			uint64_t sp; /* FRAME_ENTER: the stack pointer after its prologue */
		} frame;
		struct {
			struct esc_ref block; /* the object */
			bool escaped;         /* reachable once its frame returned */
		} escape;
		struct {
			uint64_t goid;
			const char *state; /* "chan receive", "select", "runnable", ... */
		} go_state;
	} u;
};

/* What the file header says. */
struct esc_trace_info {
	uint32_t version, pid, ppid, flags, clock, max_depth, chunk_size;
	uint64_t start_realtime_ns;
	const char *exe;
};

/* Open a trace file (mapped read-only).  NULL on error, with a message in
 * err (which may be NULL). */
esc_reader *esc_reader_open(const char *path, char *err, size_t errlen);
/* Read a trace held in memory (not copied: it must outlive the reader). */
esc_reader *esc_reader_open_mem(const void *data, size_t len, char *err, size_t errlen);
void esc_reader_close(esc_reader *r);

const struct esc_trace_info *esc_reader_info(const esc_reader *r);

/* Next event: 1 and *ev filled (its pointers valid until the next call),
 * 0 at the end of the trace, -1 on damage (see esc_reader_error). */
int esc_reader_next(esc_reader *r, struct esc_event *ev);

/* Call fn for every event until it returns non-zero (which is returned) or
 * the trace ends (0) or is damaged (-1). */
int esc_reader_run(esc_reader *r, int (*fn)(const struct esc_event *, void *), void *arg);

/* After the end: did the trace lack an end record or stop short?  Why? */
bool esc_reader_truncated(const esc_reader *r);
/* How far the reading has gone, for a progress line: the bytes of the file
 * whose records have all been delivered (the header counts), of *size, the
 * file's length.  Chunks count once read to their end. */
uint64_t esc_reader_progress(const esc_reader *r, uint64_t *size);

/* The damage or truncation message ("" when none). */
const char *esc_reader_error(const esc_reader *r);

/* A process-wide stack by id: its PCs (NULL when unknown). */
const uint64_t *esc_reader_stack(const esc_reader *r, uint32_t id, uint32_t *depth,
                                 bool *truncated);

#endif /* ESCAPADE_READER_H */
