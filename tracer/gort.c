/*
 * gort.c — gort's probes: the runtime's heap, stacks and goroutines.
 *
 * gort is linked statically into the program, and the executable exports
 * gort_set_probes (gort.pc asks the linker to), so the constructor finds it
 * with dlsym(RTLD_DEFAULT) and registers this file's callbacks.  When the
 * executable also exports gort_getg and gort_goid, records carry goroutine
 * ids (a goroutine switch record whenever the running goroutine changes).
 *
 * Probes run inside the runtime, often with its locks held: each one only
 * takes the thread's `busy` flag and writes a record; none calls back into
 * gort or blocks.  A newobject is a block like a malloc'd one (the sweeper's
 * free names it later); its cost is the runtime's own measure.
 */
#define _GNU_SOURCE
#include <dlfcn.h>

#include "internal.h"
#include "probes.h"

uint64_t (*gort_goid_now)(void);
static uint64_t (*p_goid)(const gort_g *);
static const gort_g *(*p_getg)(void);

static uint64_t goid_now(void)
{
	const gort_g *g = p_getg();
	return g != NULL ? p_goid(g) : 0;
}

static uint64_t goid_of(const gort_g *g)
{
	return g != NULL && p_goid != NULL ? p_goid(g) : 0;
}

static void on_newobject(void *ptr, size_t size, int sizeclass, uint64_t ns)
{
	struct tstate *t = enter();
	if (t == NULL)
		return;
	uint64_t extra[2] = {(uint64_t)(sizeclass < 0 ? 0 : sizeclass), ns};
	record_alloc(t, ESC_REC_NEWOBJECT, (uintptr_t)ptr, size, esc_ticks(), 0,
	             __builtin_frame_address(0), (uintptr_t)__builtin_return_address(0), extra,
	             false, NULL, false);
	leave(t);
}

static void on_free(void *ptr, size_t size)
{
	(void)size;
	struct tstate *t = enter();
	if (t == NULL)
		return;
	record_free(t, ESC_FN_SWEEP, (uintptr_t)ptr, esc_ticks(),
	            (uintptr_t)__builtin_frame_address(0));
	leave(t);
}

static void write_gc(const gort_gc_stats *s, bool end)
{
	struct tstate *t = enter();
	if (t == NULL)
		return;
	uint8_t *p = writer_reserve(t, 1 + 10 * ESC_MAX_VARINT);
	if (p != NULL) {
		*p++ = end ? ESC_REC_GC_END : ESC_REC_GC_START;
		p = put_dt(t, p, esc_ticks());
		p = esc_put_uvarint(p, s->cycle);
		p = esc_put_uvarint(p, s->heap_live);
		p = esc_put_uvarint(p, s->heap_goal);
		if (!end) {
			p = esc_put_uvarint(p, s->forced != 0);
		} else {
			p = esc_put_uvarint(p, s->objects_live);
			p = esc_put_uvarint(p, s->freed_objects);
			p = esc_put_uvarint(p, s->freed_bytes);
			p = esc_put_uvarint(p, s->pause_ns);
			p = esc_put_uvarint(p, s->mark_ns);
		}
		writer_commit(t, p);
	}
	leave(t);
}

static void on_gc_start(const gort_gc_stats *s)
{
	write_gc(s, false);
}

static void on_gc_end(const gort_gc_stats *s)
{
	write_gc(s, true);
}

/* stack grow / release / goroutine exit share a shape: dt, goid, numbers. */
static void write_g_event(unsigned tag, const gort_g *g, uint64_t a, uint64_t b, uint32_t sid,
                          struct tstate *t)
{
	uint8_t *p = writer_reserve(t, 1 + 6 * ESC_MAX_VARINT);
	if (p == NULL)
		return;
	*p++ = (uint8_t)tag;
	p = put_dt(t, p, esc_ticks());
	p = esc_put_uvarint(p, goid_of(g));
	if (tag == ESC_REC_STACK_GROW) {
		p = esc_put_uvarint(p, a);
		p = esc_put_uvarint(p, b);
		p = esc_put_uvarint(p, sid);
	} else if (tag == ESC_REC_STACK_RELEASE) {
		p = esc_put_uvarint(p, a);
	}
	writer_commit(t, p);
}

static void on_stack_grow(const gort_g *g, size_t frame_size, size_t seg_size, uintptr_t pc)
{
	struct tstate *t = enter();
	if (t == NULL)
		return;
	uint64_t pcs[1] = {pc};
	uint32_t sid = stack_intern(t, pcs, 1, false);
	write_g_event(ESC_REC_STACK_GROW, g, frame_size, seg_size, sid, t);
	leave(t);
}

static void on_stack_release(const gort_g *g, size_t seg_size)
{
	struct tstate *t = enter();
	if (t == NULL)
		return;
	write_g_event(ESC_REC_STACK_RELEASE, g, seg_size, 0, 0, t);
	leave(t);
}

static void on_go_exit(const gort_g *g)
{
	struct tstate *t = enter();
	if (t == NULL)
		return;
	write_g_event(ESC_REC_GO_EXIT, g, 0, 0, 0, t);
	leave(t);
}

static void on_go_create(const gort_g *g, void (*fn)(void *), const gort_g *parent)
{
	struct tstate *t = enter();
	if (t == NULL)
		return;
	struct frame_id fid;
	uint32_t sid = stack_capture(t, __builtin_frame_address(0),
	                             (uintptr_t)__builtin_return_address(0), &fid);
	uint8_t *p = writer_reserve(t, 1 + 5 * ESC_MAX_VARINT);
	if (p != NULL) {
		*p++ = ESC_REC_GO_CREATE;
		p = put_dt(t, p, esc_ticks());
		p = esc_put_uvarint(p, goid_of(g));
		p = esc_put_uvarint(p, goid_of(parent));
		p = esc_put_uvarint(p, (uintptr_t)fn);
		p = esc_put_uvarint(p, sid);
		writer_commit(t, p);
	}
	leave(t);
}

void gort_attach(void)
{
	void (*set)(const gort_probes *) =
	        (void (*)(const gort_probes *))dlsym(RTLD_DEFAULT, "gort_set_probes");

	if (set == NULL)
		return;
	p_goid = (uint64_t(*)(const gort_g *))dlsym(RTLD_DEFAULT, "gort_goid");
	p_getg = (const gort_g *(*)(void))dlsym(RTLD_DEFAULT, "gort_getg");
	if (p_goid != NULL && p_getg != NULL)
		gort_goid_now = goid_now;
	gort_probes probes = {
		.size = sizeof probes,
		.newobject = on_newobject,
		.free = on_free,
		.gc_start = on_gc_start,
		.gc_end = on_gc_end,
		.stack_grow = on_stack_grow,
		.stack_release = on_stack_release,
		.go_create = on_go_create,
		.go_exit = on_go_exit,
	};
	set(&probes);
}
