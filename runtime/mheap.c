/*
 * mheap.c — the page heap (Go's mheap.go): runs of 8 KB pages for spans,
 * and the scavenger that gives free pages back to the OS (mgcscavenge.go).
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
 * range it ever handed out.
 *
 * Scavenging.  A free page below zeroed_base is committed memory that
 * holds garbage, unless the scavenger released it: madvise(MADV_DONTNEED)
 * drops the page and the next read of it maps the zero page, so a released
 * page is as zero as a fresh one (MADV_FREE would not do: its pages may come
 * back with their old contents).  Each arena keeps a bitmap of its released
 * pages (Go's pallocData.scavenged), set only on free pages and cleared when
 * a span takes them.  A page is thus "scavenged" when it is free and either
 * fresh (at or above zeroed_base) or released: it is zero and costs no RAM.
 * Each free span counts its scavenged pages (merges add the counts, a split
 * counts the pages it takes), and mheap_pages_released is their sum, Go's
 * HeapReleased: heap_sys minus it is what the heap keeps committed, found
 * without a walk.
 *
 * Allocation reports the zeroing a span needs as a prefix (*dirty, the end
 * of its last page that is neither fresh nor released: everything past it
 * is zero); malloc.c and mcentral.c write only up to there, and a span made
 * of scavenged pages needs no zeroing at all.  Released pages inside the
 * prefix are zeroed again (correct, and rare: see below).
 *
 * The scavenger runs at the end of each collection (mgc.c says how much the
 * heap may keep) and from gort_free_os_memory (keep nothing free).  It takes
 * the large free runs first (the list of runs of FREE_LISTS pages or more,
 * oldest first), then the exact-size lists from the largest down, and
 * releases each run from its end towards its base: allocation carves spans
 * from a free run's base, so the dirty front of a partly released run is
 * reused first and the prefix above stays exact.  It walks free spans only
 * when there is something to release, and stops once enough is: when the
 * heap is within its target a collection pays one comparison.  It never
 * touches an in-use span.  (With THP, khugepaged may later collapse a
 * 2 MB range that has a few committed pages back into a huge page; the
 * contents stay zero, the RSS grows back slowly.  Go met the same.)
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
uint64_t mheap_pages_inuse, mheap_pages_sys, mheap_pages_released;

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

static heap_arena *arena_of(uintptr_t p)
{
	return mheap_arenas[p >> ARENA_SHIFT];
}

/* Page p's bit in its arena's scavenged bitmap. */
static uint64_t *scav_word(heap_arena *ha, uintptr_t p, uint64_t *bit)
{
	size_t i = (p >> PAGE_SHIFT) % PAGES_PER_ARENA;

	*bit = (uint64_t)1 << (i % 64);
	return &ha->scavenged[i / 64];
}

/* Is free page p zero and uncommitted: fresh, or released? */
static bool page_scavenged(uintptr_t p)
{
	heap_arena *ha = arena_of(p);
	uint64_t bit;

	return p >= ha->zeroed_base || (*scav_word(ha, p, &bit) & bit) != 0;
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
		s->scavenged += b->scavenged;
		span_recycle(b);
	}
	mspan *a = span_at(span_end(s));
	if (a != NULL && a->state == MSPAN_FREE && a->base == span_end(s)) {
		free_remove(a);
		map_page(span_end(s) - PAGE_SIZE, NULL);
		map_page(a->base, NULL);
		s->npages += a->npages;
		s->scavenged += a->scavenged;
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

/* A run of pages new to the heap becomes a free span: never handed out,
 * so all of it is scavenged (zero, not committed). */
static void add_fresh(mspan *s)
{
	s->scavenged = (uint32_t)s->npages;
	mheap_pages_sys += s->npages;
	mheap_pages_released += s->npages;
	free_locked(s);
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
				add_fresh(s);
			}
			cur_base = a;
		}
		cur_end = a + size;
	}
	mspan *s = span_new();
	s->base = cur_base;
	s->npages = ask / PAGE_SIZE;
	cur_base += ask;
	add_fresh(s);
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

/* take_pages within one arena: [lo, hi) below zeroed_base are committed
 * unless released, at and above it they are fresh (no bit is ever set
 * there).  Returns the end of the last page that may hold garbage (lo if
 * none) and adds the scavenged pages to *nscav.  The bitmap is read only
 * when the arena has released pages at all (nreleased): allocation from
 * an arena the scavenger left alone costs what it did before it. */
static inline __attribute__((always_inline)) uintptr_t
take_arena_pages(heap_arena *ha, uintptr_t lo, uintptr_t hi, size_t *nscav)
{
	uintptr_t zb = ha->zeroed_base;
	uintptr_t mid = zb < lo ? lo : zb > hi ? hi : zb;
	uintptr_t dirty_end = mid;
	size_t n = (hi - mid) / PAGE_SIZE;

	if (unlikely(ha->nreleased != 0)) {
		dirty_end = lo;
		for (uintptr_t p = lo; p < mid; p += PAGE_SIZE) {
			uint64_t bit, *w = scav_word(ha, p, &bit);
			if (*w & bit) {
				*w &= ~bit;
				ha->nreleased--;
				n++;
			} else {
				dirty_end = p + PAGE_SIZE;
			}
		}
	}
	*nscav += n;
	if (hi > zb)
		ha->zeroed_base = hi;
	return dirty_end;
}

/* Hand out the free pages [base, end): their released bits are cleared
 * and the arenas' zeroed_base marks move up past them.  Returns how many
 * bytes from base may hold garbage: up to the end of the last page that is
 * neither fresh nor released.  *nscav = how many of the pages were
 * scavenged (either). */
static size_t take_pages(uintptr_t base, uintptr_t end, size_t *nscav)
{
	uintptr_t dirty_end = base;

	*nscav = 0;
	if (likely(end - (base & ~(ARENA_SIZE - 1)) <= ARENA_SIZE)) /* one arena */
		return take_arena_pages(arena_of(base), base, end, nscav) - base;
	for (uintptr_t lo = base; lo < end;) {
		uintptr_t hi = (lo & ~(ARENA_SIZE - 1)) + ARENA_SIZE;
		hi = hi < end ? hi : end;
		uintptr_t d = take_arena_pages(arena_of(lo), lo, hi, nscav);
		if (d > lo)
			dirty_end = d;
		lo = hi;
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
	size_t nscav;
	*dirty = take_pages(s->base, s->base + npages * PAGE_SIZE, &nscav);
	mheap_pages_released -= nscav;
	if (s->npages > npages) {
		mspan *rest = span_new();
		rest->base = s->base + npages * PAGE_SIZE;
		rest->npages = s->npages - npages;
		rest->scavenged = s->scavenged - (uint32_t)nscav;
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
	s->scavenged = 0;
	mheap_pages_inuse += npages;
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

/* ---- The scavenger ------------------------------------------------------ */

static bool scavenge_broken; /* madvise refused once (mlocked heap?): stop */

/* The lowest address below hi (a free page's end) from which every page up
 * to hi is scavenged, down to lo at most: fresh tails are skipped an arena
 * at a time. */
static uintptr_t skip_scavenged(uintptr_t lo, uintptr_t hi)
{
	while (hi > lo) {
		uintptr_t p = hi - PAGE_SIZE;
		heap_arena *ha = arena_of(p);
		if (p >= ha->zeroed_base) {
			uintptr_t floor = ha->zeroed_base > (p & ~(ARENA_SIZE - 1))
			                          ? ha->zeroed_base
			                          : p & ~(ARENA_SIZE - 1);
			hi = floor > lo ? floor : lo;
		} else if (page_scavenged(p)) {
			hi = p;
		} else {
			break;
		}
	}
	return hi;
}

/* Release up to want pages of the free span s, from its end towards its
 * base, one madvise per run of pages not yet scavenged.  Returns how many. */
static size_t scavenge_span(mspan *s, size_t want)
{
	size_t got = 0;
	uintptr_t hi = span_end(s);

	while (got < want && !scavenge_broken) {
		hi = skip_scavenged(s->base, hi);
		uintptr_t lo = hi;
		size_t n = 0;
		while (lo > s->base && got + n < want && !page_scavenged(lo - PAGE_SIZE)) {
			lo -= PAGE_SIZE;
			n++;
		}
		if (n == 0)
			break;
		if (!sys_unused((void *)lo, hi - lo)) {
			scavenge_broken = true;
			break;
		}
		for (uintptr_t p = lo; p < hi; p += PAGE_SIZE) {
			heap_arena *ha = arena_of(p);
			uint64_t bit, *w = scav_word(ha, p, &bit);
			*w |= bit;
			ha->nreleased++;
		}
		got += n;
		hi = lo;
	}
	s->scavenged += (uint32_t)got;
	mheap_pages_released += got;
	return got;
}

uint64_t mheap_scavenge(uint64_t retain)
{
	spin_lock(&mheap_lock);
	uint64_t kept = mheap_pages_sys - mheap_pages_released;
	uint64_t free_kept = kept - mheap_pages_inuse; /* what can go */
	uint64_t want = kept * PAGE_SIZE > retain
	                        ? (kept * PAGE_SIZE - retain + PAGE_SIZE - 1) / PAGE_SIZE
	                        : 0;
	size_t got = 0;

	if (want > free_kept)
		want = free_kept;
	/* The large runs, oldest first, then the exact sizes, largest first. */
	for (unsigned i = FREE_LISTS; i > 0 && got < want && !scavenge_broken; i--) {
		if (i < FREE_LISTS && (free_nonempty[i / 64] >> (i % 64) & 1) == 0)
			continue;
		mspan *head = &free_lists[i];
		for (mspan *s = head->prev; s != head && got < want; s = s->prev)
			if (s->scavenged < s->npages)
				got += scavenge_span(s, want - got);
	}
	spin_unlock(&mheap_lock);
	return (uint64_t)got * PAGE_SIZE;
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
 * all their pages, free spans their first and last.  And the scavenger's
 * books: no in-use page is marked released, each free span's count is what
 * its pages say, and the counts add up to mheap_pages_released. */
bool mheap_verify(void)
{
	bool ok = true;

	spin_lock(&mheap_lock);
	for (uintptr_t a = mheap_arena_lo; a < mheap_arena_hi; a += ARENA_SIZE) {
		heap_arena *ha = mheap_arenas[a >> ARENA_SHIFT];
		if (ha == NULL)
			continue;
		size_t nbits = 0;
		for (uintptr_t p = a; p < a + ARENA_SIZE; p += PAGE_SIZE) {
			mspan *s = span_at(p);
			if (s != NULL &&
			    (s->state == MSPAN_DEAD || p < s->base || p >= span_end(s)))
				ok = false;
			uint64_t bit, *w = scav_word(ha, p, &bit);
			nbits += (*w & bit) != 0;
		}
		ok &= nbits == ha->nreleased;
	}
	uint64_t released = 0;
	for (size_t i = 0; i < nallspans; i++) {
		mspan *s = allspans[i];
		if (s->state == MSPAN_INUSE) {
			for (uintptr_t p = s->base; p < span_end(s); p += PAGE_SIZE) {
				uint64_t bit, *w = scav_word(arena_of(p), p, &bit);
				ok &= span_at(p) == s && (*w & bit) == 0;
			}
		} else if (s->state == MSPAN_FREE) {
			ok &= span_at(s->base) == s && span_at(span_end(s) - PAGE_SIZE) == s;
			size_t n = 0;
			for (uintptr_t p = s->base; p < span_end(s); p += PAGE_SIZE)
				n += page_scavenged(p);
			ok &= n == s->scavenged;
			released += n;
		}
	}
	ok &= released == mheap_pages_released;
	spin_unlock(&mheap_lock);
	return ok;
}
