/*
 * mcentral.c — the central free lists, one per size class (Go's
 * mcentral.go).
 *
 * An mcentral hands spans with free objects to the mcache and takes them
 * back when the mcache has used them up (or at a collection).  It keeps
 * only the spans that still have free objects (`partial`); full spans are
 * in no list: the sweeper finds every span through the page heap and puts
 * those it frees objects in back here (mcentral_put_swept), so a full span
 * costs nothing until a collection frees something in it.
 *
 * When no partial span is left, a new one comes from the page heap
 * (class_to_allocnpages pages) and is cut into objects: nothing is written
 * to the objects themselves.  A span of fresh pages has needzero false; one
 * of reused pages keeps needzero true and each object is zeroed as it is
 * handed out (malloc.c), not the span as a whole: the object's lines are
 * written once, just before the program writes them itself, and a span the
 * mcache leaves half used was not zeroed in the half it did not use.  Only
 * classes above 1 KB, a few objects a span, are zeroed in one go here.
 *
 * heap_live, the pacer's measure, counts a cached span as if all its free
 * objects were allocated (as Go does): the fast path then never has to
 * count bytes.  Uncaching gives back what was not used.  heap_live belongs
 * to the P (there is one), so it is updated without atomics: a locked add
 * here would wait for the span's zeroing to drain from the store buffer.
 */
#include "internal.h"

static spinlock central_lock[NUM_SIZE_CLASSES];
static mspan partial[NUM_SIZE_CLASSES]; /* list heads */

void span_refill_alloc_cache(mspan *s)
{
	uint32_t word = s->freeindex / 64;
	uint64_t free = ~s->alloc_bits[word] & (~(uint64_t)0 << (s->freeindex % 64));

	/* No bit for the span's tail past nelems: a set bit is always an
	 * object, so the fast path need not check against nelems. */
	if (s->nelems < (word + 1) * 64)
		free &= ((uint64_t)1 << (s->nelems % 64)) - 1;
	s->alloc_cache = free;
	s->cache_end = (word + 1) * 64;
}

static void init_span(mspan *s, unsigned spanclass)
{
	s->elemsize = class_to_size[spanclass];
	s->nelems = (uint32_t)(s->npages * PAGE_SIZE / s->elemsize);
	s->divmagic = class_to_divmagic[spanclass];
	s->freeindex = 0;
	s->alloc_count = 0;
	for (uint32_t i = 0; i < (s->nelems + 63) / 64; i++)
		s->alloc_bits[i] = s->gcmark_bits[i] = 0;
	span_refill_alloc_cache(s);
}

void mcentral_reset(void)
{
	for (unsigned c = 0; c < NUM_SIZE_CLASSES; c++)
		partial[c].next = partial[c].prev = &partial[c];
}

static void partial_push(unsigned c, mspan *s)
{
	spin_lock(&central_lock[c]);
	s->next = partial[c].next;
	s->prev = &partial[c];
	partial[c].next->prev = s;
	partial[c].next = s;
	spin_unlock(&central_lock[c]);
}

static mspan *partial_pop(unsigned c)
{
	spin_lock(&central_lock[c]);
	mspan *s = partial[c].next;
	if (s == &partial[c]) {
		s = NULL;
	} else {
		s->prev->next = s->next;
		s->next->prev = s->prev;
		s->next = s->prev = NULL;
	}
	spin_unlock(&central_lock[c]);
	return s;
}

mspan *mcentral_cache_span(unsigned spanclass)
{
	mspan *s = partial_pop(spanclass);

	if (s == NULL) {
		size_t dirty;
		s = mheap_alloc(class_to_allocnpages[spanclass], (uint8_t)spanclass, &dirty);
		init_span(s, spanclass);
		/* Objects above 1 KB would each get a rep stosb (zero_object);
		 * one over the span's used pages costs less (a span holds a
		 * dozen such objects at most, and long fast-string stores
		 * write whole lines without reading them first: Newobject/4KB
		 * took 15% less CPU so than object by object). */
		if (dirty != 0 && s->elemsize > 1024) {
			memclr_noheap((void *)s->base, dirty);
			s->needzero = false;
		}
	}
	s->cached_count = s->alloc_count;
	heap_live += (uint64_t)(s->nelems - s->alloc_count) * s->elemsize;
	return s;
}

void mcentral_uncache_span(mspan *s)
{
	unsigned c = s->spanclass;

	memstats.nmalloc[c] += s->alloc_count - s->cached_count;
	heap_live -= (uint64_t)(s->nelems - s->alloc_count) * s->elemsize;
	if (s->alloc_count < s->nelems)
		partial_push(c, s);
}

void mcentral_put_swept(mspan *s)
{
	partial_push(s->spanclass, s);
}
