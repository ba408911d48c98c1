/*
 * stacks.c — capturing call stacks and interning them per thread.
 *
 * Capture starts at the hook's own frame (its frame pointer and return
 * address come from the hook), so the recorded stack begins at the
 * function that called the allocator, whatever inlining did inside the
 * tracer.  Two walkers:
 *
 *  - frame pointers, when the allocating function's module keeps them
 *    (modules.c decides): follow saved %rbp links.  Every link is checked
 *    before it is read: 8-aligned, strictly above the previous one, below
 *    the top of its region.  A region is the thread's stack or, in a gort
 *    program, a stack segment of the goroutine running here: a link that
 *    leaves its region (a segment boundary: __morestack's frame record
 *    points into the older segment, anywhere in memory) is followed only
 *    into a region the runtime names (gort_stack_segments), never into
 *    memory that merely looks writable, since the runtime unmaps segments
 *    it frees.  The walk ends at a NULL link (the outermost frame), at a
 *    PC of a module without frame pointers (whose frame's saved %rbp
 *    means nothing; in practice glibc's __libc_start_call_main), or at
 *    the depth limit (marked truncated);
 *  - libunwind otherwise (Debian builds python3, gzip, sort ... without
 *    frame pointers): step a local cursor from here, skip the tracer's own
 *    frames (up to the hook's return address), and read each frame's PC
 *    and, for the allocating frame, its CFA.
 *
 * Both report the allocating frame's identity for the escape verdict: its
 * CFA (the stack pointer of its caller before the call) and its return
 * address (the caller's PC).
 *
 * Interning: each thread keeps an open-addressing table from stack
 * contents to its own ids (1, 2, ...).  A new stack gets a STACK record in
 * the thread's chunk before its first use; then only its id is written.
 * Thread-local ids need no lock; the reader merges them.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#include <string.h>

#include "internal.h"

/* The running goroutine's stack segments, from the runtime (NULL without
 * gort). */
static int (*p_stack_segments)(int skip, uintptr_t *bounds, int max);

/* Segments a walk fetches first: most walks stay on one or two. */
#define SEG_FIRST 8

struct sentry {
	uint64_t hash;
	uint32_t id;
	uint16_t depth;
	uint8_t truncated;
	uint64_t *pcs;
};

/* The last frame-pointer walk, to recognise the next one without redoing
 * it: a loop allocates from the same frames, with the same links and the
 * same return addresses.  Comparing the live chain with the cached one is
 * a load and two compares per frame; the walk's checks are a few times
 * that, and interning is skipped too.  Only walks that stayed on the
 * thread's own stack, were not cut by the depth limit, and ended at an
 * invalid link or a module without frame pointers are kept: each of those
 * ends is decided by values the comparison sees. */
#define CACHE_DEPTH 64
struct walk_cache {
	uintptr_t fp0, ra0;         /* the hook's frame and return address */
	uintptr_t end_link;         /* the link that ended the walk (check_end) */
	bool check_end;             /* false: ended at a module without frame pointers */
	unsigned n;                 /* frames */
	uint32_t sid, gen;          /* stack id (0: empty cache); module generation */
	struct frame_id id;         /* the allocating frame */
	const uint64_t *pcs;        /* the interned stack's PCs */
	uintptr_t fps[CACHE_DEPTH]; /* fps[i]: the frame whose slot gave pcs[i] */
};

struct stack_table {
	uint32_t count, cap, next_id;
	struct sentry *slots;
	const struct sentry *last; /* the last stack seen: loops repeat it */
	struct walk_cache cache;
};

#define MIN_STACK_SLOTS 512u

static uint64_t hash_pcs(const uint64_t *pcs, unsigned n, bool truncated)
{
	uint64_t h = 0xcbf29ce484222325ull ^ n ^ ((uint64_t)truncated << 20);

	for (unsigned i = 0; i < n; i++) {
		h = (h ^ pcs[i]) * 0x100000001b3ull;
		h ^= h >> 31;
	}
	return h;
}

static bool table_grow(struct stack_table *st)
{
	uint32_t cap = st->cap ? st->cap * 2 : MIN_STACK_SLOTS;
	struct sentry *n = arena_alloc((size_t)cap * sizeof *n);

	if (n == NULL)
		return false;
	for (uint32_t i = 0; i < st->cap; i++) {
		if (st->slots[i].id == 0)
			continue;
		uint32_t j = (uint32_t)st->slots[i].hash & (cap - 1);
		while (n[j].id != 0)
			j = (j + 1) & (cap - 1);
		n[j] = st->slots[i];
	}
	arena_free(st->slots, (size_t)st->cap * sizeof *st->slots);
	st->slots = n;
	st->cap = cap;
	st->last = NULL;
	return true;
}

/* libunwind's default global cache takes a lock with every signal blocked
 * (two sigprocmask calls per step); a per-thread cache needs neither.  A
 * gort program exports gort_stack_segments (probes.h). */
void stacks_init(void)
{
	unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
	p_stack_segments =
	        (int (*)(int, uintptr_t *, int))dlsym(RTLD_DEFAULT, "gort_stack_segments");
}

void stacks_thread_init(struct tstate *t)
{
	t->stacks = arena_alloc(sizeof *t->stacks);
	if (t->stacks != NULL)
		t->stacks->next_id = 1;
}

/* Forget every id: a fork child's file, or a thread state handed to a new
 * thread, starts numbering again.  The table's memory is kept. */
void stacks_reset(struct tstate *t)
{
	if (t->stacks != NULL) {
		for (uint32_t i = 0; i < t->stacks->cap; i++)
			if (t->stacks->slots[i].id != 0)
				arena_free(t->stacks->slots[i].pcs,
				           (t->stacks->slots[i].depth ? t->stacks->slots[i].depth
				                                      : 1) *
				                   sizeof(uint64_t));
		memset(t->stacks->slots, 0, (size_t)t->stacks->cap * sizeof *t->stacks->slots);
		t->stacks->count = 0;
		t->stacks->next_id = 1;
		t->stacks->last = NULL;
		t->stacks->cache.sid = 0;
	}
}

static void write_stack(struct tstate *t, uint32_t id, const uint64_t *pcs, unsigned n,
                        bool truncated)
{
	uint8_t *p = writer_reserve(t, 1 + 2 * ESC_MAX_VARINT + (size_t)n * ESC_MAX_VARINT);
	uint64_t prev = 0;

	if (p == NULL)
		return;
	*p++ = ESC_REC_STACK;
	p = esc_put_uvarint(p, id);
	p = esc_put_uvarint(p, (uint64_t)n << 1 | truncated);
	for (unsigned i = 0; i < n; i++) {
		p = esc_put_svarint(p, (int64_t)(pcs[i] - prev));
		prev = pcs[i];
	}
	writer_commit(t, p);
}

uint32_t stack_intern(struct tstate *t, const uint64_t *pcs, unsigned n, bool truncated)
{
	struct stack_table *st = t->stacks;

	if (st == NULL)
		return 0;
	const struct sentry *last = st->last;
	if (last != NULL && last->depth == n && last->truncated == truncated &&
	    memcmp(last->pcs, pcs, n * sizeof *pcs) == 0)
		return last->id;
	if ((st->count + 1) * 2 > st->cap && !table_grow(st))
		return 0;
	uint64_t h = hash_pcs(pcs, n, truncated);
	uint32_t mask = st->cap - 1, i = (uint32_t)h & mask;
	for (; st->slots[i].id != 0; i = (i + 1) & mask) {
		struct sentry *e = &st->slots[i];
		if (e->hash == h && e->depth == n && e->truncated == truncated &&
		    memcmp(e->pcs, pcs, n * sizeof *pcs) == 0) {
			st->last = e;
			return e->id;
		}
	}
	uint64_t *copy = arena_alloc((n ? n : 1) * sizeof *pcs);
	if (copy == NULL)
		return 0;
	memcpy(copy, pcs, n * sizeof *pcs);
	st->slots[i] = (struct sentry){h, st->next_id++, (uint16_t)n, truncated, copy};
	st->count++;
	st->last = &st->slots[i];
	write_stack(t, st->slots[i].id, pcs, n, truncated);
	return st->slots[i].id;
}

/* The region a frame at `a` may lie in: the thread's stack, or (in a gort
 * program, whose goroutines run on segments anywhere in memory) a stack
 * segment of the goroutine running on this thread, which the runtime
 * names itself.  The segments come in windows, newest first, and a chain
 * goes from newer segments to older ones: the search starts at the segment
 * found last, and when `a` is in none from there on, the next older window
 * is fetched (SEG_FIRST at first on a goroutine's stack, where the
 * runtime reads only as many headers as it lists, then SEG_WINDOW at a
 * time).  A walk crossing n segments costs O(n), not a search per
 * crossing. */
bool stack_frame_region(struct tstate *t, uintptr_t a, uintptr_t *lo, uintptr_t *hi)
{
	struct seg_window *w = &t->segs;

	if (a >= t->stack_lo && a < t->stack_hi) {
		*lo = t->stack_lo;
		*hi = t->stack_hi;
		return true;
	}
	if (p_stack_segments == NULL)
		return false;
	for (;;) {
		for (uint32_t i = w->cur; i < w->n; i++) {
			if (a >= w->b[i][0] && a < w->b[i][1]) {
				w->cur = i;
				*lo = w->b[i][0];
				*hi = w->b[i][1];
				return true;
			}
		}
		if (w->ended)
			return false;
		int want = w->base + w->n == 0 && split_guard() != 0 ? SEG_FIRST : SEG_WINDOW;
		w->base += w->n;
		int got = p_stack_segments((int)w->base, &w->b[0][0], want);
		w->n = got > 0 ? (uint32_t)got : 0;
		w->cur = 0;
		w->ended = got < want;
	}
}

/* Walk saved frame pointers from the hook's frame `fp`.  Returns the depth;
 * *truncated when the depth limit cut it.  Within a region (a stack or a
 * segment) links must climb; crossing to another region (a segment
 * boundary) needs stack_frame_region to know it.  The module of the last
 * PC is kept in locals: consecutive frames are mostly in one module, and
 * only a PC outside it costs a lookup. */
/* How a frame-pointer walk ended. */
enum walk_end { END_LINK, END_NOFP, END_OTHER };

static unsigned walk_fp(struct tstate *t, void *fp, uintptr_t ra0, struct frame_id *id,
                        bool *truncated, uintptr_t *fps, enum walk_end *end, uintptr_t *end_link)
{
	uint64_t *pcs = t->pcs;
	unsigned n = 0, max = esc_opt.depth;
	uintptr_t prev = (uintptr_t)fp, lo, hi, mod_lo = 0, mod_len = 0;
	const uintptr_t *f;
	bool known;

	*end = END_OTHER;
	pcs[n++] = ra0;
	stack_regions_begin(t);
	if (!stack_frame_region(t, prev, &lo, &hi))
		return n;
	f = *(const uintptr_t *const *)fp;
	while (n < max) {
		uintptr_t a = (uintptr_t)f;
		*end_link = a;
		*end = END_LINK;
		if (a & 7)
			return n;
		/* a must be above prev and leave room below hi ... */
		if (a - prev - 1 >= hi - 16 - prev) {
			/* ... or start another mapped region (a segment). */
			if (a == 0 || !stack_frame_region(t, a, &lo, &hi) || a + 16 > hi ||
			    a == prev)
				return n;
		}
		*end = END_OTHER;
		uintptr_t pc = f[1];
		if (pc == 0)
			return n;
		if (unlikely(pc == (uintptr_t)esc_return_barrier)) /* barrier.c */
			pc = barrier_original_ra(a + 16);
		if (n < CACHE_DEPTH)
			fps[n] = a;
		pcs[n++] = pc;
		if (n == 2) {
			id->cfa = a + 16;
			id->ra = pc;
		}
		if (pc - mod_lo >= mod_len) {
			if (!modules_pc_has_fp(t, pc, &known)) {
				*end = END_NOFP; /* the frame above keeps no frame pointer */
				return n;
			}
			mod_lo = t->last_module[0]->text_lo;
			mod_len = t->last_module[0]->text_hi - mod_lo;
		}
		prev = a;
		f = (const uintptr_t *)f[0];
	}
	*truncated = (uintptr_t)f > prev && (uintptr_t)f + 16 <= hi && f[1] != 0;
	return n;
}

/* Is the live chain from the hook's frame the cached walk's? */
static bool cache_hit(const struct walk_cache *c, void *fp, uintptr_t ra0)
{
	if (c->sid == 0 || c->fp0 != (uintptr_t)fp || c->ra0 != ra0 ||
	    c->gen != modules_generation())
		return false;
	const uintptr_t *f = *(const uintptr_t *const *)fp;
	for (unsigned i = 1; i < c->n; i++) {
		/* f equals a frame address validated before: safe to read. */
		if ((uintptr_t)f != c->fps[i] || f[1] != c->pcs[i])
			return false;
		f = (const uintptr_t *)f[0];
	}
	return !c->check_end || (uintptr_t)f == c->end_link;
}

/* Unwind with libunwind from here, skipping the tracer's frames. */
static unsigned walk_unwind(struct tstate *t, uintptr_t ra0, struct frame_id *id, bool *truncated)
{
	unw_context_t uc;
	unw_cursor_t c;
	unw_word_t ip, sp;
	unsigned n = 0, max = esc_opt.depth, skip = 0;
	bool seen = false;

	if (unw_getcontext(&uc) != 0 || unw_init_local(&c, &uc) != 0)
		goto fallback;
	while (unw_step(&c) > 0) {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) != 0)
			break;
		if (!seen) {
			if (ip != ra0) {
				if (++skip > 16)
					break;
				continue;
			}
			seen = true;
		}
		if (n == max) {
			*truncated = true;
			break;
		}
		if (n == 1 && unw_get_reg(&c, UNW_REG_SP, &sp) == 0) {
			id->cfa = sp;
			id->ra = ip;
		}
		t->pcs[n++] = ip;
	}
	if (seen)
		return n;
fallback:
	t->pcs[0] = ra0;
	return 1;
}

uint32_t stack_capture(struct tstate *t, void *fp, uintptr_t ra0, struct frame_id *id)
{
	bool known, truncated = false;
	unsigned n;

	id->cfa = id->ra = 0;
	if (esc_opt.unwind == UNWIND_DWARF || !modules_pc_has_fp(t, ra0, &known)) {
		KEEP_ERRNO(n = walk_unwind(t, ra0, id, &truncated));
		return stack_intern(t, t->pcs, n, truncated);
	}
	struct walk_cache *c = t->stacks != NULL ? &t->stacks->cache : NULL;
	if (c != NULL && cache_hit(c, fp, ra0)) {
		*id = c->id;
		return c->sid;
	}
	uintptr_t fps[CACHE_DEPTH], end_link = 0;
	enum walk_end end;
	n = walk_fp(t, fp, ra0, id, &truncated, fps, &end, &end_link);
	uint32_t sid = stack_intern(t, t->pcs, n, truncated);
	bool own_stack = (uintptr_t)fp >= t->stack_lo && (uintptr_t)fp < t->stack_hi;
	if (c != NULL && sid != 0 && !truncated && n <= CACHE_DEPTH && end != END_OTHER &&
	    own_stack && gort_goid_now == NULL && t->stacks->last != NULL &&
	    t->stacks->last->id == sid) {
		c->fp0 = (uintptr_t)fp;
		c->ra0 = ra0;
		c->end_link = end_link;
		c->check_end = end == END_LINK;
		c->n = n;
		c->sid = sid;
		c->gen = modules_generation();
		c->id = *id;
		c->pcs = t->stacks->last->pcs;
		memcpy(c->fps, fps, n * sizeof *fps);
	}
	return sid;
}
