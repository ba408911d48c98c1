/*
 * viewer/stackframes.c — stack frames per function (see stackframes.h).
 *
 * One walk over the framestack's nodes, in creation order (a node always
 * comes after its parent), gives each node the stack in use at its call,
 * depth[i] = depth[parent] + the node's largest frame, and adds the node
 * to its function's row (an id table from entry address to row).  Then
 * each row is symbolized once, and every allocation site is added to the
 * row of its function, found by name through a second id table keyed by a
 * hash of the name (a collision is checked with strcmp and then ignored).
 */
#include "config.h"

#include "stackframes.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "tracer/idtable.h"

static uint64_t name_hash(const char *s)
{
	return fnv1a_str(FNV1A_BASIS, s) >> 1; /* never UINT64_MAX, which id tables refuse */
}

/* Rows by function address, with calls, frames and depths. */
static frame_fn *merge_nodes(const framestack *f, size_t *n)
{
	size_t nodes = fs_nodes(f);
	frame_fn *rows = calloc(nodes, sizeof *rows);
	uint64_t *depth = calloc(nodes, sizeof *depth);
	id_table by_fn = {0};
	*n = 0;
	for (size_t i = 1; rows && depth && i < nodes; i++) {
		const fs_node *nd = fs_node_at(f, i);
		depth[i] = depth[nd->parent] + nd->frame_max;
		/* UINT64_MAX cannot be a key: a hostile trace's problem only */
		id_slot *s = id_table_put(&by_fn, nd->fn == UINT64_MAX ? 0 : nd->fn);
		if (!s)
			goto fail;
		if (!s->a) {
			rows[*n].fn = nd->fn;
			s->a = ++*n;
		}
		frame_fn *r = &rows[s->a - 1];
		r->calls += nd->calls;
		r->sized += nd->sized;
		r->stack_bytes += nd->bytes;
		if (nd->frame_max > r->frame_max)
			r->frame_max = nd->frame_max;
		if (depth[i] > r->deepest)
			r->deepest = depth[i];
	}
	if (!rows || !depth)
		goto fail;
	free(depth);
	id_table_free(&by_fn);
	return rows;
fail:
	free(rows);
	free(depth);
	id_table_free(&by_fn);
	*n = SIZE_MAX;
	return NULL;
}

/* Adds each site's heap figures to the row of its function. */
static bool join_sites(frame_fn *rows, size_t n, const site *sites, size_t nsites)
{
	id_table by_name = {0};
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].frame->function)
			continue;
		id_slot *s = id_table_put(&by_name, name_hash(rows[i].frame->function));
		if (!s)
			goto fail;
		if (!s->a)
			s->a = i + 1;
	}
	for (size_t i = 0; i < nsites; i++) {
		const char *name = sites[i].frame->function;
		id_slot *s = name ? id_table_find(&by_name, name_hash(name)) : NULL;
		if (!s || strcmp(rows[s->a - 1].frame->function, name))
			continue;
		frame_fn *r = &rows[s->a - 1];
		r->heap_bytes += sites[i].bytes;
		r->heap_allocations += sites[i].allocations;
		r->frame_local += sites[i].frame_local;
		r->escaped += sites[i].escaped;
	}
	id_table_free(&by_name);
	return true;
fail:
	id_table_free(&by_name);
	return false;
}

static int by_stack_bytes(const void *pa, const void *pb)
{
	const frame_fn *a = pa, *b = pb;
	if (a->stack_bytes != b->stack_bytes)
		return a->stack_bytes < b->stack_bytes ? 1 : -1;
	if (a->deepest != b->deepest)
		return a->deepest < b->deepest ? 1 : -1;
	if (a->calls != b->calls)
		return a->calls < b->calls ? 1 : -1;
	return a->fn < b->fn ? -1 : a->fn > b->fn;
}

frame_fn *frame_fns_build(const framestack *f, esc_symbolizer *sym, const site *sites,
                          size_t nsites, size_t *n)
{
	*n = 0;
	if (!f || fs_nodes(f) < 2)
		return NULL;
	frame_fn *rows = merge_nodes(f, n);
	if (!rows)
		return NULL;
	for (size_t i = 0; i < *n; i++) {
		/* An entry address, not a return address; its outermost frame
		 * is the function itself (not something inlined into it). */
		const esc_symbol *sy = esc_symbolize(sym, -1, rows[i].fn, false);
		if (!sy)
			goto fail;
		rows[i].frame = &sy->frames[sy->nframes - 1];
	}
	if (!join_sites(rows, *n, sites, nsites))
		goto fail;
	qsort(rows, *n, sizeof *rows, by_stack_bytes);
	return rows;
fail:
	free(rows);
	*n = SIZE_MAX;
	return NULL;
}

uint64_t frame_fn_mean(const frame_fn *f)
{
	return f->sized ? (f->stack_bytes + f->sized / 2) / f->sized : 0;
}

const char *frame_fn_verdict(const frame_fn *f)
{
	if (!f->heap_allocations)
		return "-";
	if (f->escaped)
		return "escaped";
	return f->frame_local ? "frame-local" : "unknown";
}
