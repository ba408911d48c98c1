/*
 * malloc.c — gort_newobject and gort_newarray (Go's malloc.go: mallocgc).
 *
 * Objects up to 32 KB are small: the request is rounded up to one of the 67
 * size classes (msize.c) and served from the P's cached span for that class
 * (mcache.c).  The fast path is a few instructions and no call: take the
 * lowest set bit of the span's alloc_cache (count trailing zeros), turn it
 * into an address, clear the bit.  It takes no lock and calls no libc (the
 * runtime runs on split stacks, where any call into libc would cost a big
 * stack segment).  Objects are zeroed only when their span may hold garbage
 * (needzero): pages fresh from the OS are zero already.  Then each object
 * is zeroed as it is handed out, with a few 16-byte stores for the small
 * classes (zero_object), never the span as a whole ahead of time: its lines
 * are written once, right before the program writes them itself.
 *
 * When the cached span is used up the slow path scans the rest of its
 * allocation bitmap, then refills from the mcentral; that is also where the
 * pacer is consulted (gc_maybe_trigger), so the fast path never is.
 *
 * Objects above 32 KB are large: each gets its own span straight from the
 * page heap, zeroed as far as its pages were used before.
 *
 * newobject_for_caller reports each object to the newobject probe; only then
 * is the clock read.  gort_set_probes keeps one flag, newobject_probe_on, for
 * "newobject or newobject_at is set", so an unset probe costs one load and
 * one test.
 *
 * gort has one P: any thread may allocate, but one at a time (the thread
 * that runs goroutines, or a plain main()); the page heap and the central
 * lists are locked, the mcache is not.
 */
#include <string.h>

#include "internal.h"

/* Larger requests are a panic, not an attempt (Go's maxAlloc is similar). */
#define MAX_ALLOC ((size_t)1 << 47)

static uintptr_t zerobase; /* the address of every zero-size object */
bool malloc_inited;
static spinlock init_lock;

void malloc_init(void)
{
	if (likely(__atomic_load_n(&malloc_inited, __ATOMIC_ACQUIRE)))
		return;
	spin_lock(&init_lock);
	if (!malloc_inited) {
		mheap_init();
		mcentral_reset();
		gc_init();
		__atomic_store_n(&malloc_inited, true, __ATOMIC_RELEASE);
	}
	spin_unlock(&init_lock);
}

/* Zero one object that may hold garbage with 16-byte stores: objects up to
 * 64 bytes get 1, 2 or 4 stores and no loop, the last ones counted from the
 * object's end, so that they overlap the first ones rather than pass the end
 * when n is not a multiple of their span (24, 48 B); up to 1 KB, rounds of
 * four.  Cheaper than a rep stosb's start-up, and the lines they bring in
 * are the ones the program is about to write. */
typedef uint64_t u128 __attribute__((vector_size(16), aligned(8)));
#define STORE16(p) (*(u128 *)(p) = (u128){0})

static inline __attribute__((always_inline)) void zero_object(void *p, uintptr_t n)
{
	char *b = p, *e = b + n;

	if (likely(n <= 16)) {
		if (likely(n == 16))
			STORE16(b);
		else
			*(uint64_t *)b = 0; /* the 8-byte class */
	} else if (n <= 32) {
		STORE16(b);
		STORE16(e - 16);
	} else if (n <= 64) {
		STORE16(b);
		STORE16(b + 16);
		STORE16(e - 32);
		STORE16(e - 16);
	} else if (n <= 1024) {
		/* 64 bytes a round, the last round from the end. */
		for (char *q = b; q < e - 64; q += 64) {
			STORE16(q);
			STORE16(q + 16);
			STORE16(q + 32);
			STORE16(q + 48);
			/* Keeps the compiler from turning the loop into memset. */
			__asm__("" : : "r"(q) : "memory");
		}
		STORE16(e - 64);
		STORE16(e - 48);
		STORE16(e - 32);
		STORE16(e - 16);
	} else {
		memclr_noheap(p, n); /* rep stosb: its start-up pays off here */
	}
}

/* Take the free object of alloc_cache's lowest set bit.  The cache is not
 * shifted, only its lowest bit cleared (cache & (cache - 1)): the next
 * allocation's load of alloc_cache waits for that one AND, not for a count
 * of trailing zeros and two shifts (the chain through memory that bounds a
 * loop of allocations).  freeindex is stored, not loaded: the object's index
 * plus one. */
static inline __attribute__((always_inline)) void *take(mspan *s, uint64_t cache, unsigned bit)
{
	uint32_t idx = s->cache_end - 64 + bit;
	void *p = (void *)(s->base + idx * s->elemsize);

	s->alloc_cache = cache & (cache - 1);
	s->freeindex = idx + 1;
	s->alloc_count++;
	if (s->needzero) {
		/* A span's free objects are mostly taken in address order, and
		 * each zeroing store waits for its line to be read for
		 * ownership (at 64 B an object, one line per allocation; the
		 * store buffer fills within a few dozen): ask for the line
		 * eight ahead now.  Past the span's end it is a harmless
		 * hint. */
		__builtin_prefetch((char *)p + 512, 1, 3);
		zero_object(p, s->elemsize);
	}
	return p;
}

/* Move alloc_cache forward to the next free object; false if s is full. */
static bool next_free(mspan *s)
{
	while (s->alloc_cache == 0) {
		if (s->cache_end >= s->nelems) {
			s->freeindex = s->nelems;
			return false;
		}
		s->freeindex = s->cache_end;
		span_refill_alloc_cache(s);
	}
	return true;
}

static __attribute__((noinline)) void *malloc_small_slow(unsigned spanclass)
{
	if (spanclass == 0) /* size 0: its class's slot is always emptymspan */
		return &zerobase;
	malloc_init();
	mspan *s = mcache0.alloc[spanclass];
	bool refilled = false;
	if (s == &emptymspan || !next_free(s)) {
		s = mcache_refill(spanclass);
		refilled = true;
		next_free(s);
	}
	void *p = take(s, s->alloc_cache, (unsigned)__builtin_ctzll(s->alloc_cache));
	if (refilled)
		gc_maybe_trigger(); /* p stays on this stack: the collector sees it */
	return p;
}

static __attribute__((noinline)) void *malloc_large(size_t size)
{
	if (size > MAX_ALLOC)
		gort_panic("runtime error: allocation size out of range (%zu bytes)", size);
	malloc_init();
	size_t npages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
	size_t dirty;
	mspan *s = mheap_alloc(npages, 0, &dirty);
	s->elemsize = npages * PAGE_SIZE;
	s->nelems = 1;
	s->divmagic = 0;
	s->freeindex = 1;
	s->alloc_count = 1;
	s->alloc_cache = 0;
	s->cache_end = 64;
	s->alloc_bits[0] = s->gcmark_bits[0] = 0;
	/* Only the pages that were used before: the rest are still the OS's
	 * zero pages, not yet committed, and stay so until the program
	 * touches them. */
	if (dirty != 0)
		memset((void *)s->base, 0, dirty < size ? dirty : size);
	memstats.large_alloc++;
	memstats.large_alloc_bytes += s->elemsize;
	heap_live += s->elemsize;
	void *p = (void *)s->base;
	gc_maybe_trigger();
	return p;
}

static inline __attribute__((always_inline)) void *mallocgc(size_t size)
{
	unsigned c;

	/* The common sizes index size_to_class8 directly; size 0 finds class
	 * 0, whose slot is emptymspan, so it too goes to the slow path. */
	if (likely(size <= SMALL_SIZE_MAX - 8))
		c = size_to_class8[(size + SMALL_SIZE_DIV - 1) / SMALL_SIZE_DIV];
	else if (size <= MAX_SMALL_SIZE)
		c = size_to_class128[(size - SMALL_SIZE_MAX + LARGE_SIZE_DIV - 1) / LARGE_SIZE_DIV];
	else
		return malloc_large(size);
	mspan *s = mcache0.alloc[c];
	uint64_t cache = s->alloc_cache;
	if (likely(cache != 0))
		return take(s, cache, (unsigned)__builtin_ctzll(cache));
	return malloc_small_slow(c);
}

static int class_of(size_t size)
{
	return size - 1 < MAX_SMALL_SIZE ? (int)size_to_class(size) : 0;
}

/* With a probe set: time the allocation and report it, with the frame of
 * the function that called the public entry point (fp is the entry's own
 * frame: its saved %rbp is the caller's). */
static __attribute__((noinline)) void *newobject_probed(size_t size, uintptr_t pc,
                                                        const uintptr_t *fp)
{
	void (*probe)(void *, size_t, int, uint64_t) = gort_probe_table.newobject;
	void (*probe_at)(void *, size_t, int, uint64_t, uintptr_t, uintptr_t) =
	        gort_probe_table.newobject_at;
	uint64_t t0 = nanotime();
	void *p = mallocgc(size);
	uint64_t ns = nanotime() - t0;

	if (probe_at != NULL)
		probe_at(p, size, class_of(size), ns, pc, fp[0] + 16);
	else if (probe != NULL)
		probe(p, size, class_of(size), ns);
	return p;
}

bool newobject_probe_on;

/* The one body of every entry point: with a newobject probe set, the
 * allocation is timed and reported against the frame of whoever called the
 * entry point (pc, fp: the entry's own return address and frame).  Inlined
 * into gort_newobject and gort_newarray, and also an external function for
 * gort_makechan (internal.h declares it without `inline`).  It keeps this
 * name where it is inlined too: tools that find the program's frame by
 * skipping the allocator's (viewer/sites.c) know it. */
inline __attribute__((always_inline)) void *newobject_for_caller(size_t size, uintptr_t pc,
                                                                 const uintptr_t *fp)
{
	if (unlikely(__atomic_load_n(&newobject_probe_on, __ATOMIC_RELAXED)))
		return newobject_probed(size, pc, fp);
	return mallocgc(size);
}

/* The entry points that name their caller (its return address and frame)
 * are no_split_stack: a split-stack function that needed a new segment
 * runs its body called from __morestack, so its return address would be
 * __morestack's and its saved %rbp the frame record __morestack built, and
 * the probe would name the wrong frame (it did in an ASan build, where the
 * instrumented runtime calls non-split code and always takes a segment at
 * a goroutine's first allocation).  Their own frames are a few words, in
 * the headroom below the guard; what they call splits as usual. */
#define NAMES_CALLER __attribute__((no_split_stack))

NAMES_CALLER void *gort_newobject(size_t size)
{
	return newobject_for_caller(size, (uintptr_t)__builtin_return_address(0),
	                            __builtin_frame_address(0));
}

NAMES_CALLER void *gort_newarray(size_t elemsize, size_t n)
{
	size_t size;

	if (__builtin_mul_overflow(elemsize, n, &size) || size > MAX_ALLOC)
		gort_panic(
		        "runtime error: gort_newarray: %zu elements of %zu bytes: allocation size "
		        "out of range",
		        n, elemsize);
	return newobject_for_caller(size, (uintptr_t)__builtin_return_address(0),
	                            __builtin_frame_address(0));
}
