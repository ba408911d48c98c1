/*
 * viewer/aggregate.c — per-stack totals in one streaming pass.
 *
 * Three id tables (tracer/idtable.h) carry the pass:
 *   stacks  stack id -> index in the stack array;
 *   blocks  block id -> (size, stack index, frame known), live blocks only:
 *           an entry is removed when its block is released;
 *   threads thread index -> the latest block it created, for "temporary"
 *           (freed before the thread's next allocation, heaptrack's
 *           definition, which makes the two tools' figures comparable).
 *
 * Peak accounting.  A stack's peak_bytes is its live bytes at the moment
 * the whole trace's live bytes peaked.  Copying every stack's live bytes at
 * each new peak would cost O(stacks) per event on a growing heap; instead a
 * counter `peaks` advances at each new peak, and every stack remembers the
 * count when its live bytes last changed (peak_stamp).  If a peak happened
 * since, its live bytes were the same at that peak as they are now, so
 * they are saved into peak_bytes just before the change.  agg_finish does
 * the same for every stack.  O(1) per event.
 */
#include "config.h"

#include "aggregate.h"
#include "grow.h"
#include "tracer/idtable.h"

#include <stdlib.h>
#include <string.h>

/* ---- the pass ------------------------------------------------------------ */

struct agg {
	agg_stack *stacks;
	size_t nstacks, capstacks;
	id_table stack_index, blocks, threads;
	id_table goroutines;          /* alive: goid -> (creator's stack | state << 32, entry fn) */
	char *states[AGG_MAX_STATES]; /* goroutine states seen, interned */
	size_t nstates;
	agg_totals totals;
	uint64_t live_bytes; /* of the whole trace */
	uint64_t peaks;      /* new peaks reached so far */
};

/* Block table values: a = size, b = stack index | FRAME_KNOWN | GORT_OBJECT
 * (| bit 62, below). */
#define FRAME_KNOWN (1ULL << 63)
#define GORT_OBJECT (1ULL << 61) /* verdict from escape records only */

agg *agg_new(void)
{
	return calloc(1, sizeof(agg));
}

void agg_free_all(agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nstacks; i++)
		free(a->stacks[i].pcs);
	free(a->stacks);
	id_table_free(&a->stack_index);
	id_table_free(&a->blocks);
	id_table_free(&a->threads);
	id_table_free(&a->goroutines);
	for (size_t i = 0; i < a->nstates; i++)
		free(a->states[i]);
	free(a);
}

static agg_stack *new_stack(agg *a, uint64_t id)
{
	id_slot *s = id_table_put(&a->stack_index, id);
	if (!s)
		return NULL;
	if (s->b)
		return &a->stacks[s->a];
	if (!grow_array(&a->stacks, &a->capstacks, a->nstacks + 1, sizeof *a->stacks, 256)) {
		id_table_remove(&a->stack_index, s);
		return NULL;
	}
	s->a = a->nstacks;
	s->b = 1; /* defined */
	agg_stack *st = &a->stacks[a->nstacks++];
	memset(st, 0, sizeof *st);
	st->id = id;
	return st;
}

bool agg_stack_define(agg *a, uint64_t id, const uint64_t *pcs, uint32_t depth, bool truncated)
{
	if (id_table_find(&a->stack_index, id))
		return true;
	agg_stack *st = new_stack(a, id);
	if (!st)
		return false;
	if (depth) {
		st->pcs = malloc(depth * sizeof *pcs);
		if (!st->pcs)
			return false;
		memcpy(st->pcs, pcs, depth * sizeof *pcs);
	}
	st->depth = depth;
	st->truncated = truncated;
	return true;
}

/* Live bytes of st are about to change: keep their value at the last peak. */
static void touch(agg *a, agg_stack *st)
{
	if (st->peak_stamp != a->peaks) {
		st->peak_bytes = st->live_bytes;
		st->peak_stamp = a->peaks;
	}
}

bool agg_alloc(agg *a, uint64_t block, uint64_t stack, uint64_t size, uint64_t cost_ns,
               bool frame_known, bool gort)
{
	agg_stack *st = new_stack(a, stack); /* finds it when defined */
	if (!st)
		return false;
	agg_totals *t = &a->totals;
	t->allocations++;
	t->bytes_allocated += size;
	t->cost_ns += cost_ns;
	t->gort_objects += gort;
	st->allocs++;
	st->bytes += size;
	st->cost_ns += cost_ns;
	st->gort += gort;

	id_slot *b = id_table_put(&a->blocks, block);
	if (!b)
		return false;
	if (b->key && b->b) {
		/* The id was live already (hostile input): drop the old block. */
		agg_release(a, block, false, false);
		b = id_table_put(&a->blocks, block);
		if (!b)
			return false;
	}
	size_t index = (size_t)(st - a->stacks);
	b->a = size;
	b->b = (uint64_t)index | (frame_known ? FRAME_KNOWN : 0) | (gort ? GORT_OBJECT : 0) |
	       (1ULL << 62);
	st->live_gort += gort;
	touch(a, st);
	st->live_bytes += size;
	st->live_allocs++;
	a->live_bytes += size;
	if (a->live_bytes > t->peak_bytes) {
		t->peak_bytes = a->live_bytes;
		a->peaks++;
	}
	id_slot *th = id_table_put(&a->threads, block >> 40);
	if (th)
		th->a = block + 1;
	return true;
}

/* Block table values carry bit 62 so that a live entry never has b == 0. */
#define STACK_INDEX(b) ((size_t)((b) & ((1ULL << 61) - 1)))

void agg_release(agg *a, uint64_t block, bool live, bool counted)
{
	id_slot *b = id_table_find(&a->blocks, block);
	if (!b) {
		if (counted)
			agg_release_unknown(a);
		return;
	}
	agg_stack *st = &a->stacks[STACK_INDEX(b->b)];
	uint64_t size = b->a;
	bool known = b->b & FRAME_KNOWN, gort = b->b & GORT_OBJECT;
	id_table_remove(&a->blocks, b);

	if (counted) {
		a->totals.frees++;
		st->frees++;
	}
	if (gort)
		st->live_gort--;
	else if (!known)
		st->unknown++;
	else if (live)
		st->frame_local++;
	else
		st->escaped++;
	id_slot *th = id_table_find(&a->threads, block >> 40);
	if (th && th->a == block + 1) {
		st->temporary++;
		a->totals.temporary++;
		th->a = 0;
	}
	touch(a, st);
	st->live_bytes -= size;
	st->live_allocs--;
	a->live_bytes -= size;
}

void agg_escape(agg *a, uint64_t block, bool escaped)
{
	id_slot *b = id_table_find(&a->blocks, block);
	if (!b || !(b->b & GORT_OBJECT))
		return;
	agg_stack *st = &a->stacks[STACK_INDEX(b->b)];
	if (escaped)
		st->escaped++;
	else
		st->frame_local++;
}

void agg_sweep(agg *a, uint64_t block, bool live)
{
	a->totals.gort_frees++;
	agg_release(a, block, live, true);
}

void agg_release_unknown(agg *a)
{
	a->totals.frees++;
	a->totals.unknown_frees++;
}

void agg_gc(agg *a)
{
	a->totals.gc_cycles++;
}

void agg_stack_grow(agg *a, uint64_t seg_size)
{
	a->totals.stack_grows++;
	a->totals.stack_grow_bytes += seg_size;
}

void agg_stack_grow_at(agg *a, uint64_t stack, uint64_t seg_size)
{
	agg_stack_grow(a, seg_size);
	id_slot *s = id_table_find(&a->stack_index, stack);
	if (s)
		a->stacks[s->a].stack_bytes += seg_size;
}

uint64_t agg_live_bytes(const agg *a)
{
	return a->live_bytes;
}

void agg_go_create(agg *a, uint64_t goid, uint64_t stack, uint64_t fn)
{
	a->totals.goroutines++;
	id_slot *g = id_table_put(&a->goroutines, goid);
	if (g) {
		g->a = stack & 0xffffffffu; /* stack ids are 32-bit */
		g->b = fn;
	}
}

/* The number (from 1) of an interned state; 0 when the table is full. */
static int intern_state(agg *a, const char *state, uint64_t *idx)
{
	for (size_t i = 0; i < a->nstates; i++)
		if (!strcmp(a->states[i], state)) {
			*idx = i + 1;
			return 0;
		}
	*idx = 0;
	if (a->nstates == AGG_MAX_STATES)
		return 0;
	if (!(a->states[a->nstates] = strdup(state)))
		return -1;
	*idx = ++a->nstates;
	return 0;
}

bool agg_go_state(agg *a, uint64_t goid, const char *state)
{
	id_slot *g = id_table_find(&a->goroutines, goid);
	uint64_t idx;
	if (!g)
		return true;
	if (intern_state(a, state, &idx) < 0)
		return false;
	/* A later state replaces the earlier one, even when it did not fit in
	 * the table (idx 0): unknown, not what the goroutine did before. */
	g->a = (g->a & 0xffffffffu) | idx << 32;
	return true;
}

void agg_go_exit(agg *a, uint64_t goid)
{
	id_slot *g = id_table_find(&a->goroutines, goid);
	if (g)
		id_table_remove(&a->goroutines, g);
}

static int compare_goid(const void *pa, const void *pb)
{
	const agg_goroutine *x = pa, *y = pb;
	return x->goid < y->goid ? -1 : x->goid > y->goid;
}

agg_goroutine *agg_goroutines_alive(const agg *a, size_t *n)
{
	*n = 0;
	if (!a->goroutines.len)
		return NULL;
	agg_goroutine *v = malloc(a->goroutines.len * sizeof *v);
	if (!v)
		return NULL;
	for (size_t i = 0; i < a->goroutines.cap; i++) {
		const id_slot *g = &a->goroutines.v[i];
		if (g->key)
			v[(*n)++] =
			        (agg_goroutine){g->key - 1, g->a & 0xffffffffu, g->b,
			                        g->a >> 32 ? a->states[(g->a >> 32) - 1] : NULL};
	}
	qsort(v, *n, sizeof *v, compare_goid);
	return v;
}

const agg_stack *agg_stack_by_id(const agg *a, uint64_t id)
{
	const id_slot *s = id_table_find(&a->stack_index, id);
	return s ? &a->stacks[s->a] : NULL;
}

void agg_lost(agg *a, uint64_t count)
{
	a->totals.lost += count;
}

void agg_finish(agg *a)
{
	for (size_t i = 0; i < a->nstacks; i++) {
		agg_stack *st = &a->stacks[i];
		touch(a, st);
		st->escaped += st->live_allocs - st->live_gort; /* outlived every frame */
		a->totals.leaked_bytes += st->live_bytes;
		a->totals.leaked_allocations += st->live_allocs;
	}
}

const agg_totals *agg_totals_of(const agg *a)
{
	return &a->totals;
}

size_t agg_nstacks(const agg *a)
{
	return a->nstacks;
}

agg_stack *agg_stack_at(agg *a, size_t i)
{
	return i < a->nstacks ? &a->stacks[i] : NULL;
}

size_t agg_live_blocks(const agg *a)
{
	return a->blocks.len;
}
