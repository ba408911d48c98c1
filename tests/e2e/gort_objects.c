/*
 * tests/e2e/gort_objects.c — gort heap objects, counted by gort and the trace.
 *
 * Allocates a known mix of gort objects from plain main() (the heap calls
 * need no goroutine): small objects, a few kept alive in a global, arrays,
 * one large object, then forces a full collection and prints gort's own
 * MemStats counters.  The end-to-end script checks that the trace has one
 * newobject event per allocation gort counted (Mallocs) and one sweep per
 * object it freed (Frees), and that the sites are these lines.
 */
#include <gort.h>
#include <inttypes.h>
#include <stdio.h>

#define SMALL  1000
#define ARRAYS 50

static void *kept[SMALL / 10];

int main(void)
{
	for (int i = 0; i < SMALL; i++) {
		void *p = gort_newobject(48);
		if (i % 10 == 0)
			kept[i / 10] = p;
	}
	for (int i = 0; i < ARRAYS; i++)
		(void)gort_newarray(16, 20);
	void *big = gort_newobject(100000);
	gort_gc();
	gort_memstats ms;
	gort_read_memstats(&ms);
	printf("mallocs %" PRIu64 " frees %" PRIu64 " num_gc %" PRIu64 " kept %p %p\n", ms.mallocs,
	       ms.frees, ms.num_gc, kept[0], big);
	return 0;
}
