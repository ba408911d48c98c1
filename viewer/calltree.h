/*
 * calltree.h — the call tree every viewer output is drawn from.
 *
 * A prefix tree of symbolized stacks: the root is a virtual "all" node, its
 * children are outermost frames (main, thread starts), leaves are the
 * functions that allocated.  Adding a stack walks (and extends) one path and
 * adds the stack's metric vector to every node on it, so each node holds
 * its *total*; a node's *self* value is its total minus its children's.
 *
 * Frames are interned: each distinct string is stored once, each distinct
 * (name, file, line, module) frame once, and a node is a frame id plus
 * links.  Memory grows with the number of unique stacks, never with the
 * number of stacks added.
 */
#ifndef ESCAPADE_VIEWER_CALLTREE_H
#define ESCAPADE_VIEWER_CALLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The metrics a stack carries; `--metric NAME` maps to one of these. */
enum ct_metric {
	CT_COUNT,  /* allocations */
	CT_BYTES,  /* bytes allocated */
	CT_COST,   /* ns spent in the allocator */
	CT_PEAK,   /* bytes in use at the peak */
	CT_LEAKED, /* bytes still allocated at exit */
	CT_LEAKS,  /* allocations still live at exit */
	CT_STACK,  /* stack bytes (frames, segments) */
	CT_NMETRICS
};

/* One frame of a stack as the caller hands it in.  Only name is required. */
typedef struct ct_frame {
	const char *name;
	const char *file;   /* NULL or "" when unknown */
	uint32_t line;      /* 0 when unknown */
	const char *module; /* NULL or "" when unknown */
} ct_frame;

/* A node of the tree.  Node 0 is the root; a node's parent always has a
 * smaller index than the node, so a reverse scan visits children first. */
typedef struct ct_node {
	uint32_t frame;        /* index in the frame table */
	uint32_t parent;       /* 0 for the root's children (and the root) */
	uint32_t first_child;  /* 0 = none */
	uint32_t next_sibling; /* 0 = none */
	uint64_t total[CT_NMETRICS];
} ct_node;

typedef struct ct_tree ct_tree;

ct_tree *ct_new(void);
void ct_free(ct_tree *t);

/* Adds a stack of n frames, outermost first, with its metric vector
 * (CT_NMETRICS values).  An empty stack is filed under one frame named
 * CT_NO_STACK, so that every value belongs to some stack in every output.
 * Returns the leaf node, or 0 on allocation failure. */
#define CT_NO_STACK "[no stack]"
uint32_t ct_add(ct_tree *t, const ct_frame *frames, size_t n, const uint64_t *values);

/* Adds the path frames[0..n) below node parent (which, with its ancestors,
 * gets the values too): readers that see stacks sharing a prefix with the
 * previous one skip the lookups of that prefix.  Returns the leaf, or 0. */
uint32_t ct_add_below(ct_tree *t, uint32_t parent, const ct_frame *frames, size_t n,
                      const uint64_t *values);

/* Same as ct_add, with names only. */
uint32_t ct_add_names(ct_tree *t, const char *const *names, size_t n, const uint64_t *values);

/* Number of nodes (root included) and unique frames. */
uint32_t ct_nodes(const ct_tree *t);
uint32_t ct_frames(const ct_tree *t);
const ct_node *ct_node_at(const ct_tree *t, uint32_t node);
const ct_frame *ct_frame_at(const ct_tree *t, uint32_t frame);
const char *ct_name(const ct_tree *t, uint32_t node);
uint64_t ct_self(const ct_tree *t, uint32_t node, enum ct_metric m);

/* The child of parent for frame, or 0. */
uint32_t ct_find_child(const ct_tree *t, uint32_t parent, const ct_frame *frame);

/* Sorts every node's children by name (then file, line), the order
 * flamegraph.pl draws in; outputs call it once before walking. */
void ct_sort(ct_tree *t);

/* A new tree with every stack reversed (leaf first): flamegraph.pl's
 * --reverse, which merges stacks by the allocating function.  NULL when out
 * of memory. */
ct_tree *ct_reverse(const ct_tree *t);

/* A new tree of the same stacks with every frame cut to its function name
 * (no file, line or module), merging the paths that then coincide: how
 * `escapade diff` matches stacks of two builds of one program, whose
 * lines and module paths differ.  NULL when out of memory. */
ct_tree *ct_by_name(const ct_tree *t);

/* Depth-first walk, parents before children, children in sibling order.
 * visit returns false to skip the node's subtree.  The root is visited at
 * depth 0.  Iterative (no recursion, no memory): any depth is fine. */
typedef bool (*ct_visit_fn)(void *ctx, const ct_tree *t, uint32_t node, uint32_t depth);
void ct_walk(const ct_tree *t, ct_visit_fn visit, void *ctx);

/* Metric names ("count", "bytes", ...), their units ("count", "bytes",
 * "nanoseconds") and the lookup --metric uses (-1 for an unknown name). */
const char *ct_metric_name(enum ct_metric m);
const char *ct_metric_unit(enum ct_metric m);
int ct_metric_parse(const char *name);

#endif
