/*
 * viewer/framestack.c — shadow stacks of `--frames` traces (see
 * framestack.h).
 *
 * Stacks are found by key through an id table (key -> index + 1 in the
 * stack array); each stack is an array of (node, sp).  A node's children
 * are a sibling list searched linearly: a function calls few others.
 * Segmented stacks make the distance between two frames meaningless when
 * they sit on different segments; such distances (negative, or above
 * MAX_FRAME) count 0 bytes rather than garbage, unless a stack grow record
 * (fs_grow) just said how large the frame that starts the new segment is.
 */
#include "config.h"

#include "framestack.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

#include "tracer/idtable.h"

#define MAX_FRAME (1u << 20)

struct frame {
	uint32_t node;
	uint64_t sp;
};

struct shadow {
	struct frame *v;
	size_t n, cap;
	uint64_t grown; /* bytes of the frame the next entry starts a segment with */
};

struct framestack {
	fs_node *nodes;
	size_t nnodes, capnodes;
	struct shadow *stacks;
	size_t nstacks, capstacks;
	id_table keys;
};

framestack *fs_new(void)
{
	framestack *f = calloc(1, sizeof *f);
	if (f && !(f->nodes = calloc(64, sizeof *f->nodes))) {
		free(f);
		return NULL;
	}
	if (f) {
		f->nnodes = 1; /* node 0: the root */
		f->capnodes = 64;
	}
	return f;
}

void fs_free(framestack *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nstacks; i++)
		free(f->stacks[i].v);
	free(f->stacks);
	free(f->nodes);
	id_table_free(&f->keys);
	free(f);
}

static struct shadow *shadow_of(framestack *f, uint64_t key)
{
	id_slot *s = id_table_put(&f->keys, key);
	if (!s)
		return NULL;
	if (!s->a) {
		if (!grow_array(&f->stacks, &f->capstacks, f->nstacks + 1, sizeof *f->stacks, 16))
			return NULL;
		memset(&f->stacks[f->nstacks], 0, sizeof *f->stacks);
		s->a = ++f->nstacks;
	}
	return &f->stacks[s->a - 1];
}

/* The child of parent for fn, created when absent; 0 when out of memory. */
static uint32_t child(framestack *f, uint32_t parent, uint64_t fn)
{
	for (uint32_t c = f->nodes[parent].first_child; c; c = f->nodes[c].next_sibling)
		if (f->nodes[c].fn == fn)
			return c;
	if (!grow_array(&f->nodes, &f->capnodes, f->nnodes + 1, sizeof *f->nodes, 1))
		return 0;
	uint32_t c = (uint32_t)f->nnodes++;
	f->nodes[c] =
	        (fs_node){.fn = fn, .parent = parent, .next_sibling = f->nodes[parent].first_child};
	f->nodes[parent].first_child = c;
	return c;
}

bool fs_enter(framestack *f, uint64_t key, uint64_t fn, uint64_t sp)
{
	struct shadow *s = shadow_of(f, key);
	if (!s)
		return false;
	if (!grow_array(&s->v, &s->cap, s->n + 1, sizeof *s->v, 64))
		return false;
	const struct frame *up = s->n ? &s->v[s->n - 1] : NULL;
	uint32_t node = child(f, up ? up->node : 0, fn);
	if (!node)
		return false;
	fs_node *nd = &f->nodes[node];
	nd->calls++;
	/* A frame that started a new segment: its caller's sp lies on another
	 * segment, so the frame size asked in the stack grow record before it
	 * stands in for the distance. */
	uint64_t frame = 0;
	if (up && up->sp > sp && up->sp - sp <= MAX_FRAME)
		frame = up->sp - sp;
	else if (up && s->grown)
		frame = s->grown;
	s->grown = 0;
	if (frame) {
		nd->bytes += frame;
		nd->sized++;
		if (frame > nd->frame_max)
			nd->frame_max = frame;
	}
	s->v[s->n++] = (struct frame){node, sp};
	return true;
}

void fs_exit(framestack *f, uint64_t key)
{
	id_slot *s = id_table_find(&f->keys, key);
	if (s && f->stacks[s->a - 1].n)
		f->stacks[s->a - 1].n--;
	if (s)
		f->stacks[s->a - 1].grown = 0;
}

void fs_grow(framestack *f, uint64_t key, uint64_t frame_size)
{
	id_slot *s = id_table_find(&f->keys, key);
	if (s)
		f->stacks[s->a - 1].grown =
		        frame_size && frame_size <= MAX_FRAME ? frame_size + 8 : 0;
}

size_t fs_nodes(const framestack *f)
{
	return f->nnodes;
}

const fs_node *fs_node_at(const framestack *f, size_t i)
{
	return &f->nodes[i];
}
