/*
 * escape_boxing.c — the escape cases about interface{} and maps: passing a
 * value as an interface (d), a slice of interfaces (f), maps with interface
 * values (g) and keys (h), a map of slices (i); and Go's boxing itself
 * (box_int64, box_demo).
 *
 * Boxing (Go's convT) gives a non-pointer value an address the interface can
 * point to.  Go 1.19 allocates for it except when the value is a constant (a
 * read-only static) or an integer in 0..255 (runtime.staticuint64s): so
 * "escapes to heap" in `-m` is not always an allocation, and the table's
 * cases f, g, h, whose values are the constants 100 and 200, allocate
 * nothing.  box_int64 models exactly that; the "/var" benchmarks box values
 * >= 256 computed at run time, the cost those cases have in real programs.
 *
 * The maps of g and h are small and do not escape: Go puts such a map (its
 * hmap and first bucket) in the frame.  bucketmap is that bucket: eight slots
 * searched linearly, in the caller's frame, for both forms.
 *
 *  d  D_Interface/struct/heap  a demo boxed (24 B) and retained     1 alloc
 *     D_Interface/struct/stack a *demo to a non-retaining callee
 *     D_Interface/int/heap     a run-time int >= 256 boxed            1 alloc
 *     D_Interface/int/stack    the int passed as int64
 *     D_Interface/smallint/heap a run-time int in 0..255: static     0 allocs
 *  f  F_SliceOfInterface/heap  {100, 200} boxed; data[0] = 100       0 allocs
 *     F_SliceOfInterface/var/heap the same with run-time values      1 alloc
 *                          (the literal's boxes stay in the frame, as in
 *                          Go; data[0] = x is boxed on the heap)
 *     F_SliceOfInterface/stack int64 data[2]
 *  g  G_MapStringInterface/heap data["key"] = 200, boxed             0 allocs
 *     G_MapStringInterface/var/heap a run-time value                 1 alloc
 *     G_MapStringInterface/stack    map[string]int64
 *  h  H_MapInterfaceInterface/heap data[100] = 200                   0 allocs
 *     H_MapInterfaceInterface/var/heap run-time key and value        2 allocs
 *     H_MapInterfaceInterface/stack    map[int64]int64
 *  i  I_MapOfSlice/heap    data["key"] = []string{"value"}: the slice's
 *                          backing array (16 B) on the heap          1 alloc
 *     I_MapOfSlice/stack   map[string][1]string: the array inline in the slot
 */
#include <stdbool.h>
#include <string.h>

#include <gort.h>

#include "escape.h"

/* ---- boxing ------------------------------------------------------------- */

const char escape_type_int64[] = "int64";
const char escape_type_demo[] = "demo";

static int64_t staticuint64s[256];

static __attribute__((constructor)) void init_staticuint64s(void)
{
	for (int64_t i = 0; i < 256; i++)
		staticuint64s[i] = i;
}

eface box_int64(int64_t v)
{
	if (v >= 0 && v < 256)
		return (eface){.type = escape_type_int64, .data = &staticuint64s[v]};
	int64_t *p = gort_newobject(sizeof *p);
	*p = v;
	return (eface){.type = escape_type_int64, .data = p};
}

int64_t unbox_int64(eface e)
{
	return *(const int64_t *)e.data;
}

eface box_demo(const demo *d)
{
	demo *p = gort_newobject(sizeof *p);
	*p = *d;
	return (eface){.type = escape_type_demo, .data = p};
}

/* ---- d: passing to interface{} ----------------------------------------- */

/* Retains its argument, as fmt.Println's ...interface{} leaks it. */
static __attribute__((noinline)) int64_t describe_any(eface e)
{
	escape_sink_any = e;
	if (e.type == escape_type_demo)
		return ((const demo *)e.data)->id;
	return unbox_int64(e);
}

static __attribute__((noinline)) int64_t describe_demo(const demo *d)
{
	return d->id + (int64_t)d->name.n;
}

static __attribute__((noinline)) int64_t describe_int(int64_t v)
{
	return v;
}

static void bench_d_struct_heap(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		demo d = {.name = GOSTRING("demo"), .id = (int64_t)i};
		escape_sink_int = describe_any(box_demo(&d));
	}
}

static void bench_d_struct_stack(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		demo d = {.name = GOSTRING("demo"), .id = (int64_t)i};
		escape_sink_int = describe_demo(&d);
	}
}

ESCAPE_BENCH(bench_d_int_heap, escape_sink_int, describe_any(box_int64((int64_t)i + 256)))

ESCAPE_BENCH(bench_d_int_stack, escape_sink_int, describe_int((int64_t)i + 256))

ESCAPE_BENCH(bench_d_smallint_heap, escape_sink_int, describe_any(box_int64((int64_t)(i & 255))))

/* ---- f: []interface{}{100, 200}; data[0] = 100 --------------------------- */

/* Go boxes the literal's elements in the frame (`x does not escape`); only
 * the assignment data[0] = x goes through convT64. */
static __attribute__((noinline)) int64_t slice_of_any(int64_t x, int64_t y)
{
	eface data[2] = {{.type = escape_type_int64, .data = &x},
	                 {.type = escape_type_int64, .data = &y}};
	data[0] = box_int64(x);
	escape_keep(data);
	return unbox_int64(data[0]) + unbox_int64(data[1]);
}

static __attribute__((noinline)) int64_t slice_of_int(int64_t x, int64_t y)
{
	int64_t data[2] = {x, y};
	data[0] = x;
	escape_keep(data);
	return data[0] + data[1];
}

ESCAPE_BENCH(bench_f_heap, escape_sink_int, slice_of_any(100, 200))

ESCAPE_BENCH(bench_f_var_heap, escape_sink_int, slice_of_any((int64_t)i + 1000, (int64_t)i + 2000))

ESCAPE_BENCH(bench_f_stack, escape_sink_int, slice_of_int(100, 200))

/* ---- the frame's map bucket ------------------------------------------- */

#define BUCKET_SLOTS 8
#define BUCKET_SLOT  32 /* the largest key or value, in bytes */

typedef struct bucketmap {
	size_t keysize, valsize;
	bool (*keyeq)(const void *, const void *);
	int count;
	unsigned char keys[BUCKET_SLOTS * BUCKET_SLOT];
	unsigned char vals[BUCKET_SLOTS * BUCKET_SLOT];
} bucketmap;

static void map_init(bucketmap *m, size_t keysize, size_t valsize,
                     bool (*keyeq)(const void *, const void *))
{
	if (keysize > BUCKET_SLOT || valsize > BUCKET_SLOT)
		gort_panic("bucketmap: slots are %d bytes", BUCKET_SLOT);
	m->keysize = keysize;
	m->valsize = valsize;
	m->keyeq = keyeq;
	m->count = 0;
}

/* Copy a key of one of the sizes used here: constant-size copies are inlined
 * (a memcpy call would leave the split stack for libc on every assign). */
static void copy_key(void *dst, const void *src, size_t n)
{
	switch (n) {
	case sizeof(int64_t):
		memcpy(dst, src, sizeof(int64_t));
		break;
	case sizeof(eface):
		memcpy(dst, src, sizeof(eface));
		break;
	default:
		gort_panic("bucketmap: no %zu-byte keys", n);
	}
}

/* Go's mapassign: the slot for key's value, added if missing. */
static void *mapassign(bucketmap *m, const void *key)
{
	for (int i = 0; i < m->count; i++)
		if (m->keyeq(m->keys + (size_t)i * m->keysize, key))
			return m->vals + (size_t)i * m->valsize;
	if (m->count == BUCKET_SLOTS)
		gort_panic("bucketmap: more than %d keys", BUCKET_SLOTS);
	copy_key(m->keys + (size_t)m->count * m->keysize, key, m->keysize);
	return m->vals + (size_t)m->count++ * m->valsize;
}

static bool gostring_eq(const void *a, const void *b)
{
	const gostring *x = a, *y = b;
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++) /* not memcmp: see copy_key */
		if (x->p[i] != y->p[i])
			return false;
	return true;
}

static bool int64_eq(const void *a, const void *b)
{
	return *(const int64_t *)a == *(const int64_t *)b;
}

static bool eface_eq(const void *a, const void *b)
{
	const eface *x = a, *y = b;
	return x->type == y->type && unbox_int64(*x) == unbox_int64(*y);
}

/* ---- g: map[string]interface{}; data["key"] = 200 ----------------------- */

static __attribute__((noinline)) int64_t map_string_any(int64_t v)
{
	bucketmap m;
	gostring key = GOSTRING("key");
	map_init(&m, sizeof(gostring), sizeof(eface), gostring_eq);
	*(eface *)mapassign(&m, &key) = box_int64(v);
	return unbox_int64(*(eface *)mapassign(&m, &key));
}

static __attribute__((noinline)) int64_t map_string_int(int64_t v)
{
	bucketmap m;
	gostring key = GOSTRING("key");
	map_init(&m, sizeof(gostring), sizeof(int64_t), gostring_eq);
	*(int64_t *)mapassign(&m, &key) = v;
	return *(int64_t *)mapassign(&m, &key);
}

ESCAPE_BENCH(bench_g_heap, escape_sink_int, map_string_any(200))

ESCAPE_BENCH(bench_g_var_heap, escape_sink_int, map_string_any((int64_t)i + 1000))

ESCAPE_BENCH(bench_g_stack, escape_sink_int, map_string_int(200))

/* ---- h: map[interface{}]interface{}; data[100] = 200 -------------------- */

static __attribute__((noinline)) int64_t map_any_any(int64_t k, int64_t v)
{
	bucketmap m;
	eface key = box_int64(k);
	map_init(&m, sizeof(eface), sizeof(eface), eface_eq);
	*(eface *)mapassign(&m, &key) = box_int64(v);
	return unbox_int64(*(eface *)mapassign(&m, &key));
}

static __attribute__((noinline)) int64_t map_int_int(int64_t k, int64_t v)
{
	bucketmap m;
	map_init(&m, sizeof(int64_t), sizeof(int64_t), int64_eq);
	*(int64_t *)mapassign(&m, &k) = v;
	return *(int64_t *)mapassign(&m, &k);
}

ESCAPE_BENCH(bench_h_heap, escape_sink_int, map_any_any(100, 200))

ESCAPE_BENCH(bench_h_var_heap, escape_sink_int, map_any_any((int64_t)i + 1000, (int64_t)i + 2000))

ESCAPE_BENCH(bench_h_stack, escape_sink_int, map_int_int(100, 200))

/* ---- i: map[string][]string; data["key"] = []string{"value"} ------------ */

typedef struct strings1 {
	gostring v[1];
} strings1;

static __attribute__((noinline)) int64_t map_of_slice(void)
{
	bucketmap m;
	gostring key = GOSTRING("key");
	map_init(&m, sizeof(gostring), sizeof(goslice), gostring_eq);
	gostring *backing = gort_newarray(sizeof *backing, 1);
	backing[0] = GOSTRING("value");
	*(goslice *)mapassign(&m, &key) = (goslice){.p = backing, .len = 1, .cap = 1};
	const goslice *s = mapassign(&m, &key);
	return (int64_t)(s->len + ((const gostring *)s->p)[0].n);
}

static __attribute__((noinline)) int64_t map_of_array(void)
{
	bucketmap m;
	gostring key = GOSTRING("key");
	map_init(&m, sizeof(gostring), sizeof(strings1), gostring_eq);
	*(strings1 *)mapassign(&m, &key) = (strings1){{GOSTRING("value")}};
	const strings1 *s = mapassign(&m, &key);
	return (int64_t)(1 + s->v[0].n);
}

ESCAPE_BENCH(bench_i_heap, escape_sink_int, map_of_slice())

ESCAPE_BENCH(bench_i_stack, escape_sink_int, map_of_array())

const bench_def escape_boxing_benchmarks[] = {
        {.name = "D_Interface/struct/heap", .fn = bench_d_struct_heap},
        {.name = "D_Interface/struct/stack", .fn = bench_d_struct_stack},
        {.name = "D_Interface/int/heap", .fn = bench_d_int_heap},
        {.name = "D_Interface/int/stack", .fn = bench_d_int_stack},
        {.name = "D_Interface/smallint/heap", .fn = bench_d_smallint_heap},
        {.name = "F_SliceOfInterface/heap", .fn = bench_f_heap},
        {.name = "F_SliceOfInterface/var/heap", .fn = bench_f_var_heap},
        {.name = "F_SliceOfInterface/stack", .fn = bench_f_stack},
        {.name = "G_MapStringInterface/heap", .fn = bench_g_heap},
        {.name = "G_MapStringInterface/var/heap", .fn = bench_g_var_heap},
        {.name = "G_MapStringInterface/stack", .fn = bench_g_stack},
        {.name = "H_MapInterfaceInterface/heap", .fn = bench_h_heap},
        {.name = "H_MapInterfaceInterface/var/heap", .fn = bench_h_var_heap},
        {.name = "H_MapInterfaceInterface/stack", .fn = bench_h_stack},
        {.name = "I_MapOfSlice/heap", .fn = bench_i_heap},
        {.name = "I_MapOfSlice/stack", .fn = bench_i_stack},
};
const size_t escape_boxing_count =
        sizeof escape_boxing_benchmarks / sizeof escape_boxing_benchmarks[0];
