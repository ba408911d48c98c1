/*
 * viewer/framestack.h — stack bytes per call path, from the function
 * entry/exit events of a `record --frames` trace.
 *
 * A shadow stack per goroutine (or per thread outside goroutines) follows
 * the entries and exits.  A function's frame is the distance from its
 * caller's stack pointer to its own, both taken after the prologue; each
 * entry adds that many bytes to its call path.  Paths are a prefix tree of
 * function addresses, so memory grows with the number of distinct paths,
 * not with the number of calls.
 */
#ifndef ESCAPADE_VIEWER_FRAMESTACK_H
#define ESCAPADE_VIEWER_FRAMESTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct framestack framestack;

/* A call path: the function entered (its address), its caller's node
 * (0: none; nodes are numbered from 1) and the frame bytes of every call.
 * A frame is measured only when the caller's stack pointer is known and on
 * the same segment: `sized` counts those calls, frame_max is the largest. */
typedef struct fs_node {
	uint64_t fn;
	uint32_t parent;
	uint32_t first_child, next_sibling;
	uint64_t bytes, calls;
	uint64_t sized, frame_max;
} fs_node;

framestack *fs_new(void);
void fs_free(framestack *f);

/* Function fn was entered with stack pointer sp on stack key (a goroutine
 * or thread).  False when out of memory. */
bool fs_enter(framestack *f, uint64_t key, uint64_t fn, uint64_t sp);
/* The innermost function of stack key returned. */
void fs_exit(framestack *f, uint64_t key);
/* Stack key (a goroutine) took a new segment for a frame of frame_size
 * bytes (a stack grow record; 0: it returned off a segment): if the next
 * entry's stack pointer lies on another segment than its caller's, that
 * frame weighs frame_size plus its return address. */
void fs_grow(framestack *f, uint64_t key, uint64_t frame_size);

/* Nodes 1 .. fs_nodes(f) - 1. */
size_t fs_nodes(const framestack *f);
const fs_node *fs_node_at(const framestack *f, size_t i);

#endif
