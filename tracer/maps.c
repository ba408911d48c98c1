/*
 * maps.c — the process's memory map, read from /proc/self/maps without
 * allocating (the tracer must not call malloc): a 4 KiB window slides over
 * the file, one line at a time.
 *
 * Two users: a thread's stack bounds (preload.c: the mapping that holds
 * the thread's stack pointer), and the writable mappings a goroutine's
 * stack segments live in (stacks.c: a frame-pointer walk through gort's
 * segmented stacks may only read memory it knows is mapped).  The latter is
 * a sorted snapshot, rebuilt when a walk meets an address outside it (gort
 * maps new segment pools rarely, and never unmaps them), and published with
 * a release store; old snapshots are kept, since a walk may still read one.
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

/* ---- the writable-mappings snapshot --------------------------------------- */

#define MAX_RANGES 8192u

struct ranges {
	uint32_t n;
	struct {
		uintptr_t lo, hi;
	} r[MAX_RANGES];
};

static struct ranges *current; /* published */
static esc_spin refresh_spin;
static uint64_t last_refresh;
static uint32_t refreshes;

static bool add_rw(uintptr_t lo, uintptr_t hi, const char *perms, void *arg)
{
	struct ranges *rs = arg;
	if (perms[0] != 'r' || perms[1] != 'w')
		return false;
	if (rs->n > 0 && rs->r[rs->n - 1].hi == lo) { /* merge neighbours */
		rs->r[rs->n - 1].hi = hi;
		return false;
	}
	if (rs->n == MAX_RANGES)
		return true;
	rs->r[rs->n].lo = lo;
	rs->r[rs->n].hi = hi;
	rs->n++;
	return false;
}

static bool lookup(const struct ranges *rs, uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	uint32_t a = 0, b = rs != NULL ? rs->n : 0;

	while (a < b) {
		uint32_t m = (a + b) / 2;
		if (addr < rs->r[m].lo)
			b = m;
		else if (addr >= rs->r[m].hi)
			a = m + 1;
		else {
			*lo = rs->r[m].lo;
			*hi = rs->r[m].hi;
			return true;
		}
	}
	return false;
}

bool maps_writable(uintptr_t addr, uintptr_t *lo, uintptr_t *hi)
{
	if (lookup(__atomic_load_n(&current, __ATOMIC_ACQUIRE), addr, lo, hi))
		return true;
	/* Unknown: rebuild the snapshot.  A walk that follows a garbage link
	 * asks too, so after the first 64 rebuilds (a program's start, when
	 * mappings are new) at most one per ~1 ms (2^22 ticks). */
	uint64_t now = esc_ticks();
	if (__atomic_load_n(&refreshes, __ATOMIC_RELAXED) >= 64 &&
	    now - __atomic_load_n(&last_refresh, __ATOMIC_RELAXED) < (1u << 22))
		return false;
	spin_lock(&refresh_spin);
	last_refresh = now;
	refreshes++;
	struct ranges *rs = arena_alloc(sizeof *rs);
	if (rs != NULL) {
		KEEP_ERRNO(maps_foreach(add_rw, rs));
		__atomic_store_n(&current, rs, __ATOMIC_RELEASE);
	}
	spin_unlock(&refresh_spin);
	return lookup(rs, addr, lo, hi);
}
