/*
 * escape_values.c — the escape cases about where a value lives: a pointer
 * returned (a), new(int) returned or not (m), a small struct by value, by
 * pointer, or stored in a global (n), and large objects (o).
 *
 * Each op calls a noinline constructor and stores what it got in a global
 * sink; the forms differ only in where the object is: on gort's heap
 * (gort_newobject) or in a frame, copied out by value.
 *
 *  a  A_ReturnPointer/heap   create_demo returns gort_newobject(24)   1 alloc
 *     A_ReturnPointer/stack  create_demo_value returns a demo by value
 *  m  M_NewInt/heap          new_int returns gort_newobject(8)         1 alloc
 *     M_NewInt/local-heap    the same object used and dropped in the frame:
 *                            1 alloc in gort, 0 in Go (`new(int) does not
 *                            escape`): what the tracer calls frame-local
 *     M_NewInt/stack         an int64 in the frame
 *  n  N_SmallStruct/global   the point's address stored in a global    1 alloc
 *     N_SmallStruct/pointer  passed by pointer to a non-retaining callee
 *     N_SmallStruct/value    passed by value
 *  o  O_Large/SIZE/heap      gort_newobject(SIZE): past 32 KB, Go's (and gort's)
 *                            large-object path, a span of its own    1 alloc
 *     O_Large/SIZE/stack     a SIZE-byte array in the frame, zeroed as Go
 *                            zeroes `var buf [SIZE]byte`.  On gort the frame
 *                            does not fit the 2 KB first segment: the
 *                            split-stack prologue calls __morestack_non_split
 *                            (gold's choice, as the frame calls memset; it
 *                            adds 1 MB of headroom for libc), which takes a
 *                            segment that fits from the thread's pool (mapped
 *                            the first time); the goroutine keeps it as its
 *                            spare when the frame returns, so later ops pay
 *                            the switch and the zeroing, not a map.
 *                            (Go 1.19 keeps an explicit var up to 10 MB on
 *                            the stack and copies the stack to grow it.)
 */
#include <string.h>

#include <gort.h>

#include "escape.h"

/* ---- a: return a pointer to a local ----------------------------------- */

static __attribute__((noinline)) demo *create_demo(gostring name, int64_t id)
{
	demo *d = gort_newobject(sizeof *d);
	d->name = name;
	d->id = id;
	return d;
}

static __attribute__((noinline)) demo create_demo_value(gostring name, int64_t id)
{
	demo d = {.name = name, .id = id};
	return d;
}

/* volatile: each op's copy is stored, not only the last one. */
static volatile demo sink_demo;

ESCAPE_BENCH(bench_a_heap, escape_sink, create_demo(GOSTRING("demo"), (int64_t)i))

ESCAPE_BENCH(bench_a_stack, sink_demo, create_demo_value(GOSTRING("demo"), (int64_t)i))

/* ---- m: new(int) returned vs not returned ------------------------------ */

static __attribute__((noinline)) int64_t *new_int(int64_t v)
{
	int64_t *p = gort_newobject(sizeof *p);
	*p = v;
	return p;
}

/* The object never leaves the frame: Go puts it on the stack. */
static __attribute__((noinline)) int64_t new_int_local(int64_t v)
{
	int64_t *p = gort_newobject(sizeof *p);
	*p = v;
	escape_keep(p);
	return *p + 1;
}

static __attribute__((noinline)) int64_t int_on_stack(int64_t v)
{
	int64_t x = v;
	escape_keep(&x);
	return x + 1;
}

ESCAPE_BENCH(bench_m_heap, escape_sink, new_int((int64_t)i))

ESCAPE_BENCH(bench_m_local_heap, escape_sink_int, new_int_local((int64_t)i))

ESCAPE_BENCH(bench_m_stack, escape_sink_int, int_on_stack((int64_t)i))

/* ---- n: small struct by value, by pointer, stored in a global ---------- */

typedef struct point {
	int64_t x, y;
} point;

static point *volatile global_point;

static __attribute__((noinline)) int64_t by_value(point p)
{
	return p.x * 3 + p.y;
}

static __attribute__((noinline)) int64_t by_pointer(const point *p)
{
	return p->x * 3 + p->y;
}

/* Go: `leaking param: p`, so the caller's `r` is moved to heap. */
static __attribute__((noinline)) int64_t store_global(point *p)
{
	global_point = p;
	return p->x * 3 + p->y;
}

static void bench_n_global(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		point *r = gort_newobject(sizeof *r);
		r->x = (int64_t)i;
		r->y = 2;
		escape_sink_int = store_global(r);
	}
}

static void bench_n_pointer(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		point r = {.x = (int64_t)i, .y = 2};
		escape_sink_int = by_pointer(&r);
	}
}

static void bench_n_value(bench_b *b)
{
	for (uint64_t i = 0; i < b->n; i++) {
		point r = {.x = (int64_t)i, .y = 2};
		escape_sink_int = by_value(r);
	}
}

/* ---- o: large objects --------------------------------------------------- */

#define O_SMALL (33 << 10) /* past 32 KB: the large-object path */
#define O_BIG   (1 << 20)

static __attribute__((noinline)) void *large_heap(size_t size)
{
	unsigned char *p = gort_newobject(size);
	p[0] = 1;
	p[size - 1] = 1;
	return p;
}

/* The stack form of each size is its own function: the frame size is fixed
 * at compile time, as Go's `var buf [N]byte`. */
#define LARGE_ON_STACK(size)                                                                       \
	static __attribute__((noinline)) int64_t large_stack_##size(void)                          \
	{                                                                                          \
		unsigned char buf[size];                                                           \
		memset(buf, 0, sizeof buf);                                                        \
		buf[0] = 1;                                                                        \
		buf[sizeof buf - 1] = 1;                                                           \
		escape_keep(buf);                                                                  \
		return buf[0] + buf[sizeof buf - 1];                                               \
	}
LARGE_ON_STACK(O_SMALL)
LARGE_ON_STACK(O_BIG)

static void bench_o_heap(bench_b *b)
{
	size_t size = *(const size_t *)b->arg;
	for (uint64_t i = 0; i < b->n; i++)
		escape_sink = large_heap(size);
}

static void bench_o_stack(bench_b *b)
{
	int64_t (*frame)(void) =
	        *(const size_t *)b->arg == O_SMALL ? large_stack_O_SMALL : large_stack_O_BIG;
	for (uint64_t i = 0; i < b->n; i++)
		escape_sink_int = frame();
}

static const size_t o_small = O_SMALL, o_big = O_BIG;

const bench_def escape_values_benchmarks[] = {
        {.name = "A_ReturnPointer/heap", .fn = bench_a_heap},
        {.name = "A_ReturnPointer/stack", .fn = bench_a_stack},
        {.name = "M_NewInt/heap", .fn = bench_m_heap},
        {.name = "M_NewInt/local-heap", .fn = bench_m_local_heap},
        {.name = "M_NewInt/stack", .fn = bench_m_stack},
        {.name = "N_SmallStruct/global", .fn = bench_n_global},
        {.name = "N_SmallStruct/pointer", .fn = bench_n_pointer},
        {.name = "N_SmallStruct/value", .fn = bench_n_value},
        {.name = "O_Large/33KB/heap", .fn = bench_o_heap, .arg = &o_small},
        {.name = "O_Large/33KB/stack", .fn = bench_o_stack, .arg = &o_small},
        {.name = "O_Large/1MB/heap", .fn = bench_o_heap, .arg = &o_big},
        {.name = "O_Large/1MB/stack", .fn = bench_o_stack, .arg = &o_big},
};
const size_t escape_values_count =
        sizeof escape_values_benchmarks / sizeof escape_values_benchmarks[0];
