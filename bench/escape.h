/*
 * escape.h — what the escape benchmarks share: Go's value layouts in C, the
 * global sinks, Go's interface boxing, and the tables of the case files.
 *
 * Every case of doc escape-cases.md (a to o) is a pair of benchmarks doing the
 * same work: the escaping form puts its objects on gort's heap
 * (gort_newobject, gort_newarray, gort_makechan), the non-escaping form keeps
 * them in the frame or passes them by value.  The functions that create the
 * objects are noinline, as Go's `-gcflags=-l` keeps them out of line, so that
 * the compiler cannot fold the escaping form into the non-escaping one.
 *
 * The results go to global sinks (bss is a root of gort's collector): a heap
 * object stored there outlives the frame, as Go's escaping objects do, and a
 * value stored there keeps the work from being optimised away (Go 1.19's own
 * BenchmarkMalloc8 measures 0.43 ns because nothing escapes).
 *
 * The case files (escape_values.c, escape_closures.c, escape_boxing.c,
 * escape_slices.c) each export a table; bench_escape.c runs them all inside
 * the main goroutine, and escape_alloc.c runs the C allocators' baselines.
 */
#ifndef BENCH_ESCAPE_H
#define BENCH_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* Go's string header: what a Go `string` field occupies (16 B). */
typedef struct gostring {
	const char *p;
	size_t n;
} gostring;

#define GOSTRING(lit) ((gostring){.p = (lit), .n = sizeof(lit) - 1})

/* Go's slice header (24 B). */
typedef struct goslice {
	void *p;
	size_t len, cap;
} goslice;

/* Go's empty interface: a type word and a pointer to the value.  Boxing a
 * value that is not a pointer needs somewhere to point: runtime.convT. */
typedef struct eface {
	const char *type; /* the type's name stands in for Go's *_type */
	const void *data;
} eface;

/* case a's Demo: `type Demo struct{ name string }` plus an id (24 B). */
typedef struct demo {
	gostring name;
	int64_t id;
} demo;

/* The sinks.  Heap objects stored in escape_sink stay reachable until the next
 * op replaces them, so the collector reclaims them as Go's would. */
extern void *volatile escape_sink;
extern volatile int64_t escape_sink_int;
extern eface escape_sink_any;

/* Keep p's pointee alive and written, without a call: the compiler must
 * assume the asm reads and writes all memory reachable from p. */
static inline void escape_keep(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* A benchmark whose op is one expression of the iteration number i, stored
 * in a sink: ESCAPE_BENCH(bench_m_heap, escape_sink, new_int((int64_t)i)).
 * The call stays direct (no function pointer in the timed loop). */
#define ESCAPE_BENCH(name, sink, expr)                                                             \
	static void name(bench_b *b)                                                               \
	{                                                                                          \
		for (uint64_t i = 0; i < b->n; i++)                                                \
			sink = (expr);                                                             \
	}

/* Go's convT64: a boxed int64.  Values 0..255 point into a static table and
 * allocate nothing (Go's staticuint64s); others are an 8-byte heap object. */
eface box_int64(int64_t v);
int64_t unbox_int64(eface e);

/* Go's convT for a Demo: a heap copy of the value (always allocates). */
eface box_demo(const demo *d);

extern const char escape_type_int64[];
extern const char escape_type_demo[];

/* The case tables. */
extern const bench_def escape_values_benchmarks[];
extern const size_t escape_values_count;
extern const bench_def escape_closures_benchmarks[];
extern const size_t escape_closures_count;
extern const bench_def escape_boxing_benchmarks[];
extern const size_t escape_boxing_count;
extern const bench_def escape_slices_benchmarks[];
extern const size_t escape_slices_count;

#endif /* BENCH_ESCAPE_H */
