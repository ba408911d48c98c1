/*
 * e_make_slice.c — escape case e: make([]int, N) at Go's stack-size limit,
 * and with a length known only at run time.
 *
 * Go 1.19:  make([]int, 8191), make([]int, 8192) (exactly 64 KiB) do not
 * escape; make([]int, 8193) escapes (too large for stack); make([]int, n)
 * escapes (non-constant size).   (0/0/1/1 heap allocs/run)
 *
 * make_escapes returns its array, kept in a global (escaped); make_local
 * uses its array and drops it (frame-local: for 8191 and 8192 Go uses the
 * stack).  make_on_stack puts 8192 int64 (64 KiB) in its frame: on a
 * goroutine's 2 KB segmented stack the prologue calls __morestack, which
 * takes a segment big enough from the thread's pool (the goroutine keeps it
 * as its spare, so the next calls reuse it); no heap object is made.
 */
#include <string.h>

#include "example.h"

static int64_t *kept[4][EX_RUNS];
static volatile size_t runtime_n = 1000;

static __attribute__((noinline)) int64_t *make_escapes(size_t n)
{
	int64_t *s = gort_newarray(sizeof *s, n);
	s[n - 1] = (int64_t)n;
	return s;
}

static __attribute__((noinline)) int64_t make_local(size_t n)
{
	int64_t *s = gort_newarray(sizeof *s, n);
	s[n - 1] = (int64_t)n;
	return s[0] + s[n - 1];
}

static __attribute__((noinline)) int64_t make_on_stack(void)
{
	int64_t s[8192];
	memset(s, 0, sizeof s);
	s[8191] = 8192;
	__asm__ volatile("" : : "r"(s) : "memory");
	return s[0] + s[8191];
}

static void run(void *arg)
{
	(void)arg;
	static const char *const names[4][2] = {
	        {"make_escapes(8191)", "make_local(8191)"},
	        {"make_escapes(8192)", "make_local(8192)"},
	        {"make_escapes(8193)", "make_local(8193)"},
	        {"make_escapes(n)", "make_local(n)"},
	};
	size_t sizes[4] = {8191, 8192, 8193, runtime_n};
	int64_t sum = 0;
	puts("e_make_slice: make([]int, 8191/8192/8193/n) (Go 1.19: 8193 and n escape)");
	for (int k = 0; k < 4; k++) {
		EX_MEASURE("escaping", names[k][0], kept[k][i] = make_escapes(sizes[k]));
		EX_MEASURE("frame-local", names[k][1], sum += make_local(sizes[k]));
	}
	EX_MEASURE("stack", "make_on_stack", sum += make_on_stack());
	puts("make_on_stack: 8192 int64 (64 KiB) in a frame of the goroutine's segmented stack");
	printf("kept %d arrays; checksum %" PRId64 "\n", 4 * EX_RUNS, sum + kept[3][0][999]);
}

int main(void)
{
	return gort_main(run, NULL);
}
