/*
 * barrier.c — escape verdicts for gort objects, taken with return barriers.
 *
 * A gort object *escaped* when it is still reachable after the frame that
 * allocated it returned; it is *frame-local* when it was not (Go would have
 * kept it on the stack).  The collector frees objects long after their
 * frame, so a sweep says nothing about that; the moment to look is the
 * return itself.  So, for a sample of each allocation site's objects (the
 * first ESCAPADE_VERDICT_SAMPLE allocations of a site, 4 by default, 0 turns
 * this off):
 *
 *   - newobject: the runtime's newobject_at probe names the user frame that
 *     called gort_newobject (its return PC and CFA).  That frame's return
 *     address slot (CFA - 8) gets esc_return_barrier instead
 *     (barrier_amd64.S), and the object joins the frame's barrier entry; a
 *     frame that allocates several sampled objects has one entry for them;
 *   - return: the trampoline pushes the return registers and calls
 *     esc_barrier_fire, which takes the entry out of the table, writes
 *     the records on the tracer's own stack (the frame may live on a 2 KiB
 *     segment), asks gort_reachable about the entry's objects from the
 *     goroutine's stack (the runtime must see the goroutine's own segment
 *     and guard; it moves to its system stack itself), the goroutine's
 *     stack scanned from the pushed %rax up (a returned pointer is
 *     reachable; %rdx is left out, see barrier_amd64.S), and returns the original
 *     return address for the trampoline to jump to;
 *   - sweep: an object of a pending entry that the collector frees while
 *     its frame is still live died inside that frame: frame-local, recorded
 *     before its free record, and dropped from the entry.
 *
 * Entries are found by CFA, not by nesting: goroutines interleave on one
 * thread, so the latest entry is not always the next to fire.  The table
 * and the object addresses live in arena memory, never in this library's
 * data, bss or TLS: those are the collector's roots and would make every
 * object look reachable.  Barriers go only into goroutine frames (gort_getg
 * not NULL); a frame that never returns (a goroutine blocked forever)
 * yields no verdict.  While a barrier is installed, a frame-pointer walk
 * meets esc_return_barrier as a return address: stacks.c turns it back
 * into the original one (barrier_original_ra).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"
#include "probes.h"

#define BARRIER_SLOTS  256 /* frames with a pending barrier, all goroutines */
#define BARRIER_OBJS   8   /* sampled objects per frame activation */
#define SITE_SLOTS     4096
#define DEFAULT_SAMPLE 4

struct barrier {
	uintptr_t cfa; /* 0: free entry */
	uintptr_t ra;  /* the frame's original return address */
	uint32_t n;
	void *obj[BARRIER_OBJS];
	uint64_t block[BARRIER_OBJS];
};

struct site_count {
	uintptr_t pc;
	uint32_t n;
};

struct barrier_table {
	uint32_t used;
	uintptr_t obj_lo, obj_hi; /* bounds of the pending objects (while used) */
	struct barrier b[BARRIER_SLOTS];
	struct site_count sites[SITE_SLOTS];
	struct barrier firing;        /* the entry esc_barrier_fire handles */
	bool reachable[BARRIER_OBJS]; /* its answer */
};

extern char esc_return_barrier[]; /* barrier_amd64.S */

static struct barrier_table *table; /* arena memory: not a root */
static int table_lock;
static uint32_t sample = DEFAULT_SAMPLE;
static int (*p_reachable)(const void *, void *const *, int, bool *);
static const gort_g *(*p_getg)(void);

static void lock(void)
{
	while (__atomic_test_and_set(&table_lock, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_clear(&table_lock, __ATOMIC_RELEASE);
}

void barrier_attach(void)
{
	const char *v = getenv("ESCAPADE_VERDICT_SAMPLE");

	if (v != NULL && *v != '\0') {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		sample = *end == '\0' && n <= 1000000 ? (uint32_t)n : DEFAULT_SAMPLE;
	}
	p_reachable = (int (*)(const void *, void *const *, int, bool *))dlsym(RTLD_DEFAULT,
	                                                                       "gort_reachable");
	p_getg = (const gort_g *(*)(void))dlsym(RTLD_DEFAULT, "gort_getg");
	if (sample == 0 || p_reachable == NULL || p_getg == NULL)
		return;
	table = arena_alloc(sizeof *table);
}

bool barrier_enabled(void)
{
	return table != NULL;
}

/* The site's sample count, or NULL when the site table is full. */
static struct site_count *site_of(uintptr_t pc)
{
	uint64_t h = (pc * 0x9e3779b97f4a7c15u) >> 52;
	for (uint32_t i = 0; i < SITE_SLOTS; i++) {
		struct site_count *s = &table->sites[(h + i) % SITE_SLOTS];
		if (s->pc == pc)
			return s;
		if (s->pc == 0) {
			s->pc = pc;
			return s;
		}
	}
	return NULL;
}

static struct barrier *find(uintptr_t cfa)
{
	for (uint32_t i = 0; i < BARRIER_SLOTS; i++)
		if (table->b[i].cfa == cfa)
			return &table->b[i];
	return NULL;
}

/* The entry for the frame at cfa, installing the barrier when the frame
 * has none; NULL when the table is full. */
static struct barrier *entry_for(uintptr_t cfa)
{
	uintptr_t *slot = (uintptr_t *)(cfa - 8);
	struct barrier *b = find(cfa);

	if (b != NULL && *slot == (uintptr_t)esc_return_barrier)
		return b;
	if (b == NULL) {
		if (table->used == BARRIER_SLOTS)
			return NULL;
		b = find(0);
		table->used++;
	}
	/* A new activation (or one at the address of an activation that never
	 * returned: its stack was reused). */
	b->cfa = cfa;
	b->ra = *slot;
	b->n = 0;
	*slot = (uintptr_t)esc_return_barrier;
	return b;
}

/* Is cfa the CFA of one of the few frames whose saved frame pointers chain
 * up from the probe's frame fp?  Each link is followed only when it lies
 * on the thread's stack or on a stack segment of the running goroutine
 * (stack_frame_region asks the runtime), so a chain that crosses segments
 * (gort's __morestack links them) is followed, and a broken one is not. */
static bool on_fp_chain(struct tstate *t, uintptr_t fp, uintptr_t cfa)
{
	uintptr_t lo, hi;

	stack_regions_begin(t);
	/* The probe's frame, then up to eight links; the frame that matches is
	 * checked like the others, since the barrier is written into it. */
	for (int depth = 0; depth <= 8; depth++) {
		if ((fp & 7) != 0 || !stack_frame_region(t, fp, &lo, &hi) || fp + 16 > hi)
			return false;
		if (depth > 0 && fp + 16 == cfa)
			return true;
		uintptr_t next = *(const uintptr_t *)fp;
		if (next == 0 || next == fp)
			return false;
		fp = next;
	}
	return false;
}

/* Is cfa believable as the CFA of the frame that called the runtime from
 * the probe's frame probe_fp?  The runtime derives it from the caller's
 * saved frame pointer: a caller built without frame pointers could give
 * anything, and a barrier written there would corrupt memory.  A CFA is
 * 16-byte aligned, a frame of the live frame-pointer chain just above the
 * probe's frame, and the slot below it holds a return address into a known
 * module.  The chain, not the distance from the probe: the runtime's
 * allocation path may run on a new stack segment (it does when the caller
 * is a goroutine's entry function at the top of its first 2 KiB segment
 * and the runtime's frames are large, as in an ASan build), and a new
 * segment can lie anywhere. */
static bool frame_believable(struct tstate *t, uintptr_t cfa, uintptr_t probe_fp)
{
	bool known = false;

	if ((cfa & 15) != 0 || cfa <= 16 || !on_fp_chain(t, probe_fp, cfa))
		return false;
	if (*(const uintptr_t *)(cfa - 8) == (uintptr_t)esc_return_barrier)
		return true; /* barrier_note was here already */
	modules_pc_has_fp(t, *(const uintptr_t *)(cfa - 8), &known);
	return known;
}

void barrier_note(struct tstate *t, void *obj, uint64_t block, uintptr_t pc, uintptr_t cfa,
                  uintptr_t probe_fp)
{
	if (table == NULL)
		return;
	lock();
	/* The site first: once its sample is taken, this is all a newobject
	 * costs. */
	struct site_count *s = site_of(pc);
	if (s != NULL && s->n < sample && p_getg() != NULL && frame_believable(t, cfa, probe_fp)) {
		struct barrier *b = entry_for(cfa);
		if (b != NULL && b->n < BARRIER_OBJS) {
			if (table->obj_hi == 0 || (uintptr_t)obj < table->obj_lo)
				table->obj_lo = (uintptr_t)obj;
			if ((uintptr_t)obj > table->obj_hi)
				table->obj_hi = (uintptr_t)obj;
			b->obj[b->n] = obj;
			b->block[b->n++] = block;
			s->n++;
		}
	}
	unlock();
}

void barrier_swept(struct tstate *t, const void *obj)
{
	if (table == NULL || __atomic_load_n(&table->used, __ATOMIC_RELAXED) == 0)
		return;
	lock();
	if ((uintptr_t)obj < table->obj_lo || (uintptr_t)obj > table->obj_hi) {
		unlock();
		return;
	}
	for (uint32_t i = 0; i < BARRIER_SLOTS; i++) {
		struct barrier *b = &table->b[i];
		for (uint32_t j = 0; b->cfa != 0 && j < b->n; j++) {
			if (b->obj[j] != obj)
				continue;
			record_escape(t, b->block[j], false);
			b->n--;
			b->obj[j] = b->obj[b->n];
			b->block[j] = b->block[b->n];
			break;
		}
	}
	unlock();
}

uintptr_t barrier_original_ra(uintptr_t cfa)
{
	uintptr_t ra = 0;

	if (table == NULL)
		return 0;
	lock();
	struct barrier *b = find(cfa);
	if (b != NULL)
		ra = b->ra;
	unlock();
	return ra;
}

/* The entry of the frame at cfa, taken out of the table into
 * table->firing.  Little stack: it runs on the goroutine's. */
static void take(uintptr_t cfa)
{
	lock();
	struct barrier *e = find(cfa);
	if (e == NULL) {
		unlock();
		static const char msg[] = "escapade: return barrier without an entry\n";
		if (write(2, msg, sizeof msg - 1) < 0)
			abort();
		abort();
	}
	table->firing = *e;
	e->cfa = 0;
	if (--table->used == 0)
		table->obj_lo = table->obj_hi = 0;
	unlock();
}

static void record_body(void *arg)
{
	(void)arg;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < table->firing.n; i++)
		record_escape(t, table->firing.block[i], table->reachable[i]);
	leave(t);
}

/* gort_reachable for the entry b.  The collector's mark phase may call the
 * program's malloc (pthread_getattr_np does, the first time a thread's
 * stack is looked up): that is the tracer's doing, so the hooks forward it
 * untraced (BUSY_QUERY) and the program's heap figures stay its own. */
static int ask_reachable(const void *saved, struct barrier *b)
{
	struct tstate *t = enter();
	if (t == NULL)
		return -1;
	t->busy = BUSY_QUERY;
	int r = p_reachable(saved, b->obj, (int)b->n, table->reachable);
	leave(t);
	return r;
}

/* Called by esc_return_barrier, on the returning frame's stack, with the
 * goroutine's stack guard in place: gort_reachable is called from here, so
 * that the runtime sees the goroutine as it is (its segment, its guard)
 * and marks on its own system stack.  Only the pushed registers and what
 * lies above them are scanned; this function's frame is below.  One
 * barrier fires at a time (one thread runs goroutines, and the query runs
 * no probes), so table->firing is the only copy of the entry. */
HIDDEN uintptr_t esc_barrier_fire(const void *saved, uintptr_t cfa);
uintptr_t esc_barrier_fire(const void *saved, uintptr_t cfa)
{
	take(cfa);
	struct barrier *b = &table->firing;
	uintptr_t ra = b->ra;
	if (b->n != 0 && ask_reachable(saved, b) == 0)
		on_tracer_stack(record_body, NULL);
	b->n = 0;
	return ra;
}
