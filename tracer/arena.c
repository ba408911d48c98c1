/*
 * arena.c — the tracer's own memory, never the program's malloc.
 *
 * The tracer must leave the program's heap figures exactly as they would be
 * without it, so every byte it keeps (thread states, stack tables, the block
 * table, zlib's state at exit) comes from here.  Small requests (up to
 * 64 KiB) are rounded to a power of two and served from per-size free lists
 * refilled by bumping through 1 MiB regions mapped with mmap; larger ones
 * are mappings of their own.  All of it is rare (tables grow by doubling,
 * threads start seldom), so one spinlock guards it: the hot path never
 * comes here.  Memory is zeroed on return, as fresh mappings are.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

#define REGION_SIZE (1u << 20)
#define SMALL_MAX   (64u * 1024u)
#define MIN_SHIFT   4  /* 16 bytes */
#define NCLASSES    13 /* 16 B ... 64 KiB */

struct free_obj {
	struct free_obj *next;
};

static esc_spin arena_spin;
static struct free_obj *free_lists[NCLASSES];
static uint8_t *bump, *bump_end;

static unsigned size_class(size_t size)
{
	unsigned c = 0;

	while (((size_t)1 << (c + MIN_SHIFT)) < size)
		c++;
	return c;
}

static void *map_pages(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static size_t page_round(size_t size)
{
	return (size + 4095) & ~(size_t)4095;
}

void *arena_alloc(size_t size)
{
	if (size > SMALL_MAX)
		return map_pages(page_round(size));
	unsigned c = size_class(size ? size : 1);
	size_t csize = (size_t)1 << (c + MIN_SHIFT);
	void *p = NULL;

	spin_lock(&arena_spin);
	if (free_lists[c] != NULL) {
		struct free_obj *o = free_lists[c];
		free_lists[c] = o->next;
		p = o;
	} else {
		if ((size_t)(bump_end - bump) < csize) {
			uint8_t *r = map_pages(REGION_SIZE);
			if (r != NULL) {
				bump = r;
				bump_end = r + REGION_SIZE;
			}
		}
		if ((size_t)(bump_end - bump) >= csize) {
			p = bump;
			bump += csize;
		}
	}
	spin_unlock(&arena_spin);
	if (p != NULL)
		memset(p, 0, csize);
	return p;
}

void arena_free(void *p, size_t size)
{
	if (p == NULL)
		return;
	if (size > SMALL_MAX) {
		munmap(p, page_round(size));
		return;
	}
	unsigned c = size_class(size ? size : 1);
	struct free_obj *o = p;

	spin_lock(&arena_spin);
	o->next = free_lists[c];
	free_lists[c] = o;
	spin_unlock(&arena_spin);
}

void arena_lock_all(void)
{
	spin_lock(&arena_spin);
}

void arena_unlock_all(void)
{
	spin_unlock(&arena_spin);
}
