/*
 * viewer/load.c — the pass that feeds a trace's events to the aggregation.
 *
 * Event by event: stacks are defined in the aggregation; allocations create
 * blocks (a realloc first releases its old block, which counts as a free
 * only when the block moved); frees release them; gort's GC, stack growth
 * and goroutines are counted.  Modules go to the symbolizer, which opens
 * their ELF files right away (their address ranges come from the files).
 * A trace that ends without an end record, or is cut short, is loaded as
 * far as it goes and marked truncated; a damaged one is an error.
 */
#include "config.h"

#include "load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A block named by a free or a realloc is released. */
static void release(agg *a, const struct esc_ref *ref, bool counted)
{
	switch (ref->kind) {
	case ESC_REF_LOCAL:
	case ESC_REF_REMOTE:
		agg_release(a, ref->id, ref->live, counted);
		break;
	case ESC_REF_UNKNOWN:
		if (counted)
			agg_release_unknown(a);
		break;
	default:
		break;
	}
}

static bool on_alloc(agg *a, const struct esc_event *ev)
{
	bool gort = ev->u.alloc.fn == ESC_FN_NEWOBJECT;
	if (!gort && esc_alloc_fn_has_ref(ev->u.alloc.fn))
		release(a, &ev->u.alloc.old, !ev->u.alloc.old.same);
	return agg_alloc(a, ev->u.alloc.id, ev->u.alloc.stack, ev->u.alloc.size,
	                 ev->u.alloc.cost_ns, ev->u.alloc.frame != 0, gort);
}

/* Feeds one event; false when out of memory. */
static bool feed(struct loaded_trace *t, const struct esc_event *ev)
{
	agg *a = t->agg;
	switch (ev->type) {
	case ESC_EV_MODULE:
		if (t->sym)
			return esc_symbolizer_add_module(t->sym, ev->u.module.path,
			                                 ev->u.module.base, ev->u.module.size,
			                                 ev->u.module.build_id,
			                                 ev->u.module.build_id_len) >= 0;
		return true;
	case ESC_EV_STACK:
		return agg_stack_define(a, ev->u.stack.id, ev->u.stack.pcs, ev->u.stack.depth,
		                        ev->u.stack.truncated);
	case ESC_EV_ALLOC:
		return on_alloc(a, ev);
	case ESC_EV_FREE:
		if (ev->u.free.fn == ESC_FN_SWEEP && ev->u.free.block.kind != ESC_REF_NONE)
			agg_sweep(a, ev->u.free.block.id, ev->u.free.block.live);
		else
			release(a, &ev->u.free.block, true);
		return true;
	case ESC_EV_ESCAPE:
		if (ev->u.escape.block.kind == ESC_REF_LOCAL ||
		    ev->u.escape.block.kind == ESC_REF_REMOTE)
			agg_escape(a, ev->u.escape.block.id, ev->u.escape.escaped);
		return true;
	case ESC_EV_GC_END:
		agg_gc(a);
		return true;
	case ESC_EV_STACK_GROW:
		agg_stack_grow_at(a, ev->u.stack_grow.stack, ev->u.stack_grow.seg_size);
		return true;
	case ESC_EV_GO_CREATE:
		agg_go_create(a, ev->u.go.goid, ev->u.go.stack, ev->u.go.fn);
		return true;
	case ESC_EV_GO_EXIT:
		agg_go_exit(a, ev->u.go.goid);
		return true;
	case ESC_EV_GO_STATE:
		return agg_go_state(a, ev->u.go_state.goid, ev->u.go_state.state);
	case ESC_EV_LOST:
		agg_lost(a, ev->u.lost.count);
		return true;
	case ESC_EV_END:
		t->clean_end = true;
		t->exit_status = ev->u.end.status;
		return true;
	default:
		return true;
	}
}

enum load_status trace_load_reader(esc_reader *r, esc_symbolizer *sym, struct loaded_trace *t)
{
	return trace_load_observed(r, sym, NULL, t);
}

enum load_status trace_load_observed(esc_reader *r, esc_symbolizer *sym,
                                     const struct load_observer *obs, struct loaded_trace *t)
{
	memset(t, 0, sizeof *t);
	const struct esc_trace_info *info = esc_reader_info(r);
	t->sym = sym;
	t->pid = info->pid;
	t->cost_measured = info->flags & ESC_FLAG_COST;
	t->exe = strdup(info->exe ? info->exe : "");
	t->agg = agg_new();
	if (!t->exe || !t->agg) {
		trace_unload(t);
		snprintf(t->message, sizeof t->message, "out of memory");
		return LOAD_NOMEM;
	}
	struct esc_event ev;
	int rc;
	while ((rc = esc_reader_next(r, &ev)) > 0) {
		if (!feed(t, &ev) || (obs && !obs->event(obs->ctx, &ev, t->agg))) {
			trace_unload(t);
			snprintf(t->message, sizeof t->message, "out of memory");
			return LOAD_NOMEM;
		}
	}
	if (rc < 0) {
		snprintf(t->message, sizeof t->message, "%s", esc_reader_error(r));
		trace_unload(t);
		return LOAD_DAMAGED;
	}
	agg_finish(t->agg);
	t->truncated = esc_reader_truncated(r) || !t->clean_end;
	if (t->truncated) {
		const char *why = esc_reader_error(r);
		snprintf(t->message, sizeof t->message, "%s",
		         why && *why ? why
		                     : "the trace has no end record (the program was "
		                       "killed or crashed, or is still running)");
	}
	return LOAD_OK;
}

enum load_status trace_load(const char *path, bool symbols, struct loaded_trace *t)
{
	char err[512] = "";
	memset(t, 0, sizeof *t);
	esc_reader *r = esc_reader_open(path, err, sizeof err);
	if (!r) {
		snprintf(t->message, sizeof t->message, "%s", *err ? err : "cannot read the trace");
		return LOAD_UNREADABLE;
	}
	esc_symbolizer *sym = NULL;
	if (symbols && !(sym = esc_symbolizer_new(NULL, stderr))) {
		esc_reader_close(r);
		snprintf(t->message, sizeof t->message, "out of memory");
		return LOAD_NOMEM;
	}
	enum load_status st = trace_load_reader(r, sym, t);
	esc_reader_close(r);
	return st;
}

void trace_unload(struct loaded_trace *t)
{
	agg_free_all(t->agg);
	esc_symbolizer_free(t->sym);
	free(t->exe);
	t->agg = NULL;
	t->sym = NULL;
	t->exe = NULL;
}
