/*
 * mem.c — memory from the operating system for the heap (Go's mem_linux.go).
 *
 * The heap asks for address space in large pieces (arenas of 64 MB, the
 * arena index, the mark stack) and relies on Linux to commit pages lazily:
 * mappings are anonymous, private and MAP_NORESERVE, so untouched pages cost
 * nothing and read as zero.  That is why memory fresh from the OS is never
 * zeroed again (see mspan.needzero).  Arenas are advised to use transparent
 * huge pages.
 *
 * The scavenger (mheap.c) gives free pages back with sys_unused:
 * MADV_DONTNEED, after which the kernel drops the pages and maps the zero
 * page on the next read, so a released page is as good as a fresh one.
 * (MADV_FREE is cheaper but may leave the old contents in place, which
 * would break "released pages are zero"; Go too uses MADV_DONTNEED on
 * Linux by default.)  The mapping stays: the address space is the heap's
 * for good, and touching a released page commits it again, with no call.
 *
 * These are slow paths: they may call libc.  Failure is fatal, as in Go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "internal.h"

static void *map_anon(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	               -1, 0);
	if (p == MAP_FAILED)
		fatal_error("out of memory: cannot map %zu bytes: %s", n, strerror(errno));
	return p;
}

void *sys_reserve(size_t n, size_t align)
{
	if (align <= 4096)
		return map_anon(n);
	/* Over-map, then trim both ends to the alignment. */
	uintptr_t p = (uintptr_t)map_anon(n + align);
	uintptr_t q = (p + align - 1) & ~(uintptr_t)(align - 1);
	if (q > p)
		munmap((void *)p, q - p);
	if (q + n < p + n + align)
		munmap((void *)(q + n), p + n + align - (q + n));
	return (void *)q;
}

void sys_hugepages(void *p, size_t n)
{
	madvise(p, n, MADV_HUGEPAGE); /* advice only: fine if THP is off */
}

bool sys_unused(void *p, size_t n)
{
	return madvise(p, n, MADV_DONTNEED) == 0;
}

void *sys_grow(void *p, size_t oldn, size_t newn)
{
	void *q = mremap(p, oldn, newn, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		fatal_error("out of memory: cannot grow a %zu-byte mapping to %zu bytes: %s", oldn,
		            newn, strerror(errno));
	return q;
}

uint64_t nanotime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
