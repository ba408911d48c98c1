/*
 * maps.c — the process's memory map: which mapping holds an address,
 * without allocating (the tracer must not call malloc).
 *
 * Linux 6.11 answers that directly: the PROCMAP_QUERY ioctl on
 * /proc/self/maps returns the mapping that covers an address, with no
 * text formatted.  Older kernels say ENOTTY, and then a 4 KiB window
 * slides over the file's text, one line at a time.
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
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

/* The kernel formats as many lines as a read asks bytes for, and that is
 * most of the cost: a thread's stack is usually among the first dozen
 * lines, so small reads halve the time to find it (16 us against 30 us
 * with 4 KiB reads, in a traced process). */
#define MAPS_READ 1024

/* struct procmap_query of <linux/fs.h> (Linux 6.11), spelled out: the
 * headers we build with may predate it.  No query flags: the mapping must
 * cover the address. */
struct procmap_query_abi {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
_Static_assert(sizeof(struct procmap_query_abi) == 104, "struct procmap_query is 104 bytes");
#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query_abi)

/* 1: found, 0: not mapped, -1: the kernel cannot say this way. */
static int query(int fd, uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	struct procmap_query_abi q;

	memset(&q, 0, sizeof q);
	q.size = sizeof q;
	q.query_addr = addr;
	if (ioctl(fd, PROCMAP_QUERY_IOCTL, &q) == 0) {
		*lo = (uintptr_t)q.vma_start;
		*hi = (uintptr_t)q.vma_end;
		return 1;
	}
	return errno == ENOENT ? 0 : -1;
}

/* The lines come sorted by address: the search ends at the first mapping
 * that holds addr, or that starts above it. */
bool maps_find(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	char buf[4096];
	size_t have = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	int found = query(fd, addr, lo, hi); /* -1: still looking */
	while (found < 0) {
		size_t room = sizeof buf - 1 - have;
		ssize_t n = read(fd, buf + have, room < MAPS_READ ? room : MAPS_READ);
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
