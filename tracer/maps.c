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
 * gort_stack_segment).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Call fn(lo, hi, perms, arg) for each mapping until it returns true. */
static bool maps_foreach(bool (*fn)(uintptr_t, uintptr_t, const char *, void *), void *arg)
{
	char buf[4096];
	size_t have = 0;
	bool stopped = false;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while (!stopped) {
		ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		char *line = buf, *nl;
		while (!stopped && (nl = memchr(line, '\n', have - (size_t)(line - buf))) != NULL) {
			char *end;
			uintptr_t a = strtoull(line, &end, 16), b = 0;
			if (*end == '-')
				b = strtoull(end + 1, &end, 16);
			stopped = fn(a, b, *end == ' ' ? end + 1 : end, arg);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	close(fd);
	return stopped;
}

struct find {
	uintptr_t addr, lo, hi;
};

static bool find_one(uintptr_t lo, uintptr_t hi, const char *perms, void *arg)
{
	struct find *f = arg;
	(void)perms;
	if (f->addr < lo || f->addr >= hi)
		return false;
	f->lo = lo;
	f->hi = hi;
	return true;
}

bool maps_find(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	struct find f = {addr, 0, 0};

	if (!maps_foreach(find_one, &f))
		return false;
	*lo = f.lo;
	*hi = f.hi;
	return true;
}
