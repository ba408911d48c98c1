/*
 * calltree.c — the interned prefix tree of stacks (see calltree.h).
 *
 * Three tables, each an array plus an open-addressing index of ids:
 *
 *   strings  every distinct string once, in arena chunks that never move,
 *            so an interned string is identified by its pointer;
 *   frames   every distinct (name, file, line, module) once; as the strings
 *            are interned, a frame compares and hashes by pointers;
 *   nodes    the tree; the children of all nodes share one index keyed by
 *            (parent, frame), so finding a child is one hash probe whatever
 *            the fan-out (a per-node hash would cost memory on the millions
 *            of nodes that have one child, a sorted child list would cost
 *            a search on the few that have thousands).
 *
 * Siblings are also linked (first_child / next_sibling) for the walks; the
 * link order is insertion order until ct_sort puts it in name order.
 */
#define _GNU_SOURCE /* qsort_r */
#include "calltree.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

/* An open-addressing set of ids (stored as id + 1; 0 is an empty slot).
 * The owner supplies the hash of an id for rehashing. */
struct index {
	uint32_t *slots;
	uint32_t mask;
	uint32_t used;
};

#define CHUNK 65536

struct strings {
	const char **str; /* by id */
	uint32_t n;
	size_t cap;
	struct index ix;
	char *chunk; /* current arena chunk */
	size_t chunk_used, chunk_size;
	char **chunks; /* every chunk, to free them */
	size_t nchunks;
};

struct ct_tree {
	struct strings s;
	ct_frame *frames;
	uint32_t nframes;
	size_t frames_cap;
	struct index frame_ix;
	ct_node *nodes;
	uint32_t nnodes;
	size_t nodes_cap;
	struct index child_ix;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x100000001B3ULL;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	memcpy(&w, s + i, len - i);
	return mix(h ^ w);
}

static uint64_t hash_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int index_init(struct index *ix)
{
	ix->mask = 1023;
	ix->used = 0;
	ix->slots = calloc(ix->mask + 1, sizeof *ix->slots);
	return ix->slots ? 0 : -1;
}

/* The slot where id's hash h probes to first empty or to the id eq accepts. */
typedef bool (*eq_fn)(const ct_tree *t, uint32_t id, const void *key);

static uint32_t *index_find(struct index *ix, uint64_t h, eq_fn eq, const ct_tree *t,
                            const void *key)
{
	uint32_t i = (uint32_t)h & ix->mask;

	for (;;) {
		uint32_t v = ix->slots[i];
		if (v == 0 || eq(t, v - 1, key))
			return &ix->slots[i];
		i = (i + 1) & ix->mask;
	}
}

/* Doubles the index when it is half full, rehashing every id with hash. */
static int index_reserve(struct index *ix, uint64_t (*hash)(const ct_tree *, uint32_t),
                         const ct_tree *t)
{
	if ((ix->used + 1) * 2 <= ix->mask + 1)
		return 0;
	uint32_t nmask = ix->mask * 2 + 1;
	uint32_t *ns = calloc((size_t)nmask + 1, sizeof *ns);
	if (!ns)
		return -1;
	for (uint32_t i = 0; i <= ix->mask; i++) {
		uint32_t v = ix->slots[i];
		if (!v)
			continue;
		uint32_t j = (uint32_t)hash(t, v - 1) & nmask;
		while (ns[j])
			j = (j + 1) & nmask;
		ns[j] = v;
	}
	free(ix->slots);
	ix->slots = ns;
	ix->mask = nmask;
	return 0;
}

/* ---- strings ---- */

struct strkey {
	const char *s;
	size_t len;
};

static bool str_eq(const ct_tree *t, uint32_t id, const void *key)
{
	const struct strkey *k = key;
	const char *s = t->s.str[id];
	return strncmp(s, k->s, k->len) == 0 && s[k->len] == 0;
}

static uint64_t str_hash(const ct_tree *t, uint32_t id)
{
	return hash_bytes(t->s.str[id], strlen(t->s.str[id]));
}

static char *arena_copy(struct strings *s, const char *str, size_t len)
{
	if (s->chunk_used + len + 1 > s->chunk_size) {
		size_t size = len + 1 > CHUNK ? len + 1 : CHUNK;
		char **cs = realloc(s->chunks, (s->nchunks + 1) * sizeof *cs);
		if (!cs)
			return NULL;
		s->chunks = cs;
		if (!(s->chunk = malloc(size)))
			return NULL;
		cs[s->nchunks++] = s->chunk;
		s->chunk_size = size;
		s->chunk_used = 0;
	}
	char *p = s->chunk + s->chunk_used;
	memcpy(p, str, len);
	p[len] = 0;
	s->chunk_used += len + 1;
	return p;
}

/* The interned copy of str[0..len), NULL for an empty or NULL string (and
 * on allocation failure, which *fail reports). */
static const char *intern(ct_tree *t, const char *str, size_t len, bool *fail)
{
	if (!str || !len)
		return NULL;
	struct strkey k = {str, len};
	struct strings *s = &t->s;
	uint32_t *slot = index_find(&s->ix, hash_bytes(str, len), str_eq, t, &k);
	if (*slot)
		return s->str[*slot - 1];
	if (index_reserve(&s->ix, str_hash, t) < 0 ||
	    !grow_array(&s->str, &s->cap, (size_t)s->n + 1, sizeof *s->str, 1024))
		goto fail;
	const char *copy = arena_copy(s, str, len);
	if (!copy)
		goto fail;
	slot = index_find(&s->ix, hash_bytes(str, len), str_eq, t, &k);
	s->str[s->n] = copy;
	*slot = ++s->n;
	s->ix.used++;
	return copy;
fail:
	*fail = true;
	return NULL;
}

/* ---- frames ---- */

static uint64_t frame_key_hash(const ct_frame *f)
{
	return mix(hash_ptr(f->name) * 31 + hash_ptr(f->file) * 17 + hash_ptr(f->module) * 7 +
	           f->line);
}

static bool frame_eq(const ct_tree *t, uint32_t id, const void *key)
{
	const ct_frame *a = &t->frames[id], *b = key;
	return a->name == b->name && a->file == b->file && a->line == b->line &&
	       a->module == b->module;
}

static uint64_t frame_hash(const ct_tree *t, uint32_t id)
{
	return frame_key_hash(&t->frames[id]);
}

/* The frame id of f once its strings are interned into k; with create
 * false, returns UINT32_MAX when the frame does not exist. */
static uint32_t frame_id(ct_tree *t, const ct_frame *k, bool create)
{
	uint32_t *slot = index_find(&t->frame_ix, frame_key_hash(k), frame_eq, t, k);
	if (*slot || !create)
		return *slot ? *slot - 1 : UINT32_MAX;
	if (index_reserve(&t->frame_ix, frame_hash, t) < 0 ||
	    !grow_array(&t->frames, &t->frames_cap, (size_t)t->nframes + 1, sizeof *t->frames,
	                1024))
		return UINT32_MAX;
	slot = index_find(&t->frame_ix, frame_key_hash(k), frame_eq, t, k);
	t->frames[t->nframes] = *k;
	*slot = ++t->nframes;
	t->frame_ix.used++;
	return t->nframes - 1;
}

static bool intern_frame(ct_tree *t, const ct_frame *in, ct_frame *out)
{
	bool fail = false;
	const char *name = in->name ? in->name : "";

	out->name = intern(t, name, strlen(name), &fail);
	if (!out->name && !fail)
		out->name = intern(t, "?", 1, &fail); /* nameless frames */
	out->file = intern(t, in->file, in->file ? strlen(in->file) : 0, &fail);
	out->module = intern(t, in->module, in->module ? strlen(in->module) : 0, &fail);
	out->line = in->line;
	return !fail;
}

/* ---- nodes ---- */

struct childkey {
	uint32_t parent, frame;
};

static uint64_t child_key_hash(uint32_t parent, uint32_t frame)
{
	return mix(((uint64_t)parent << 32) | frame);
}

static bool child_eq(const ct_tree *t, uint32_t id, const void *key)
{
	const struct childkey *k = key;
	return t->nodes[id].parent == k->parent && t->nodes[id].frame == k->frame;
}

static uint64_t child_hash(const ct_tree *t, uint32_t id)
{
	return child_key_hash(t->nodes[id].parent, t->nodes[id].frame);
}

static uint32_t child_of(ct_tree *t, uint32_t parent, uint32_t frame)
{
	struct childkey k = {parent, frame};
	uint32_t *slot = index_find(&t->child_ix, child_key_hash(parent, frame), child_eq, t, &k);
	if (*slot)
		return *slot - 1;
	if (index_reserve(&t->child_ix, child_hash, t) < 0 ||
	    !grow_array(&t->nodes, &t->nodes_cap, (size_t)t->nnodes + 1, sizeof *t->nodes, 1024))
		return 0;
	slot = index_find(&t->child_ix, child_key_hash(parent, frame), child_eq, t, &k);
	uint32_t id = t->nnodes++;
	ct_node *n = &t->nodes[id];
	memset(n, 0, sizeof *n);
	n->frame = frame;
	n->parent = parent;
	n->next_sibling = t->nodes[parent].first_child;
	t->nodes[parent].first_child = id;
	*slot = id + 1;
	t->child_ix.used++;
	return id;
}

ct_tree *ct_new(void)
{
	ct_tree *t = calloc(1, sizeof *t);
	bool fail = false;

	if (!t || index_init(&t->s.ix) < 0 || index_init(&t->frame_ix) < 0 ||
	    index_init(&t->child_ix) < 0)
		goto fail;
	ct_frame root = {.name = intern(t, "all", 3, &fail)};
	if (fail || frame_id(t, &root, true) != 0 ||
	    !grow_array(&t->nodes, &t->nodes_cap, 1, sizeof *t->nodes, 1024))
		goto fail;
	memset(&t->nodes[0], 0, sizeof t->nodes[0]);
	t->nnodes = 1;
	return t;
fail:
	ct_free(t);
	return NULL;
}

void ct_free(ct_tree *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->s.nchunks; i++)
		free(t->s.chunks[i]);
	free(t->s.chunks);
	free(t->s.str);
	free(t->s.ix.slots);
	free(t->frames);
	free(t->frame_ix.slots);
	free(t->nodes);
	free(t->child_ix.slots);
	free(t);
}

uint32_t ct_add_below(ct_tree *t, uint32_t parent, const ct_frame *frames, size_t n,
                      const uint64_t *values)
{
	uint32_t node = parent;
	static const ct_frame none = {.name = CT_NO_STACK};

	if (n == 0 && parent == 0)
		frames = &none, n = 1;
	for (size_t i = 0; i < n; i++) {
		ct_frame k;
		if (!intern_frame(t, &frames[i], &k))
			return 0;
		uint32_t f = frame_id(t, &k, true);
		if (f == UINT32_MAX || !(node = child_of(t, node, f)))
			return 0;
	}
	for (uint32_t a = node;; a = t->nodes[a].parent) {
		for (int m = 0; m < CT_NMETRICS; m++)
			t->nodes[a].total[m] += values[m];
		if (a == 0)
			break;
	}
	return node;
}

uint32_t ct_add(ct_tree *t, const ct_frame *frames, size_t n, const uint64_t *values)
{
	return ct_add_below(t, 0, frames, n, values);
}

uint32_t ct_add_names(ct_tree *t, const char *const *names, size_t n, const uint64_t *values)
{
	ct_frame local[64] = {{0}}, *frames = n <= 64 ? local : malloc(n * sizeof *frames);
	uint32_t leaf;

	if (!frames)
		return 0;
	for (size_t i = 0; i < n; i++)
		frames[i] = (ct_frame){.name = names[i]};
	leaf = ct_add_below(t, 0, frames, n, values);
	if (frames != local)
		free(frames);
	return leaf;
}

uint32_t ct_nodes(const ct_tree *t)
{
	return t->nnodes;
}

uint32_t ct_frames(const ct_tree *t)
{
	return t->nframes;
}

const ct_node *ct_node_at(const ct_tree *t, uint32_t node)
{
	return &t->nodes[node];
}

const ct_frame *ct_frame_at(const ct_tree *t, uint32_t frame)
{
	return &t->frames[frame];
}

const char *ct_name(const ct_tree *t, uint32_t node)
{
	return t->frames[t->nodes[node].frame].name;
}

uint64_t ct_self(const ct_tree *t, uint32_t node, enum ct_metric m)
{
	uint64_t v = t->nodes[node].total[m];

	for (uint32_t c = t->nodes[node].first_child; c; c = t->nodes[c].next_sibling)
		v -= t->nodes[c].total[m];
	return v;
}

uint32_t ct_find_child(const ct_tree *t, uint32_t parent, const ct_frame *frame)
{
	/* Lookups never insert: intern into a scratch copy only if found. */
	struct strings *s = (struct strings *)&t->s;
	const char *strs[3] = {frame->name, frame->file, frame->module};
	const char *found[3] = {NULL, NULL, NULL};

	for (int i = 0; i < 3; i++) {
		if (!strs[i] || !*strs[i])
			continue;
		struct strkey k = {strs[i], strlen(strs[i])};
		uint32_t *slot = index_find(&s->ix, hash_bytes(k.s, k.len), str_eq, t, &k);
		if (!*slot)
			return 0;
		found[i] = s->str[*slot - 1];
	}
	ct_frame k = {found[0], found[1], frame->line, found[2]};
	uint32_t f = frame_id((ct_tree *)t, &k, false);
	if (f == UINT32_MAX)
		return 0;
	struct childkey ck = {parent, f};
	uint32_t *slot = index_find((struct index *)&t->child_ix, child_key_hash(parent, f),
	                            child_eq, t, &ck);
	return *slot ? *slot - 1 : 0;
}

static int strcmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_nodes(const void *a, const void *b, void *ctx)
{
	const ct_tree *t = ctx;
	const ct_frame *fa = &t->frames[t->nodes[*(const uint32_t *)a].frame];
	const ct_frame *fb = &t->frames[t->nodes[*(const uint32_t *)b].frame];
	int c = strcmp(fa->name, fb->name);

	if (!c)
		c = strcmp_null(fa->file, fb->file);
	if (!c)
		c = (fa->line > fb->line) - (fa->line < fb->line);
	if (!c)
		c = strcmp_null(fa->module, fb->module);
	return c;
}

void ct_sort(ct_tree *t)
{
	uint32_t *kids = NULL;
	size_t cap = 0;

	for (uint32_t i = 0; i < t->nnodes; i++) {
		uint32_t n = 0;
		for (uint32_t c = t->nodes[i].first_child; c; c = t->nodes[c].next_sibling) {
			if (!grow_array(&kids, &cap, (size_t)n + 1, sizeof *kids, 1024))
				goto out; /* leaves the rest unsorted */
			kids[n++] = c;
		}
		if (n < 2)
			continue;
		qsort_r(kids, n, sizeof *kids, cmp_nodes, t);
		t->nodes[i].first_child = kids[0];
		for (uint32_t j = 0; j < n; j++)
			t->nodes[kids[j]].next_sibling = j + 1 < n ? kids[j + 1] : 0;
	}
out:
	free(kids);
}

void ct_walk(const ct_tree *t, ct_visit_fn visit, void *ctx)
{
	uint32_t n = 0, depth = 0;

	for (;;) {
		if (visit(ctx, t, n, depth) && t->nodes[n].first_child) {
			n = t->nodes[n].first_child;
			depth++;
			continue;
		}
		while (n != 0 && t->nodes[n].next_sibling == 0) {
			n = t->nodes[n].parent;
			depth--;
		}
		if (n == 0)
			return;
		n = t->nodes[n].next_sibling;
	}
}

static const char *const metric_names[CT_NMETRICS] = {
        [CT_COUNT] = "count",   [CT_BYTES] = "bytes", [CT_COST] = "cost",   [CT_PEAK] = "peak",
        [CT_LEAKED] = "leaked", [CT_LEAKS] = "leaks", [CT_STACK] = "stack",
};

const char *ct_metric_name(enum ct_metric m)
{
	return metric_names[m];
}

const char *ct_metric_unit(enum ct_metric m)
{
	switch (m) {
	case CT_COUNT:
	case CT_LEAKS:
		return "count";
	case CT_COST:
		return "nanoseconds";
	default:
		return "bytes";
	}
}

int ct_metric_parse(const char *name)
{
	for (int m = 0; m < CT_NMETRICS; m++)
		if (strcmp(name, metric_names[m]) == 0)
			return m;
	return -1;
}

/* A copy of a tree made by re-adding each node's path with its self
 * values: reversed (leaf first) and/or with frames cut to their names. */
struct rev {
	ct_tree *out;
	ct_frame *path;
	size_t cap;
	int oom;
	bool reverse, names_only;
};

static bool reverse_visit(void *ctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct rev *r = ctx;
	uint64_t self[CT_NMETRICS];
	bool any = false;

	if (depth == 0)
		return true;
	if (!grow_array(&r->path, &r->cap, depth, sizeof *r->path, 1024)) {
		r->oom = 1;
		return false;
	}
	r->path[depth - 1] = t->frames[t->nodes[node].frame];
	if (r->names_only)
		r->path[depth - 1] = (ct_frame){.name = r->path[depth - 1].name};
	for (int m = 0; m < CT_NMETRICS; m++)
		any |= (self[m] = ct_self(t, node, m)) != 0;
	if (!any)
		return true;
	/* the path reversed, leaf first */
	for (uint32_t i = 0; r->reverse && i < depth / 2; i++) {
		ct_frame x = r->path[i];
		r->path[i] = r->path[depth - 1 - i];
		r->path[depth - 1 - i] = x;
	}
	if (!ct_add(r->out, r->path, depth, self))
		r->oom = 1;
	for (uint32_t i = 0; r->reverse && i < depth / 2; i++) {
		ct_frame x = r->path[i];
		r->path[i] = r->path[depth - 1 - i];
		r->path[depth - 1 - i] = x;
	}
	return !r->oom;
}

static ct_tree *copy_tree(const ct_tree *t, bool reverse, bool names_only)
{
	struct rev r = {.out = ct_new(), .reverse = reverse, .names_only = names_only};

	if (!r.out)
		return NULL;
	ct_walk(t, reverse_visit, &r);
	free(r.path);
	if (r.oom) {
		ct_free(r.out);
		return NULL;
	}
	return r.out;
}

ct_tree *ct_reverse(const ct_tree *t)
{
	return copy_tree(t, true, false);
}

ct_tree *ct_by_name(const ct_tree *t)
{
	return copy_tree(t, false, true);
}
