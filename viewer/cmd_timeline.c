/*
 * viewer/cmd_timeline.c — `escapade timeline TRACE`: the run as Chrome
 * trace-event JSON, for Perfetto (ui.perfetto.dev) or chrome://tracing.
 *
 * From one pass: each goroutine's life (create .. exit, or .. the end of
 * the trace for those that never exited) on its own track, named after its
 * entry function; each collection (start .. end) on the GC track; each
 * stack-segment growth as an instant on its goroutine's track, named after
 * the function that needed it; heap and stack bytes in use as counters
 * (the view's series, bounded to a few thousand points).  Written to
 * TRACE.json unless -o says otherwise.
 */
#include "config.h"

#include "viewer/commands.h"

#include <stdlib.h>

#include "cmdline.h"
#include "timeline.h"
#include "view.h"

static const char usage[] =
        "usage: escapade timeline TRACE [-o FILE.json]\n"
        "\n"
        "Writes the run as a Chrome trace (JSON) that Perfetto opens: goroutine lives,\n"
        "collections, stack-segment growths, heap and stack bytes in use.\n"
        "\n"
        "  -o, --output F   write to F (default: TRACE.json; - for standard output)\n"
        "  -h, --help       this help\n";

/* The function at address pc (fn: an entry, not a return address). */
static const char *function_at(const struct trace_view *v, uint64_t pc, bool ret, char *buf,
                               size_t len)
{
	const esc_symbol *s = pc ? esc_symbolize(v->t.sym, -1, pc, ret) : NULL;
	return s ? esc_frame_format(&s->frames[s->nframes - 1], buf, len) : NULL;
}

static void add_goroutines(tl_writer *w, const struct trace_view *v)
{
	char name[512];
	for (size_t i = 0; i < v->ngs; i++) {
		const view_goroutine *g = &v->gs[i];
		tl_event ev = {
		        TL_GOROUTINE, g->start_ns, g->end_ns - g->start_ns,
		        g->goid,      0,           function_at(v, g->fn, false, name, sizeof name)};
		tl_add(w, &ev);
	}
}

static void add_grows(tl_writer *w, const struct trace_view *v)
{
	char name[512];
	for (size_t i = 0; i < v->ngrows; i++) {
		const view_grow *g = &v->grows[i];
		const agg_stack *st = agg_stack_by_id(v->t.agg, g->stack);
		tl_event ev = {TL_STACK_GROW,
		               g->ts_ns,
		               0,
		               g->goid,
		               g->seg_size,
		               st && st->depth ? function_at(v, st->pcs[0], true, name, sizeof name)
		                               : NULL};
		tl_add(w, &ev);
	}
}

static void add_rest(tl_writer *w, const struct trace_view *v)
{
	for (size_t i = 0; i < v->ngcs; i++) {
		tl_event ev = {
		        TL_GC, v->gcs[i].start_ns, v->gcs[i].end_ns - v->gcs[i].start_ns, 0, 0,
		        NULL};
		tl_add(w, &ev);
	}
	for (size_t i = 0; i < v->nseries; i++) {
		tl_event heap = {TL_HEAP, v->series[i].ts_ns, 0, 0, v->series[i].heap_bytes, NULL};
		tl_event stack = {TL_STACK, v->series[i].ts_ns,       0,
		                  0,        v->series[i].stack_bytes, NULL};
		tl_add(w, &heap);
		tl_add(w, &stack);
	}
}

int cmd_timeline(int argc, char **argv)
{
	struct cmdline c = {.cmd = "timeline", .usage = usage, .ntraces = 1};
	const struct view_opts opts = {.series = true, .timeline = true};
	struct trace_view v;
	FILE *out;
	char *name;
	int rc = cmdline_start(&c, argc, argv, &opts, ".json", &v, &out, &name);
	if (rc != CMDLINE_GO)
		return rc;
	tl_writer *w = tl_open(out, v.t.exe, v.t.pid);
	bool failed = !w;
	if (w) {
		add_goroutines(w, &v);
		add_grows(w, &v);
		add_rest(w, &v);
		failed = tl_close(w) < 0;
	}
	return cmdline_finish(&c, out, name, &v, failed, true);
}
