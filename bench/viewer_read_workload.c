/*
 * bench/viewer_read_workload.c — the program whose trace the viewer-read
 * benchmark reads: N malloc/free pairs spread over 3^5 = 243 distinct call
 * stacks (five levels of functions, each with three call sites chosen by
 * the digits of i in base 3), so the trace has many events and few unique
 * stacks, like a real program's.  Each call site sits between its own asm
 * statements, so no optimizer can merge the three into one.
 *
 *   viewer_read_workload N
 */
#include <stdio.h>
#include <stdlib.h>

static void *volatile sink;

static __attribute__((noinline)) void leaf(unsigned k, long i)
{
	void *p = malloc(16 + (size_t)(i & 63));
	sink = p;
	free(p);
	(void)k;
}

#define LEVEL(name, next)                                                                          \
	static __attribute__((noinline)) void name(unsigned k, long i)                             \
	{                                                                                          \
		switch (k % 3) {                                                                   \
		case 0:                                                                            \
			__asm__ volatile("nop # site 0");                                          \
			next(k / 3, i);                                                            \
			__asm__ volatile("nop # after 0");                                         \
			break;                                                                     \
		case 1:                                                                            \
			__asm__ volatile("nop # site 1");                                          \
			next(k / 3, i);                                                            \
			__asm__ volatile("nop # after 1");                                         \
			break;                                                                     \
		default:                                                                           \
			__asm__ volatile("nop # site 2");                                          \
			next(k / 3, i);                                                            \
			__asm__ volatile("nop # after 2");                                         \
			break;                                                                     \
		}                                                                                  \
	}

LEVEL(level5, leaf)
LEVEL(level4, level5)
LEVEL(level3, level4)
LEVEL(level2, level3)
LEVEL(level1, level2)

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	for (long i = 0; i < n; i++)
		level1((unsigned)(i % 243), i);
	printf("%ld allocations\n", n);
	return 0;
}
