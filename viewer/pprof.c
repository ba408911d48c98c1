/*
 * pprof.c — a profile.proto encoder, streamed through zlib (see pprof.h).
 *
 * Protocol buffers on the wire: every field is a key varint
 * (field number << 3 | wire type) then a varint (type 0) or a length varint
 * and bytes (type 2: strings, sub-messages, packed repeated numbers).  A
 * Profile is a flat sequence of such fields, and repeated fields may
 * interleave, so the message is never built whole: each sub-message
 * (ValueType, Mapping, Function, Location, Sample) and each string-table
 * entry is encoded into a small scratch buffer and pushed into the deflate
 * stream as soon as it is known.  The only requirement of the schema this
 * relies on is that string_table entries are numbered in emission order, so
 * a string is emitted the first time it is referenced.
 *
 * Identity: one Location per frame of the call tree (frame id + 1), one
 * Function per (name, file), one Mapping per module (the program's first:
 * pprof names the profile after its first mapping); a Sample per tree node
 * with a self value, its location ids leaf first as pprof wants them.
 */
#include "pprof.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "escape.h"

/* Field numbers of profile.proto (github.com/google/pprof/proto). */
enum {
	PROFILE_SAMPLE_TYPE = 1,
	PROFILE_SAMPLE = 2,
	PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4,
	PROFILE_FUNCTION = 5,
	PROFILE_STRING_TABLE = 6,
	PROFILE_TIME_NANOS = 9,
	PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11,
	PROFILE_PERIOD = 12,
	PROFILE_DEFAULT_SAMPLE_TYPE = 14,
	VALUETYPE_TYPE = 1,
	VALUETYPE_UNIT = 2,
	SAMPLE_LOCATION_ID = 1,
	SAMPLE_VALUE = 2,
	MAPPING_ID = 1,
	MAPPING_FILENAME = 5,
	MAPPING_HAS_FUNCTIONS = 7,
	MAPPING_HAS_FILENAMES = 8,
	MAPPING_HAS_LINE_NUMBERS = 9,
	LOCATION_ID = 1,
	LOCATION_MAPPING_ID = 2,
	LOCATION_LINE = 4,
	LINE_FUNCTION_ID = 1,
	LINE_LINE = 2,
	FUNCTION_ID = 1,
	FUNCTION_NAME = 2,
	FUNCTION_SYSTEM_NAME = 3,
	FUNCTION_FILENAME = 4,
};

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* ---- the encoder ---- */

struct pb {
	unsigned char *b;
	size_t len, cap;
	int oom;
};

static void pb_raw(struct pb *p, const void *data, size_t n)
{
	if (p->len + n > p->cap) {
		size_t cap = p->cap ? p->cap : 256;
		while (cap < p->len + n)
			cap *= 2;
		unsigned char *b = realloc(p->b, cap);
		if (!b) {
			p->oom = 1;
			return;
		}
		p->b = b;
		p->cap = cap;
	}
	memcpy(p->b + p->len, data, n);
	p->len += n;
}

static void pb_varint(struct pb *p, uint64_t v)
{
	unsigned char buf[10];
	size_t n = 0;

	while (v >= 0x80) {
		buf[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	buf[n++] = (unsigned char)v;
	pb_raw(p, buf, n);
}

static void pb_key(struct pb *p, int field, int wire)
{
	pb_varint(p, (uint64_t)field << 3 | (uint64_t)wire);
}

/* A varint field; zero is the default and is left out, as proto3 does. */
static void pb_uint(struct pb *p, int field, uint64_t v)
{
	if (!v)
		return;
	pb_key(p, field, WIRE_VARINT);
	pb_varint(p, v);
}

static void pb_bytes(struct pb *p, int field, const void *data, size_t n)
{
	pb_key(p, field, WIRE_LEN);
	pb_varint(p, n);
	pb_raw(p, data, n);
}

/* A packed repeated varint field. */
static void pb_packed(struct pb *p, struct pb *scratch, int field, const uint64_t *v, size_t n)
{
	scratch->len = 0;
	for (size_t i = 0; i < n; i++)
		pb_varint(scratch, v[i]);
	pb_bytes(p, field, scratch->b, scratch->len);
}

/* ---- the gzip stream ---- */

struct out {
	FILE *f;
	z_stream z;
	struct pb msg, sub, tmp; /* scratch buffers */
	int err;
	/* the string table */
	struct ptrmap *strings;
	uint32_t nstrings;
};

static void z_push(struct out *o, const void *data, size_t n, int flush)
{
	unsigned char buf[16384];

	o->z.next_in = (unsigned char *)data;
	o->z.avail_in = (uInt)n;
	do {
		o->z.next_out = buf;
		o->z.avail_out = sizeof buf;
		if (deflate(&o->z, flush) == Z_STREAM_ERROR) {
			o->err = 1;
			return;
		}
		size_t have = sizeof buf - o->z.avail_out;
		if (have && fwrite(buf, 1, have, o->f) != have)
			o->err = 1;
	} while (o->z.avail_out == 0);
}

/* Emits the top-level field `field` holding o->msg. */
static void emit(struct out *o, int field)
{
	struct pb head = {0};
	unsigned char hb[16];

	head.b = hb;
	head.cap = sizeof hb;
	pb_key(&head, field, WIRE_LEN);
	pb_varint(&head, o->msg.len);
	z_push(o, hb, head.len, Z_NO_FLUSH);
	z_push(o, o->msg.b, o->msg.len, Z_NO_FLUSH);
	o->err |= o->msg.oom | o->sub.oom | o->tmp.oom;
	o->msg.len = 0;
}

/* ---- pointer -> id maps (interned strings, functions, mappings) ---- */

struct ptrmap {
	const void **k1, **k2;
	uint32_t *v;
	size_t mask, n;
};

static struct ptrmap *map_new(void)
{
	struct ptrmap *m = calloc(1, sizeof *m);

	if (!m)
		return NULL;
	m->mask = 255;
	m->k1 = calloc(m->mask + 1, sizeof *m->k1);
	m->k2 = calloc(m->mask + 1, sizeof *m->k2);
	m->v = calloc(m->mask + 1, sizeof *m->v);
	if (!m->k1 || !m->k2 || !m->v) {
		free(m->k1), free(m->k2), free(m->v), free(m);
		return NULL;
	}
	return m;
}

static void map_free(struct ptrmap *m)
{
	if (m)
		free(m->k1), free(m->k2), free(m->v), free(m);
}

static size_t map_slot(const struct ptrmap *m, const void *a, const void *b)
{
	uint64_t h = ((uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15ULL) ^
	             ((uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4FULL);
	size_t i = (size_t)(h ^ (h >> 29)) & m->mask;

	while (m->v[i] && (m->k1[i] != a || m->k2[i] != b))
		i = (i + 1) & m->mask;
	return i;
}

/* The id stored for (a, b), or 0. */
static uint32_t map_get(const struct ptrmap *m, const void *a, const void *b)
{
	return m->v[map_slot(m, a, b)];
}

static int map_put(struct ptrmap *m, const void *a, const void *b, uint32_t v)
{
	if ((m->n + 1) * 2 > m->mask + 1) {
		struct ptrmap big = {.mask = m->mask * 2 + 1};
		big.k1 = calloc(big.mask + 1, sizeof *big.k1);
		big.k2 = calloc(big.mask + 1, sizeof *big.k2);
		big.v = calloc(big.mask + 1, sizeof *big.v);
		if (!big.k1 || !big.k2 || !big.v) {
			free(big.k1), free(big.k2), free(big.v);
			return -1;
		}
		for (size_t i = 0; i <= m->mask; i++) {
			if (!m->v[i])
				continue;
			size_t j = map_slot(&big, m->k1[i], m->k2[i]);
			big.k1[j] = m->k1[i], big.k2[j] = m->k2[i], big.v[j] = m->v[i];
		}
		free(m->k1), free(m->k2), free(m->v);
		big.n = m->n;
		*m = big;
	}
	size_t i = map_slot(m, a, b);
	m->k1[i] = a, m->k2[i] = b, m->v[i] = v;
	m->n++;
	return 0;
}

/* The string-table index of s (an interned string or a literal), emitting
 * it on first use; index 0 is "" (and NULL). */
static uint64_t str(struct out *o, const char *s)
{
	if (!s || !*s)
		return 0;
	uint32_t id = map_get(o->strings, s, NULL);
	if (id)
		return id;
	size_t n = esc_utf8(s, NULL);
	char *clean = malloc(n + 1);
	if (!clean || map_put(o->strings, s, NULL, o->nstrings) < 0) {
		free(clean);
		o->err = 1;
		return 0;
	}
	esc_utf8(s, clean);
	pb_bytes(&o->tmp, PROFILE_STRING_TABLE, clean, n);
	z_push(o, o->tmp.b, o->tmp.len, Z_NO_FLUSH);
	o->tmp.len = 0;
	free(clean);
	return o->nstrings++;
}

/* ---- the profile ---- */

static const struct {
	const char *type, *unit;
	enum ct_metric metric;
} sample_types[] = {
        {"alloc_objects", "count", CT_COUNT},   {"alloc_space", "bytes", CT_BYTES},
        {"inuse_objects", "count", CT_LEAKS},   {"inuse_space", "bytes", CT_LEAKED},
        {"alloc_cost", "nanoseconds", CT_COST}, {"peak_space", "bytes", CT_PEAK},
        {"stack_space", "bytes", CT_STACK},
};
#define NTYPES (sizeof sample_types / sizeof sample_types[0])

static void value_type(struct out *o, int field, const char *type, const char *unit)
{
	uint64_t t = str(o, type), u = str(o, unit);

	pb_uint(&o->msg, VALUETYPE_TYPE, t);
	pb_uint(&o->msg, VALUETYPE_UNIT, u);
	emit(o, field);
}

static void write_header(struct out *o, int64_t time_nanos, int64_t duration_nanos)
{
	/* the empty string must be entry 0 */
	pb_bytes(&o->tmp, PROFILE_STRING_TABLE, "", 0);
	z_push(o, o->tmp.b, o->tmp.len, Z_NO_FLUSH);
	o->tmp.len = 0;
	o->nstrings = 1;
	for (size_t i = 0; i < NTYPES; i++)
		value_type(o, PROFILE_SAMPLE_TYPE, sample_types[i].type, sample_types[i].unit);
	value_type(o, PROFILE_PERIOD_TYPE, "space", "bytes");
	pb_uint(&o->msg, PROFILE_PERIOD, 1);
	pb_uint(&o->msg, PROFILE_DEFAULT_SAMPLE_TYPE, str(o, "alloc_space"));
	pb_uint(&o->msg, PROFILE_TIME_NANOS, (uint64_t)time_nanos);
	pb_uint(&o->msg, PROFILE_DURATION_NANOS, (uint64_t)duration_nanos);
	/* these are plain fields of Profile: push them without a wrapper */
	z_push(o, o->msg.b, o->msg.len, Z_NO_FLUSH);
	o->msg.len = 0;
}

/* The id of the Mapping of module (0 for none), emitting it on first use. */
static uint64_t mapping(struct out *o, struct ptrmap *maps, const char *module, uint32_t *n)
{
	if (!module)
		return 0;
	uint32_t id = map_get(maps, module, NULL);
	if (id)
		return id;
	id = ++*n;
	if (map_put(maps, module, NULL, id) < 0) {
		o->err = 1;
		return 0;
	}
	uint64_t file = str(o, module);
	pb_uint(&o->msg, MAPPING_ID, id);
	pb_uint(&o->msg, MAPPING_FILENAME, file);
	pb_uint(&o->msg, MAPPING_HAS_FUNCTIONS, 1);
	pb_uint(&o->msg, MAPPING_HAS_FILENAMES, 1);
	pb_uint(&o->msg, MAPPING_HAS_LINE_NUMBERS, 1);
	emit(o, PROFILE_MAPPING);
	return id;
}

static uint64_t function(struct out *o, struct ptrmap *funcs, const ct_frame *f, uint32_t *n)
{
	uint32_t id = map_get(funcs, f->name, f->file);
	if (id)
		return id;
	id = ++*n;
	if (map_put(funcs, f->name, f->file, id) < 0) {
		o->err = 1;
		return 0;
	}
	uint64_t name = str(o, f->name), file = str(o, f->file);
	pb_uint(&o->msg, FUNCTION_ID, id);
	pb_uint(&o->msg, FUNCTION_NAME, name);
	pb_uint(&o->msg, FUNCTION_SYSTEM_NAME, name);
	pb_uint(&o->msg, FUNCTION_FILENAME, file);
	emit(o, PROFILE_FUNCTION);
	return id;
}

/* The program's own module as the tree interns it (mappings are keyed by
 * the interned pointer), or NULL when no frame is in it. */
static const char *exe_module(const ct_tree *t, const char *exe)
{
	for (uint32_t i = 1; exe && i < ct_frames(t); i++) {
		const char *m = ct_frame_at(t, i)->module;
		if (m && !strcmp(m, exe))
			return m;
	}
	return NULL;
}

/* One Location per frame (id = frame + 1), with its Function and Mapping;
 * the program's Mapping first. */
static int write_locations(struct out *o, const ct_tree *t, const char *exe)
{
	struct ptrmap *funcs = map_new(), *maps = map_new();
	uint32_t nfuncs = 0, nmaps = 0;

	if (!funcs || !maps) {
		map_free(funcs);
		map_free(maps);
		return -1;
	}
	mapping(o, maps, exe_module(t, exe), &nmaps);
	for (uint32_t i = 1; i < ct_frames(t) && !o->err; i++) {
		const ct_frame *f = ct_frame_at(t, i);
		uint64_t fn = function(o, funcs, f, &nfuncs);
		uint64_t map = mapping(o, maps, f->module, &nmaps);
		o->sub.len = 0;
		pb_uint(&o->sub, LINE_FUNCTION_ID, fn);
		pb_uint(&o->sub, LINE_LINE, f->line);
		pb_uint(&o->msg, LOCATION_ID, i + 1);
		pb_uint(&o->msg, LOCATION_MAPPING_ID, map);
		pb_bytes(&o->msg, LOCATION_LINE, o->sub.b, o->sub.len);
		emit(o, PROFILE_LOCATION);
	}
	map_free(funcs);
	map_free(maps);
	return o->err ? -1 : 0;
}

struct samples {
	struct out *o;
	uint64_t *locs;
	size_t cap;
};

static bool sample_visit(void *ctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct samples *s = ctx;
	struct out *o = s->o;
	uint64_t v[NTYPES];
	bool any = false;

	if (depth == 0)
		return true;
	for (size_t i = 0; i < NTYPES; i++)
		any |= (v[i] = ct_self(t, node, sample_types[i].metric)) != 0;
	if (!any)
		return true;
	if (depth > s->cap) {
		uint64_t *l = realloc(s->locs, depth * 2 * sizeof *l);
		if (!l) {
			o->err = 1;
			return false;
		}
		s->locs = l;
		s->cap = depth * 2;
	}
	size_t n = 0;
	for (uint32_t a = node; a; a = ct_node_at(t, a)->parent)
		s->locs[n++] = ct_node_at(t, a)->frame + 1; /* leaf first */
	pb_packed(&o->msg, &o->sub, SAMPLE_LOCATION_ID, s->locs, n);
	pb_packed(&o->msg, &o->sub, SAMPLE_VALUE, v, NTYPES);
	emit(o, PROFILE_SAMPLE);
	return !o->err;
}

int pprof_write(FILE *out, const ct_tree *t, const char *exe, int64_t time_nanos,
                int64_t duration_nanos)
{
	struct out o = {.f = out};
	struct samples s = {.o = &o};
	int rc = -1;

	/* windowBits 15 + 16: a gzip wrapper, as pprof expects */
	if (deflateInit2(&o.z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	if (!(o.strings = map_new()))
		goto out;
	write_header(&o, time_nanos, duration_nanos);
	if (write_locations(&o, t, exe) < 0)
		goto out;
	ct_walk(t, sample_visit, &s);
	z_push(&o, NULL, 0, Z_FINISH);
	rc = o.err || ferror(out) ? -1 : 0;
out:
	deflateEnd(&o.z);
	map_free(o.strings);
	free(s.locs);
	free(o.msg.b);
	free(o.sub.b);
	free(o.tmp.b);
	if (rc < 0 && !errno)
		errno = EIO;
	return rc;
}
