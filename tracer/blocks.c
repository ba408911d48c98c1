/*
 * blocks.c — the live blocks: address -> (block id, allocating frame).
 *
 * A free names its block by the allocating thread and sequence number, and
 * carries the escape verdict's evidence (was the allocating frame still
 * live?), so the tracer must find, from an address, what it recorded when
 * the block was made.  This is that map.
 *
 * It is split into STRIPES independent open-addressing tables selected by
 * the address's hash, each behind its own spinlock: threads freeing
 * different blocks rarely meet, and there is no global lock.  Linear
 * probing with backward-shift deletion keeps tables free of tombstones.
 * A table doubles (memory from arena.c) past half full.  Inserting an
 * address that is present replaces the entry: the old block's free was
 * missed (a signal handler's, counted as lost), and the address is the new
 * block's now.
 */
#include <string.h>

#include "internal.h"

#define STRIPES   64u
#define MIN_SLOTS 256u

struct entry {
	uintptr_t addr; /* 0: empty */
	struct block_info b;
};

struct stripe {
	esc_spin lock;
	uint32_t count, cap; /* cap: power of two */
	struct entry *slots;
} __attribute__((aligned(64)));

static struct stripe stripes[STRIPES];

static inline uint64_t hash_addr(uintptr_t a)
{
	uint64_t h = (uint64_t)a * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

static inline struct stripe *stripe_of(uint64_t h)
{
	return &stripes[h >> 58 & (STRIPES - 1)];
}

/* Re-home every entry into a table of `cap` slots. */
static bool resize(struct stripe *s, uint32_t cap)
{
	struct entry *n = arena_alloc((size_t)cap * sizeof *n);

	if (n == NULL)
		return false;
	for (uint32_t i = 0; i < s->cap; i++) {
		struct entry *e = &s->slots[i];
		if (e->addr == 0)
			continue;
		uint32_t j = (uint32_t)hash_addr(e->addr) & (cap - 1);
		while (n[j].addr != 0)
			j = (j + 1) & (cap - 1);
		n[j] = *e;
	}
	arena_free(s->slots, (size_t)s->cap * sizeof *s->slots);
	s->slots = n;
	s->cap = cap;
	return true;
}

void blocks_insert(uintptr_t addr, const struct block_info *b)
{
	uint64_t h = hash_addr(addr);
	struct stripe *s = stripe_of(h);

	spin_lock(&s->lock);
	if ((s->count + 1) * 2 > s->cap && !resize(s, s->cap ? s->cap * 2 : MIN_SLOTS)) {
		spin_unlock(&s->lock);
		return;
	}
	uint32_t i = (uint32_t)h & (s->cap - 1);
	while (s->slots[i].addr != 0 && s->slots[i].addr != addr)
		i = (i + 1) & (s->cap - 1);
	if (s->slots[i].addr == 0)
		s->count++;
	s->slots[i].addr = addr;
	s->slots[i].b = *b;
	spin_unlock(&s->lock);
}

bool blocks_remove(uintptr_t addr, struct block_info *out)
{
	uint64_t h = hash_addr(addr);
	struct stripe *s = stripe_of(h);
	bool found = false;

	spin_lock(&s->lock);
	if (s->cap == 0)
		goto out;
	uint32_t mask = s->cap - 1, i = (uint32_t)h & mask;
	while (s->slots[i].addr != addr) {
		if (s->slots[i].addr == 0)
			goto out;
		i = (i + 1) & mask;
	}
	*out = s->slots[i].b;
	found = true;
	s->count--;
	/* Backward-shift deletion: pull later members of the run into the hole. */
	for (uint32_t j = (i + 1) & mask; s->slots[j].addr != 0; j = (j + 1) & mask) {
		uint32_t home = (uint32_t)hash_addr(s->slots[j].addr) & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			s->slots[i] = s->slots[j];
			i = j;
		}
	}
	s->slots[i].addr = 0;
out:
	spin_unlock(&s->lock);
	return found;
}

void blocks_lock_all(void)
{
	for (unsigned i = 0; i < STRIPES; i++)
		spin_lock(&stripes[i].lock);
}

void blocks_unlock_all(void)
{
	for (unsigned i = 0; i < STRIPES; i++)
		spin_unlock(&stripes[i].lock);
}

/* Fork child: blocks the parent made are unknown to the child's trace. */
void blocks_reset(void)
{
	for (unsigned i = 0; i < STRIPES; i++) {
		struct stripe *s = &stripes[i];
		if (s->slots != NULL)
			memset(s->slots, 0, (size_t)s->cap * sizeof *s->slots);
		s->count = 0;
		s->lock.v = 0;
	}
}
