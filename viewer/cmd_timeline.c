/*
 * viewer/cmd_timeline.c — `escapade timeline TRACE`: the run as Chrome
 * trace-event JSON, for Perfetto (ui.perfetto.dev) or chrome://tracing.
 *
 * From one pass: each goroutine's life (create .. exit, or .. the end of
 * the trace for those that never exited, marked with what they were doing
 * then: Go's wait reason, "runnable" ...) on its own track, named after its
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
        "Writes the run as a Chrome trace (JSON) that Perfetto opens: goroutine lives\n"
        "(those alive at the end marked with their wait reason), collections,\n"
        "stack-segment growths, heap and stack bytes in use.\n"
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

static int by_goid(const void *key, const void *elem)
{
	uint64_t a = *(const uint64_t *)key, b = ((const agg_goroutine *)elem)->goid;
	return (a > b) - (a < b);
}

/* What a goroutine still alive at the end was doing then, from the trace's
 * goroutine state records (alive: sorted by goid); NULL if it exited. */
static const char *state_at_end(const view_goroutine *g, const agg_goroutine *alive, size_t n)
{
	if (g->exited || alive == NULL)
		return NULL;
	const agg_goroutine *a = bsearch(&g->goid, alive, n, sizeof *alive, by_goid);
	return a && a->state ? a->state : "unknown";
}

static void add_goroutines(tl_writer *w, const struct trace_view *v)
{
	char name[512];
	size_t nalive;
	agg_goroutine *alive = agg_goroutines_alive(v->t.agg, &nalive);

	for (size_t i = 0; i < v->ngs; i++) {
		const view_goroutine *g = &v->gs[i];
		tl_event ev = {.kind = TL_GOROUTINE,
		               .ts_ns = g->start_ns,
		               .dur_ns = g->end_ns - g->start_ns,
		               .goid = g->goid,
		               .name = function_at(v, g->fn, false, name, sizeof name),
		               .state = state_at_end(g, alive, nalive)};
		tl_add(w, &ev);
	}
	free(alive);
}

static void add_grows(tl_writer *w, const struct trace_view *v)
{
	char name[512];
	for (size_t i = 0; i < v->ngrows; i++) {
		const view_grow *g = &v->grows[i];
		const agg_stack *st = agg_stack_by_id(v->t.agg, g->stack);
		tl_event ev = {.kind = TL_STACK_GROW,
		               .ts_ns = g->ts_ns,
		               .goid = g->goid,
		               .value = g->seg_size,
		               .name = st && st->depth
		                               ? function_at(v, st->pcs[0], true, name, sizeof name)
		                               : NULL};
		tl_add(w, &ev);
	}
}

static void add_rest(tl_writer *w, const struct trace_view *v)
{
	for (size_t i = 0; i < v->ngcs; i++) {
		tl_event ev = {.kind = TL_GC,
		               .ts_ns = v->gcs[i].start_ns,
		               .dur_ns = v->gcs[i].end_ns - v->gcs[i].start_ns};
		tl_add(w, &ev);
	}
	for (size_t i = 0; i < v->nseries; i++) {
		tl_event heap = {.kind = TL_HEAP,
		                 .ts_ns = v->series[i].ts_ns,
		                 .value = v->series[i].heap_bytes};
		tl_event stack = {.kind = TL_STACK,
		                  .ts_ns = v->series[i].ts_ns,
		                  .value = v->series[i].stack_bytes};
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
