/*
 * n_small_struct.c — escape case n: a small struct by value, by pointer, and
 * by pointer stored in a global.
 *
 * Go:  byValue(p point): no diagnostic; byPointer(p *point): p does not
 *      escape; store(p *point) { global = p }: leaking param: p, and the
 *      caller's `r` is moved to heap.   (0/0/1 heap allocs/run)
 *
 * store_global_escapes allocates the point and hands it to a callee that
 * keeps it in a global (escaped).  by_pointer_local allocates it and passes
 * it to a callee that does not keep it, then drops it (frame-local).
 * by_value copies it: no object at all.
 */
#include "example.h"

typedef struct point {
	int64_t x, y;
} point;

/* volatile: a write-only static array is dead to the compiler, which would
 * drop the stores, and the point would not escape at all. */
static point *volatile global_points[EX_RUNS];
static int nglobal;

static __attribute__((noinline)) int64_t store(point *p)
{
	global_points[nglobal++] = p;
	return p->x + p->y;
}

static __attribute__((noinline)) int64_t read_pointer(const point *p)
{
	return p->x + p->y;
}

static __attribute__((noinline)) int64_t read_value(point p)
{
	return p.x + p.y;
}

static __attribute__((noinline)) int64_t store_global_escapes(int64_t x)
{
	point *r = gort_newobject(sizeof *r);
	r->x = x;
	r->y = 2;
	return store(r);
}

static __attribute__((noinline)) int64_t by_pointer_local(int64_t x)
{
	point *r = gort_newobject(sizeof *r);
	r->x = x;
	r->y = 2;
	return read_pointer(r);
}

static __attribute__((noinline)) int64_t by_value(int64_t x)
{
	return read_value((point){x, 2});
}

static void run(void *arg)
{
	(void)arg;
	int64_t sum = 0;
	puts("n_small_struct: a point by value, by pointer, stored in a global");
	EX_MEASURE("escaping", "store_global_escapes", sum += store_global_escapes(i));
	EX_MEASURE("frame-local", "by_pointer_local", sum += by_pointer_local(i));
	EX_MEASURE("value", "by_value", sum += by_value(i));
	printf("%d points in the global; checksum %" PRId64 "\n", nglobal, sum);
}

int main(void)
{
	return gort_main(run, NULL);
}
