/* prog_gort_deep.c — a gort program whose frame-pointer chains cross many
 * stack segments, or lead nowhere (tests/tracer/test_record.c).
 *
 *   deep   recurse LEVELS levels of a 300 KB frame (three to a 1 MB
 *          segment: twenty-odd segments), then make one gort_newobject(24)
 *          (walked from the runtime's probe, off the goroutine's stack) and
 *          one malloc(24) (walked from the hook, on the segment): both
 *          stacks must hold every level.
 *   stale  recurse 200 levels of a 600 KB frame (one 1 MB segment each),
 *          malloc at the bottom, return: past the 64 MB a pool keeps, the
 *          runtime unmaps the segments it frees.  Then malloc with a frame
 *          link into one of them that is unmapped now: the tracer must stop
 *          there, not read it.
 *   churn  for 300 ms, malloc with frame links to unmapped addresses, each
 *          a different one; prints how much the process's address space
 *          grew meanwhile, and fails past 8 MB (the tracer must not keep
 *          memory per walk).
 */
#define _GNU_SOURCE
#include <gort.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define DEEP_LEVELS  60
#define STALE_LEVELS 200

void *volatile sink;
static uintptr_t stale_fps[STALE_LEVELS + 1];
static int status;

/* malloc(n) called with %rbp = link: the hook's saved frame pointer, the
 * first link of its walk, is link.  no_split_stack and no frame of its
 * own to speak of; its caller makes the room malloc needs. */
static __attribute__((no_split_stack, noinline)) void *malloc_linked(size_t n, uintptr_t link)
{
	void *r;

	__asm__ volatile("mov %%rsp, %%r12\n\t"
	                 "sub $128, %%rsp\n\t" /* the red zone */
	                 "and $-16, %%rsp\n\t"
	                 "push %%rbp\n\t"
	                 "push %%rbp\n\t"
	                 "mov %[link], %%rbp\n\t"
	                 "call malloc\n\t"
	                 "pop %%rbp\n\t"
	                 "pop %%rbp\n\t"
	                 "mov %%r12, %%rsp"
	                 : "=a"(r), "+D"(n)
	                 : [link] "r"(link)
	                 : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "xmm0", "xmm1",
	                   "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
	                   "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
	return r;
}

/* A split-stack function that calls libc, so that its prologue asks for
 * the room non-split code needs before malloc_linked runs. */
static __attribute__((noinline)) void alloc_linked(uintptr_t link)
{
	free(malloc_linked(24, link));
}

static __attribute__((noinline)) int deep(int n)
{
	volatile char buf[300 * 1024];

	buf[0] = (char)n;
	__asm__ volatile("" : : "r"(buf) : "memory");
	if (n == 0) {
		sink = gort_newobject(24);
		sink = malloc(24); /* through sink: GCC drops a bare free(malloc()) */
		free(sink);
	} else {
		deep(n - 1);
	}
	return buf[0];
}

static __attribute__((noinline)) int stale(int n)
{
	volatile char buf[600 * 1024];

	buf[0] = (char)n;
	__asm__ volatile("" : : "r"(buf) : "memory");
	stale_fps[n] = (uintptr_t)__builtin_frame_address(0) & ~(uintptr_t)7;
	if (n == 0) {
		sink = malloc(24); /* the tracer meets the deepest segments */
		free(sink);
	} else {
		stale(n - 1);
	}
	return buf[0];
}

static bool unmapped(uintptr_t a)
{
	unsigned char v;
	return mincore((void *)(a & ~(uintptr_t)4095), 4096, &v) != 0;
}

static void stale_main(void)
{
	stale(STALE_LEVELS);
	for (int i = 0; i <= STALE_LEVELS; i++) {
		if (unmapped(stale_fps[i])) {
			alloc_linked(stale_fps[i]);
			return;
		}
	}
	fprintf(stderr, "prog_gort_deep: no segment was unmapped\n");
	status = 1;
}

static long vm_size_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "VmSize:", 7) == 0)
			kb = atol(line + 7);
	fclose(f);
	return kb;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void churn_main(void)
{
	uintptr_t link = (uintptr_t)1 << 46; /* far above anything mapped */
	for (int i = 0; i < 100; i++)        /* warm up: the tracer's first tables */
		alloc_linked(link += 1 << 16);
	long before = vm_size_kb();
	double end = now_s() + 0.3;
	unsigned long walks = 0;
	while (now_s() < end) {
		alloc_linked(link += 1 << 16);
		walks++;
	}
	long grew = vm_size_kb() - before;
	printf("churn: %lu walks, address space grew %ld KB\n", walks, grew);
	if (before < 0 || grew > 8 * 1024)
		status = 1;
}

static void main_g(void *arg)
{
	const char *mode = arg;

	if (strcmp(mode, "deep") == 0)
		deep(DEEP_LEVELS);
	else if (strcmp(mode, "stale") == 0)
		stale_main();
	else if (strcmp(mode, "churn") == 0)
		churn_main();
	else
		status = 2;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: prog_gort_deep deep|stale|churn\n");
		return 2;
	}
	if (gort_main(main_g, argv[1]) != 0)
		return 1;
	return status;
}
