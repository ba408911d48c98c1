/*
 * escape_alloc.c — the C allocators beside gort for the escape cases where
 * a malloc-family call is what a C programmer would write instead: a pointer
 * returned (a), new(int) returned (m), a pointer stored in a global (n),
 * large objects (o).  Each op allocates, does the case's work, and frees the
 * object again (the op's whole bill, as gort's includes the collection).
 *
 * Built twice (bench/escape.mk), like bench_malloc:
 *   bench_escape_malloc   glibc malloc + free (calloc for o, whose objects
 *                         are zeroed like gort's); time only: glibc keeps no
 *                         allocation counters
 *   bench_escape_mallocx  jemalloc mallocx + dallocx (MALLOCX_ZERO for o),
 *                         memory columns from jemalloc's own counters
 * The names are the escape bench's with /malloc or /mallocx as the form.
 */
#include <stdlib.h>

#include "escape.h"

#ifdef BENCH_JEMALLOC
#include <jemalloc/jemalloc.h>
#define FORM             "mallocx"
#define ALLOC(size)      mallocx((size), 0)
#define ALLOC_ZERO(size) mallocx((size), MALLOCX_ZERO)
#define RELEASE(p)       dallocx((p), 0)
#define METER            &bench_jemalloc_meter
#define FLAGS            0
#else
#define FORM             "malloc"
#define ALLOC(size)      malloc(size)
#define ALLOC_ZERO(size) calloc(1, (size))
#define RELEASE(p)       free(p)
#define METER            NULL
#define FLAGS            BENCH_NOMEM
#endif

static void *volatile sink;

static __attribute__((noinline)) demo *create_demo(gostring name, int64_t id)
{
	demo *d = ALLOC(sizeof *d);
	d->name = name;
	d->id = id;
	return d;
}

static void bench_a(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		demo *d = create_demo(GOSTRING("demo"), (int64_t)i);
		sink = d;
		RELEASE(d);
	}
}

static __attribute__((noinline)) int64_t *new_int(int64_t v)
{
	int64_t *p = ALLOC(sizeof *p);
	*p = v;
	return p;
}

static void bench_m(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		int64_t *p = new_int((int64_t)i);
		sink = p;
		RELEASE(p);
	}
}

typedef struct point {
	int64_t x, y;
} point;

static point *volatile global_point;
static volatile int64_t sink_int;

static __attribute__((noinline)) int64_t store_global(point *p)
{
	global_point = p;
	return p->x * 3 + p->y;
}

static void bench_n(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		point *r = ALLOC(sizeof *r);
		r->x = (int64_t)i;
		r->y = 2;
		point *old = global_point;
		sink_int = store_global(r);
		if (old != NULL)
			RELEASE(old);
	}
}

static __attribute__((noinline)) void *large(size_t size)
{
	unsigned char *p = ALLOC_ZERO(size);
	p[0] = 1;
	p[size - 1] = 1;
	return p;
}

static void bench_o(bench_b *b)
{
	size_t size = *(const size_t *)b->arg;
	for (uint64_t i = 0; i < b->n; i++) {
		void *p = large(size);
		sink = p;
		RELEASE(p);
	}
}

static const size_t o_small = 33 << 10, o_big = 1 << 20;

static const bench_def benchmarks[] = {
        {.name = "A_ReturnPointer/" FORM, .fn = bench_a, .meter = METER, .flags = FLAGS},
        {.name = "M_NewInt/" FORM, .fn = bench_m, .meter = METER, .flags = FLAGS},
        {.name = "N_SmallStruct/" FORM, .fn = bench_n, .meter = METER, .flags = FLAGS},
        {.name = "O_Large/33KB/" FORM,
         .fn = bench_o,
         .arg = &o_small,
         .meter = METER,
         .flags = FLAGS},
        {.name = "O_Large/1MB/" FORM, .fn = bench_o, .arg = &o_big, .meter = METER, .flags = FLAGS},
};

int main(int argc, char **argv)
{
	bench_suite suite = {
	        .pkg = "escapade/bench/escape",
	        .benchmarks = benchmarks,
	        .count = sizeof benchmarks / sizeof benchmarks[0],
	};
	return bench_main(&suite, argc, argv);
}
