/*
 * heap_sizes.h — the object sizes every heap benchmark measures, in one list.
 *
 * Issue 2's sizes: two small size classes (16 and 64 B, the fast path), a
 * mid class (256 B), a page (4 KB), the largest size class (32 KB) and a large
 * object on its own span (1 MB).  The names are the sub-benchmark names, the
 * same in the Go counterparts (bench/go), so benchstat pairs them.
 *
 * HEAP_SIZES(X) calls X(bytes, "name") once per size.
 */
#ifndef BENCH_HEAP_SIZES_H
#define BENCH_HEAP_SIZES_H

#include <stddef.h>

#define HEAP_SIZES(X)                                                                              \
	X(16, "16B")                                                                               \
	X(64, "64B")                                                                               \
	X(256, "256B")                                                                             \
	X(4096, "4KB")                                                                             \
	X(32768, "32KB")                                                                           \
	X(1048576, "1MB")

/* The sizes as objects, for a table entry's arg. */
#define HEAP_SIZE_CONST(bytes, name) static const size_t heap_size_##bytes = bytes;
HEAP_SIZES(HEAP_SIZE_CONST)
#undef HEAP_SIZE_CONST

#endif /* BENCH_HEAP_SIZES_H */
