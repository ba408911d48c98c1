/*
 * viewer/sites.c — merging stacks into allocation sites.
 *
 * Each stack's innermost return address is symbolized (pc - 1: the call
 * instruction), inlined frames included; frames of the allocator's own
 * wrappers are skipped, walking outward, until a frame of the program
 * remains: that frame is the site.  Sites are keyed by the frame's
 * (function, file, line, module) in a hash table; the symbolizer's answers
 * are cached and stable, so the site keeps a pointer to its frame.
 */
#include "config.h"

#include "sites.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

/* gort's split-stack machinery: when a call needs a new stack segment,
 * __morestack runs the callee's body on it, so its frame stands between the
 * callee and the caller in every stack taken there. */
static bool is_stack_switch(const char *fn)
{
	return fn && (!strcmp(fn, "__morestack") || !strcmp(fn, "__morestack_non_split"));
}

static bool is_startup(const char *fn)
{
	return !strcmp(fn, "_start") || !strncmp(fn, "__libc_start_main", 17) ||
	       !strcmp(fn, "__libc_start_call_main");
}

/* Drops frames[k..k+d) of the n frames; returns the new length. */
static size_t drop_frames(ct_frame *frames, size_t n, size_t k, size_t d)
{
	memmove(&frames[k], &frames[k + d], (n - k - d) * sizeof *frames);
	return n - d;
}

size_t site_tidy_path(ct_frame *frames, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++)
		if (is_stack_switch(frames[i].name) &&
		    !strcmp(frames[i - 1].name, frames[i + 1].name))
			n = drop_frames(frames, n, --i, 2);
	size_t m = 0;
	while (m < n && is_startup(frames[m].name))
		m++;
	if (m && m < n && !strcmp(frames[m].name, "main"))
		n = drop_frames(frames, n, 0, m);
	return n;
}

/* Functions that only pass an allocation on: the site is their caller.
 * (operator new and friends in libstdc++; gort's allocation path, where the
 * newobject probe fires: gort_newobject tail-calls newobject_probed, which
 * runs the probe, so a gort stack starts there; gort_makechan allocates the
 * channel for its caller, as Go's make(chan) does.) */
static bool is_allocator_wrapper(const char *fn)
{
	static const char *const prefixes[] = {"operator new", "operator delete"};
	static const char *const names[] = {"gort_newobject",   "gort_newarray",
	                                    "newobject_probed", "mallocgc",
	                                    "gort_makechan",    "newobject_for_caller"};
	if (!fn)
		return false;
	if (is_stack_switch(fn))
		return true;
	for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
		if (!strncmp(fn, prefixes[i], strlen(prefixes[i])))
			return true;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(fn, names[i]))
			return true;
	return false;
}

/* The frame standing for address pcs[k] of a stack, or the bare address. */
static const esc_symbol *symbol_at(esc_symbolizer *sym, const agg_stack *st, uint32_t k)
{
	return esc_symbolize(sym, -1, st->pcs[k], true);
}

bool site_find(esc_symbolizer *sym, const agg_stack *st, uint32_t *pc_index, int *inline_index,
               const esc_frame **frame)
{
	for (uint32_t k = 0; k < st->depth; k++) {
		const esc_symbol *s = symbol_at(sym, st, k);
		if (!s)
			return false;
		for (int j = 0; j < s->nframes; j++) {
			if (is_allocator_wrapper(s->frames[j].function))
				continue;
			*pc_index = k;
			*inline_index = j;
			*frame = &s->frames[j];
			return true;
		}
	}
	return false;
}

/* The frame of stacks that have no address at all. */
static const esc_frame no_stack = {.function = "(no stack)"};

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_place(const esc_frame *a, const esc_frame *b)
{
	if (a == b)
		return true;
	if (!a->function && !b->function && a->offset != b->offset)
		return false;
	return str_eq(a->function, b->function) && str_eq(a->file, b->file) && a->line == b->line &&
	       str_eq(a->module, b->module);
}

static size_t hash_place(const esc_frame *f)
{
	uint64_t h = FNV1A_BASIS;
	h = fnv1a_str(h, f->function);
	h = fnv1a_str(h, f->file);
	h = fnv1a_str(h, f->module);
	h = (h ^ (uint64_t)f->line) * FNV1A_PRIME;
	if (!f->function)
		h = (h ^ f->offset) * FNV1A_PRIME;
	return (size_t)h;
}

static void add_stack(site *s, const agg_stack *st, uint32_t k, int j)
{
	if (!s->heaviest || st->bytes > s->heaviest->bytes) {
		s->heaviest = st;
		s->pc_index = k;
		s->inline_index = j;
	}
	s->allocations += st->allocs;
	s->bytes += st->bytes;
	s->frees += st->frees;
	s->cost_ns += st->cost_ns;
	s->peak_bytes += st->peak_bytes;
	s->leaked_bytes += st->live_bytes;
	s->leaked_allocations += st->live_allocs;
	s->temporary += st->temporary;
	s->frame_local += st->frame_local;
	s->escaped += st->escaped;
	s->unknown += st->unknown;
}

static uint64_t sort_value(const site *s, enum site_sort key)
{
	switch (key) {
	case SORT_COUNT:
		return s->allocations;
	case SORT_COST:
		return s->cost_ns;
	case SORT_PEAK:
		return s->peak_bytes;
	case SORT_LEAKED:
		return s->leaked_bytes;
	default:
		return s->bytes;
	}
}

static enum site_sort sort_key;

static int compare_sites(const void *pa, const void *pb)
{
	const site *a = pa, *b = pb;
	uint64_t va = sort_value(a, sort_key), vb = sort_value(b, sort_key);
	if (va != vb)
		return va > vb ? -1 : 1;
	if (a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (a->allocations != b->allocations)
		return a->allocations > b->allocations ? -1 : 1;
	int c = strcmp(a->frame->function ? a->frame->function : "",
	               b->frame->function ? b->frame->function : "");
	return c ? c : a->frame->line - b->frame->line;
}

site *sites_build(agg *a, esc_symbolizer *sym, enum site_sort key, size_t *n)
{
	size_t nstacks = agg_nstacks(a), nsites = 0, cap = 1;
	while (cap < 2 * nstacks + 2)
		cap *= 2;
	site *sites = calloc(nstacks + 1, sizeof *sites);
	uint32_t *index = calloc(cap, sizeof *index); /* site number + 1 */
	if (!sites || !index) {
		free(sites);
		free(index);
		*n = 0;
		return NULL;
	}
	for (size_t i = 0; i < nstacks; i++) {
		const agg_stack *st = agg_stack_at(a, i);
		if (!st->allocs)
			continue;
		uint32_t k = 0;
		int j = 0;
		const esc_frame *f = &no_stack;
		if (!sym || !site_find(sym, st, &k, &j, &f))
			f = &no_stack;
		size_t h = hash_place(f) & (cap - 1);
		while (index[h] && !same_place(sites[index[h] - 1].frame, f))
			h = (h + 1) & (cap - 1);
		if (!index[h]) {
			sites[nsites].frame = f;
			index[h] = (uint32_t)++nsites;
		}
		add_stack(&sites[index[h] - 1], st, f == &no_stack ? 0 : k, j);
	}
	free(index);
	sort_key = key;
	qsort(sites, nsites, sizeof *sites, compare_sites);
	*n = nsites;
	return sites;
}

const char *site_verdict(const site *s)
{
	if (s->escaped)
		return "escaped";
	if (s->frame_local && !s->unknown)
		return "frame-local";
	return "unknown";
}

/* Streams a path's frames to fn, leaving out each segment switch as
 * site_tidy_path does: "f (body) / __morestack / f (prologue)" is one call
 * of f, so the switch frame and f's second frame are held back until the
 * frame after the switch shows whether they repeat the frame before it. */
struct path_stream {
	void (*fn)(const esc_frame *f, void *arg);
	void *arg;
	const esc_frame *last;         /* the frame emitted last */
	const esc_frame *switch_frame; /* a __morestack frame held back */
};

static bool same_function(const esc_frame *a, const esc_frame *b)
{
	return a && b && a->function && b->function && !strcmp(a->function, b->function);
}

static void path_emit(struct path_stream *ps, const esc_frame *f)
{
	if (ps->switch_frame) {
		const esc_frame *held = ps->switch_frame;
		ps->switch_frame = NULL;
		if (same_function(ps->last, f))
			return; /* the switch and f's prologue frame: one call */
		ps->fn(held, ps->arg);
	}
	if (is_stack_switch(f->function) && ps->last) {
		ps->switch_frame = f;
		return;
	}
	ps->fn(f, ps->arg);
	ps->last = f;
}

void site_path(const site *s, esc_symbolizer *sym, void (*fn)(const esc_frame *f, void *arg),
               void *arg)
{
	const agg_stack *st = s->heaviest;
	if (!sym || !st || !st->depth) {
		fn(s->frame, arg);
		return;
	}
	struct path_stream ps = {fn, arg, NULL, NULL};
	for (uint32_t k = s->pc_index; k < st->depth; k++) {
		const esc_symbol *sy = symbol_at(sym, st, k);
		if (!sy)
			break;
		for (int j = k == s->pc_index ? s->inline_index : 0; j < sy->nframes; j++)
			path_emit(&ps, &sy->frames[j]);
	}
	if (ps.switch_frame)
		fn(ps.switch_frame, arg);
}

void goroutine_origin(const agg *a, esc_symbolizer *sym, const agg_goroutine *g,
                      const esc_frame **created_by, const esc_frame **entry)
{
	const agg_stack *st = agg_stack_by_id(a, g->stack);
	const esc_symbol *c = NULL;
	/* The creator's stack starts inside gort (newproc, where the probe
	 * fires, gort_go, and __morestack when gort_go needed a new segment):
	 * the creator is the first frame outside them. */
	for (uint32_t k = 0; st && k < st->depth; k++) {
		c = esc_symbolize(sym, -1, st->pcs[k], true);
		const char *fn = c ? c->frames[c->nframes - 1].function : NULL;
		if (!fn || (strcmp(fn, "newproc") && strcmp(fn, "gort_go") && !is_stack_switch(fn)))
			break;
	}
	const esc_symbol *e = g->fn ? esc_symbolize(sym, -1, g->fn, false) : NULL;
	*created_by = c ? &c->frames[c->nframes - 1] : NULL;
	*entry = e ? &e->frames[e->nframes - 1] : NULL;
}
