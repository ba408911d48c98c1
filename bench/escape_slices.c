/*
 * escape_slices.c — the escape cases about arrays: make([]int, N) at Go's
 * stack-size limit and with a run-time length (e), and a slice of pointers
 * holding the address of a local (j).
 *
 *  e  E_MakeSlice/N/heap   gort_newarray(8, N), zeroed; N = 8191, 8192
 *                          (exactly 64 KiB, Go 1.19's limit for implicit
 *                          stack variables), 8193: all past 32 KB, so all on
 *                          the large-object path, a span each      1 alloc
 *     E_MakeSlice/N/stack  int64_t s[N] in the frame, zeroed as make zeroes.
 *                          Go keeps 8191 and 8192 on the stack and moves
 *                          8193 to the heap ("too large for stack"); C can
 *                          keep all three.  A 64 KiB frame does not fit the
 *                          goroutine's 2 KB first segment: the prologue
 *                          (lea -N(%rsp),%r11; cmp %fs:0x70,%r11) fails and
 *                          calls __morestack with the frame size in %r10.
 *                          Because the function calls memset (libc, not
 *                          split-stack), gold turns that into
 *                          __morestack_non_split and adds 1 MB of headroom
 *                          to N (lea -0x110008(%rsp) for 8191), so gort takes
 *                          a segment of the next power of two that fits (2 MB)
 *                          from the thread's pool (mapped the first time).
 *                          The goroutine keeps it as its spare when the frame
 *                          returns, so after the first op a call costs the
 *                          switch (tens of ns) and the zeroing, never an mmap.
 *     E_MakeSlice/n/heap   make([]int, n) with n = 1024 read at run time: Go
 *                          says "non-constant size" and allocates  1 alloc
 *     E_MakeSlice/n/stack  the C idiom: a fixed 8 KB array, n elements used.
 *                          (No VLA: -fsplit-stack turns one into a call to
 *                          libgcc's __morestack_allocate_stack_space, which
 *                          gort does not provide.)
 *  j  J_SliceOfPointer/heap   a := v (moved to heap); data[0] = &a   1 alloc
 *     J_SliceOfPointer/stack  an index into a frame array instead of a pointer
 */
#include <string.h>

#include <gort.h>

#include "escape.h"

/* ---- e: make([]int, N) ---------------------------------------------------- */

static __attribute__((noinline)) int64_t *make_heap(size_t n)
{
	int64_t *s = gort_newarray(sizeof *s, n);
	s[0] = 1;
	s[n - 1] = 2;
	return s;
}

#define MAKE_ON_STACK(n)                                                                           \
	static __attribute__((noinline)) int64_t make_stack_##n(void)                              \
	{                                                                                          \
		int64_t s[n];                                                                      \
		memset(s, 0, sizeof s);                                                            \
		s[0] = 1;                                                                          \
		s[n - 1] = 2;                                                                      \
		escape_keep(s);                                                                    \
		return s[0] + s[n - 1];                                                            \
	}
MAKE_ON_STACK(8191)
MAKE_ON_STACK(8192)
MAKE_ON_STACK(8193)

#define N_BOUND 1024
static volatile size_t runtime_n = N_BOUND;

static __attribute__((noinline)) int64_t make_stack_bounded(size_t n)
{
	int64_t s[N_BOUND];
	if (n > N_BOUND)
		gort_panic("make_stack_bounded: n = %zu > %d", n, N_BOUND);
	memset(s, 0, n * sizeof s[0]);
	s[0] = 1;
	s[n - 1] = 2;
	escape_keep(s);
	return s[0] + s[n - 1];
}

typedef struct make_case {
	size_t n;               /* 0: runtime_n */
	int64_t (*stack)(void); /* the fixed-size stack form, or NULL */
} make_case;

static const make_case make_8191 = {8191, make_stack_8191}, make_8192 = {8192, make_stack_8192},
                       make_8193 = {8193, make_stack_8193}, make_n = {0, NULL};

static void bench_e_heap(bench_b *b)
{
	const make_case *c = b->arg;
	for (uint64_t i = 0; i < b->n; i++)
		escape_sink = make_heap(c->n ? c->n : runtime_n);
}

static void bench_e_stack(bench_b *b)
{
	const make_case *c = b->arg;
	for (uint64_t i = 0; i < b->n; i++)
		escape_sink_int = c->stack ? c->stack() : make_stack_bounded(runtime_n);
}

/* ---- j: []*int{nil}; data[0] = &a ------------------------------------------ */

static __attribute__((noinline)) int64_t slice_of_pointer(int64_t v)
{
	int64_t *a = gort_newobject(sizeof *a);
	*a = v;
	int64_t *data[1] = {NULL};
	data[0] = a;
	escape_keep(data);
	return *data[0];
}

static __attribute__((noinline)) int64_t slice_of_index(int64_t v)
{
	int64_t vals[1] = {v};
	size_t data[1] = {0};
	data[0] = 0;
	escape_keep(data);
	return vals[data[0]];
}

ESCAPE_BENCH(bench_j_heap, escape_sink_int, slice_of_pointer((int64_t)i))

ESCAPE_BENCH(bench_j_stack, escape_sink_int, slice_of_index((int64_t)i))

const bench_def escape_slices_benchmarks[] = {
        {.name = "E_MakeSlice/8191/heap", .fn = bench_e_heap, .arg = &make_8191},
        {.name = "E_MakeSlice/8191/stack", .fn = bench_e_stack, .arg = &make_8191},
        {.name = "E_MakeSlice/8192/heap", .fn = bench_e_heap, .arg = &make_8192},
        {.name = "E_MakeSlice/8192/stack", .fn = bench_e_stack, .arg = &make_8192},
        {.name = "E_MakeSlice/8193/heap", .fn = bench_e_heap, .arg = &make_8193},
        {.name = "E_MakeSlice/8193/stack", .fn = bench_e_stack, .arg = &make_8193},
        {.name = "E_MakeSlice/n/heap", .fn = bench_e_heap, .arg = &make_n},
        {.name = "E_MakeSlice/n/stack", .fn = bench_e_stack, .arg = &make_n},
        {.name = "J_SliceOfPointer/heap", .fn = bench_j_heap},
        {.name = "J_SliceOfPointer/stack", .fn = bench_j_stack},
};
const size_t escape_slices_count =
        sizeof escape_slices_benchmarks / sizeof escape_slices_benchmarks[0];
