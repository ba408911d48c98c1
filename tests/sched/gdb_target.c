/*
 * gdb_target.c — a goroutine ten-odd segments deep stops in stop_here, for
 * gdb-backtrace.sh: gdb's backtrace must reach the goroutine's entry.
 */
#include "gort.h"

void stop_here(void);

void __attribute__((noinline)) stop_here(void)
{
	__asm__ volatile("");
}

static int __attribute__((noinline)) descend(int n)
{
	volatile char pad[1500];

	pad[0] = 1;
	__asm__ volatile("" : : "r"(pad) : "memory"); /* the whole array stays in the frame */
	if (n == 0) {
		stop_here();
		return 0;
	}
	return descend(n - 1) + pad[0];
}

static void goroutine_entry(void *arg)
{
	*(int *)arg = descend(1500); /* about 2 MB: 11 doubling segments */
}

int main(void)
{
	int r = 0;

	return gort_main(goroutine_entry, &r) + r - 1500;
}
