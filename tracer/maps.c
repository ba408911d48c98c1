/*
 * maps.c — the process's memory map, read from /proc/self/maps without
 * allocating (the tracer must not call malloc): a 4 KiB window slides over
 * the file, one line at a time.
 *
 * One user: a thread's stack bounds (preload.c: the mapping that holds the
 * thread's stack pointer), asked once per thread.  Nothing is cached: a
 * snapshot of the map goes stale as soon as anything is unmapped (a
 * thread's stack, a segment gort gives back), and a walk that trusted a
 * stale one could read an unmapped page.  Frame-pointer walks through
 * gort's stack segments ask the runtime instead (stacks.c,
 * gort_stack_segments).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* The lines come sorted by address: the search ends at the first mapping
 * that holds addr, or that starts above it. */
bool maps_find(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	char buf[4096];
	size_t have = 0;
	int found = -1; /* -1: still looking; 0: not mapped; 1: found */
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while (found < 0) {
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf, *nl;
		while (found < 0 &&
		       (nl = memchr(line, '\n', have - (size_t)(line - buf))) != NULL) {
			char *end;
			uintptr_t a = strtoull(line, &end, 16), b = 0;
			if (*end == '-')
				b = strtoull(end + 1, &end, 16);
			if (addr < a)
				found = 0;
			else if (addr < b) {
				*lo = a;
				*hi = b;
				found = 1;
			}
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	close(fd);
	return found > 0;
}
