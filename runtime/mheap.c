/*
 * mheap.c — the page heap (Go's mheap.go): runs of 8 KB pages for spans.
 *
 * Address space comes from the OS in arenas of 64 MB (mem.c), committed
 * lazily by the kernel and backed by transparent huge pages where the
 * system allows (the collector's walk over a big heap is otherwise bound by
 * TLB misses).  Every arena has a heap_arena with a page -> span map;
 * arenas are found through mheap_arenas, a flat index of 2^22 pointers
 * covering the 48-bit address space (itself a lazily committed mapping, so
 * it costs a few pages).  span_of() (internal.h) is thus a range check, two
 * loads and a state check: the collector does it for every word it scans.
 *
 * Free page runs are spans too (state MSPAN_FREE), kept in lists by size
 * (free[n] for n < FREE_LISTS pages, one list above that, best fit) and
 * coalesced with free neighbours when they are freed (as Go's mheap did up
 * to 1.11).  A page's map entry is NULL or names a span that covers it: an
 * in-use span maps every page, so that interior pointers find their object;
 * a free span maps only its first and last page, which is what merging
 * needs.  span_of() then only has to check the span's state.
 *
 * The heap grows in steps of 4 MB carved from the current arena: heap_sys
 * counts those steps, not the arena reservations.  Fresh pages are zero,
 * and whether a span's pages are fresh is a property of the address, not
 * of the free span they were found in (free neighbours merge, fresh with
 * used): as in Go, each arena keeps zeroed_base, the end of the highest
 * range it ever handed out.  A span is written by the allocator only up to
 * that mark (needzero, and the dirty prefix a large object clears); pages
 * above it are left to the kernel to zero on first touch.
 *
 * Span structures (with their two 1024-bit object bitmaps) come from a
 * private pool and are never returned to the OS; allspans lists every one
 * so that the sweeper can walk the heap.  All of this runs under
 * mheap_lock.
 */
#include "internal.h"

#define FREE_LISTS 128
#define GROW_PAGES 512 /* 4 MB */

heap_arena **mheap_arenas;
uintptr_t mheap_arena_lo, mheap_arena_hi; /* empty until the first arena */
uint64_t mheap_pages_inuse, mheap_pages_sys;

static spinlock mheap_lock;
static mspan free_lists[FREE_LISTS + 1];        /* list heads; [FREE_LISTS] = large */
static uint64_t free_nonempty[FREE_LISTS / 64]; /* bit n: free_lists[n] has a span */
static uintptr_t cur_base, cur_end;             /* unused part of the current arena */

/* A span with room for two bitmaps of MAX_SPAN_OBJECTS bits. */
typedef struct span_block {
	mspan span;
	uint64_t bits[2][SPAN_BITMAP_WORDS];
} span_block;

static mspan *span_pool;                 /* recycled span structures */
static span_block *pool_next, *pool_end; /* uncarved part of the pool chunk */
static mspan **allspans;
static size_t nallspans, allspans_cap;

static void list_init(mspan *head)
{
	head->next = head->prev = head;
}

static void list_insert(mspan *head, mspan *s)
{
	s->next = head->next;
	s->prev = head;
	head->next->prev = s;
	head->next = s;
}

static void list_remove(mspan *s)
{
	s->prev->next = s->next;
	s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

void mheap_init(void)
{
	size_t n = ((size_t)1 << ARENA_INDEX_BITS) * sizeof(heap_arena *);

	mheap_arenas = sys_reserve(n, 0);
	for (int i = 0; i <= FREE_LISTS; i++)
		list_init(&free_lists[i]);
}

static void allspans_add(mspan *s)
{
	if (nallspans == allspans_cap) {
		size_t oldn = allspans_cap * sizeof *allspans;
		allspans_cap = allspans_cap ? allspans_cap * 2 : 4096;
		size_t newn = allspans_cap * sizeof *allspans;
		allspans = oldn ? sys_grow(allspans, oldn, newn) : sys_reserve(newn, 0);
	}
	allspans[nallspans++] = s;
}

static mspan *span_new(void)
{
	mspan *s = span_pool;

	if (s != NULL) {
		span_pool = s->next;
	} else {
		if (pool_next == pool_end) {
			size_t n = 1024;
			pool_next = sys_reserve(n * sizeof(span_block), 0);
			pool_end = pool_next + n;
		}
		span_block *b = pool_next++;
		s = &b->span;
		s->alloc_bits = b->bits[0];
		s->gcmark_bits = b->bits[1];
		allspans_add(s);
	}
	uint64_t *a = s->alloc_bits, *m = s->gcmark_bits;
	*s = (mspan){0};
	s->alloc_bits = a;
	s->gcmark_bits = m;
	return s;
}

static void span_recycle(mspan *s)
{
	s->state = MSPAN_DEAD;
	s->next = span_pool;
	span_pool = s;
}

/* The span whose map entry covers page address p, whatever its state. */
static mspan *span_at(uintptr_t p)
{
	if (p < mheap_arena_lo || p >= mheap_arena_hi)
		return NULL;
	heap_arena *ha = mheap_arenas[p >> ARENA_SHIFT];
	return ha ? ha->spans[(p >> PAGE_SHIFT) % PAGES_PER_ARENA] : NULL;
}

static void map_page(uintptr_t p, mspan *s)
{
	mheap_arenas[p >> ARENA_SHIFT]->spans[(p >> PAGE_SHIFT) % PAGES_PER_ARENA] = s;
}

static uintptr_t span_end(const mspan *s)
{
	return s->base + s->npages * PAGE_SIZE;
}

static unsigned free_list_index(size_t npages)
{
	return npages < FREE_LISTS ? (unsigned)npages : FREE_LISTS;
}

static void free_insert(mspan *s)
{
	unsigned i = free_list_index(s->npages);

	list_insert(&free_lists[i], s);
	if (i < FREE_LISTS)
		free_nonempty[i / 64] |= (uint64_t)1 << (i % 64);
}

static void free_remove(mspan *s)
{
	unsigned i = free_list_index(s->npages);

	list_remove(s);
	if (i < FREE_LISTS && free_lists[i].next == &free_lists[i])
		free_nonempty[i / 64] &= ~((uint64_t)1 << (i % 64));
}

/* Put a free span in its list, merging it with free neighbours.  Only the
 * first and last page of a free span stay mapped (to it): every other entry
 * in its range is cleared, so that no entry ever names a span that does not
 * cover its page (see span_of). */
static void free_locked(mspan *s)
{
	for (uintptr_t p = s->base + PAGE_SIZE; p + PAGE_SIZE < span_end(s); p += PAGE_SIZE)
		map_page(p, NULL);
	mspan *b = span_at(s->base - 1);
	if (b != NULL && b->state == MSPAN_FREE && span_end(b) == s->base) {
		free_remove(b);
		map_page(s->base, NULL);
		map_page(s->base - PAGE_SIZE, NULL);
		s->base = b->base;
		s->npages += b->npages;
		span_recycle(b);
	}
	mspan *a = span_at(span_end(s));
	if (a != NULL && a->state == MSPAN_FREE && a->base == span_end(s)) {
		free_remove(a);
		map_page(span_end(s) - PAGE_SIZE, NULL);
		map_page(a->base, NULL);
		s->npages += a->npages;
		span_recycle(a);
	}
	s->state = MSPAN_FREE;
	s->spanclass = 0;
	map_page(s->base, s);
	map_page(span_end(s) - PAGE_SIZE, s);
	free_insert(s);
}

static void arena_register(uintptr_t base, size_t size)
{
	for (uintptr_t a = base; a < base + size; a += ARENA_SIZE)
		mheap_arenas[a >> ARENA_SHIFT] = sys_reserve(sizeof(heap_arena), 0);
	if (mheap_arena_hi == 0 || base < mheap_arena_lo)
		mheap_arena_lo = base;
	if (base + size > mheap_arena_hi)
		mheap_arena_hi = base + size;
}

/* Add at least npages fresh pages to the free lists. */
static void grow(size_t npages)
{
	size_t ask = (npages + GROW_PAGES - 1) / GROW_PAGES * GROW_PAGES * PAGE_SIZE;

	if (cur_end - cur_base < ask) {
		size_t size = (ask + ARENA_SIZE - 1) & ~(ARENA_SIZE - 1);
		uintptr_t a = (uintptr_t)sys_reserve(size, ARENA_SIZE);
		sys_hugepages((void *)a, size);
		arena_register(a, size);
		if (a != cur_end) {
			if (cur_end > cur_base) {
				/* The rest of the old arena becomes a free span. */
				mspan *s = span_new();
				s->base = cur_base;
				s->npages = (cur_end - cur_base) / PAGE_SIZE;
				mheap_pages_sys += s->npages;
				free_locked(s);
			}
			cur_base = a;
		}
		cur_end = a + size;
	}
	mspan *s = span_new();
	s->base = cur_base;
	s->npages = ask / PAGE_SIZE;
	cur_base += ask;
	mheap_pages_sys += s->npages;
	free_locked(s);
}

static mspan *find_free(size_t npages)
{
	/* The smallest non-empty exact-size list that fits, by bitmap. */
	for (size_t n = npages; n < FREE_LISTS; n = (n / 64 + 1) * 64) {
		uint64_t bits = free_nonempty[n / 64] & (~(uint64_t)0 << (n % 64));
		if (bits != 0)
			return free_lists[n / 64 * 64 + (unsigned)__builtin_ctzll(bits)].next;
	}
	mspan *best = NULL, *head = &free_lists[FREE_LISTS];
	for (mspan *s = head->next; s != head; s = s->next)
		if (s->npages >= npages && (best == NULL || s->npages < best->npages ||
		                            (s->npages == best->npages && s->base < best->base)))
			best = s;
	return best;
}

/* How many bytes from base may hold garbage: up to the last arena's
 * zeroed_base that the run [base, end) starts below.  Moves the marks up. */
static size_t dirty_prefix(uintptr_t base, uintptr_t end)
{
	uintptr_t dirty_end = base;

	for (uintptr_t a = base & ~(ARENA_SIZE - 1); a < end; a += ARENA_SIZE) {
		heap_arena *ha = mheap_arenas[a >> ARENA_SHIFT];
		uintptr_t lo = a > base ? a : base;
		uintptr_t hi = a + ARENA_SIZE < end ? a + ARENA_SIZE : end;
		if (lo < ha->zeroed_base)
			dirty_end = hi < ha->zeroed_base ? hi : ha->zeroed_base;
		if (hi > ha->zeroed_base)
			ha->zeroed_base = hi;
	}
	return dirty_end - base;
}

mspan *mheap_alloc(size_t npages, uint8_t spanclass, size_t *dirty)
{
	spin_lock(&mheap_lock);
	mspan *s = find_free(npages);
	if (s == NULL) {
		grow(npages);
		s = find_free(npages);
	}
	free_remove(s);
	if (s->npages > npages) {
		mspan *rest = span_new();
		rest->base = s->base + npages * PAGE_SIZE;
		rest->npages = s->npages - npages;
		s->npages = npages;
		rest->state = MSPAN_FREE;
		map_page(rest->base, rest);
		map_page(span_end(rest) - PAGE_SIZE, rest);
		free_insert(rest);
	}
	s->state = MSPAN_INUSE;
	s->spanclass = spanclass;
	for (uintptr_t p = s->base; p < span_end(s); p += PAGE_SIZE)
		map_page(p, s);
	mheap_pages_inuse += npages;
	*dirty = dirty_prefix(s->base, span_end(s));
	s->needzero = *dirty != 0;
	spin_unlock(&mheap_lock);
	return s;
}

void mheap_free(mspan *s)
{
	spin_lock(&mheap_lock);
	mheap_pages_inuse -= s->npages;
	free_locked(s);
	spin_unlock(&mheap_lock);
}

void mheap_foreach_inuse(void (*fn)(mspan *s, void *arg), void *arg)
{
	/* fn may free spans (merging frees recycles structures, never adds
	 * any), so allspans does not change under the walk. */
	for (size_t i = 0; i < nallspans; i++)
		if (allspans[i]->state == MSPAN_INUSE)
			fn(allspans[i], arg);
}

/* Check the page map's invariant over the whole heap (for tests): every
 * entry is NULL or names a live span that covers its page; in-use spans map
 * all their pages, free spans their first and last. */
bool mheap_verify(void)
{
	bool ok = true;

	spin_lock(&mheap_lock);
	for (uintptr_t a = mheap_arena_lo; a < mheap_arena_hi; a += ARENA_SIZE) {
		if (mheap_arenas[a >> ARENA_SHIFT] == NULL)
			continue;
		for (uintptr_t p = a; p < a + ARENA_SIZE; p += PAGE_SIZE) {
			mspan *s = span_at(p);
			if (s != NULL &&
			    (s->state == MSPAN_DEAD || p < s->base || p >= span_end(s)))
				ok = false;
		}
	}
	for (size_t i = 0; i < nallspans; i++) {
		mspan *s = allspans[i];
		if (s->state == MSPAN_INUSE) {
			for (uintptr_t p = s->base; p < span_end(s); p += PAGE_SIZE)
				ok &= span_at(p) == s;
		} else if (s->state == MSPAN_FREE) {
			ok &= span_at(s->base) == s && span_at(span_end(s) - PAGE_SIZE) == s;
		}
	}
	spin_unlock(&mheap_lock);
	return ok;
}
