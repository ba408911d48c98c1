/*
 * o_large_object.c — escape case o: large objects, past 32 KB (Go's
 * large-object path: a span of their own) and 1 MB.
 *
 * Go:  make([]byte, 1<<20) returned: escapes (1 heap alloc/run)
 *
 * large_escapes returns its object, kept in a global (escaped).
 * large_local allocates, touches and drops it (frame-local; Go would keep
 * `var buf [1<<20]byte` on a grown stack, explicit variables up to 10 MB).
 * The program prints the heap in use after a collection: the kept objects
 * are still there, the dropped ones are not.
 */
#include "example.h"

static unsigned char *kept[2][EX_RUNS];

static __attribute__((noinline)) unsigned char *large_escapes(size_t size)
{
	unsigned char *p = gort_newobject(size);
	p[size - 1] = 1;
	return p;
}

static __attribute__((noinline)) int large_local(size_t size)
{
	unsigned char *p = gort_newobject(size);
	p[size - 1] = 1;
	return p[0] + p[size - 1];
}

static void run(void *arg)
{
	(void)arg;
	static const size_t sizes[2] = {33 << 10, 1 << 20};
	static const char *const names[2][2] = {
	        {"large_escapes(33KB)", "large_local(33KB)"},
	        {"large_escapes(1MB)", "large_local(1MB)"},
	};
	int sum = 0;
	puts("o_large_object: objects of 33 KB and 1 MB (Go: escapes, large-object path)");
	for (int k = 0; k < 2; k++) {
		EX_MEASURE("escaping", names[k][0], kept[k][i] = large_escapes(sizes[k]));
		EX_MEASURE("frame-local", names[k][1], sum += large_local(sizes[k]));
	}
	gort_gc();
	gort_memstats ms;
	gort_read_memstats(&ms);
	uint64_t kept_bytes = EX_RUNS * ((uint64_t)40960 + (1 << 20));
	printf("after a collection the heap holds at least the %" PRIu64 " kept bytes: %s; "
	       "checksum %d\n",
	       kept_bytes, ms.heap_alloc >= kept_bytes ? "yes" : "no",
	       sum + kept[1][0][(1 << 20) - 1]);
}

int main(void)
{
	return gort_main(run, NULL);
}
