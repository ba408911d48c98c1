/*
 * viewer/cmd_html.c — `escapade html TRACE`: the self-contained HTML
 * report of a trace.
 *
 * The page (viewer/html.c) takes the call tree and an html_summary; this
 * file fills the summary from one pass: totals, the sites with their
 * verdicts (largest first, at most MAX_SITES), heap and stack bytes over
 * time (the view's bounded series) with the collections on it, and the
 * goroutines still alive (blocked) at the end.  Written to TRACE.html
 * unless -o says otherwise.
 */
#include "config.h"

#include "viewer/commands.h"

#include <stdlib.h>

#include "cmdline.h"
#include "html.h"
#include "sites.h"
#include "view.h"

#define MAX_SITES 500

static const char usage[] =
        "usage: escapade html TRACE [-o FILE.html]\n"
        "\n"
        "Writes a self-contained HTML report: summary, sortable top sites with their\n"
        "verdicts, the flame graph (with a metric switch), heap and stack bytes over\n"
        "time with the collections, leaks and blocked goroutines.\n"
        "\n"
        "  -o, --output F   write to F (default: TRACE.html; - for standard output)\n"
        "  -h, --help       this help\n";

struct page {
	html_summary s;
	site *sites;
	html_site *rows;
	uint64_t *gc_ts;
	agg_goroutine *gs;
	html_blocked *blocked;
	char (*names)[256]; /* formatted names: rows, then creators */
};

static void fill_sites(struct page *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const site *st = &p->sites[i];
		p->rows[i] =
		        (html_site){esc_frame_format(st->frame, p->names[i], sizeof p->names[i]),
		                    st->frame->file,
		                    st->frame->line > 0 ? (uint32_t)st->frame->line : 0,
		                    st->allocations,
		                    st->bytes,
		                    st->peak_bytes,
		                    st->leaked_bytes,
		                    st->cost_ns,
		                    site_verdict(st)};
	}
}

static void fill_blocked(struct page *p, const struct trace_view *v, size_t n, size_t off)
{
	for (size_t i = 0; i < n; i++) {
		const esc_frame *by, *entry;
		goroutine_origin(v->t.agg, v->t.sym, &p->gs[i], &by, &entry);
		p->blocked[i] = (html_blocked){
		        p->gs[i].goid, p->gs[i].state ? p->gs[i].state : "unknown",
		        by ? esc_frame_format(by, p->names[off + i], sizeof p->names[0]) : "?",
		        by ? by->file : NULL, by && by->line > 0 ? (uint32_t)by->line : 0};
	}
}

static bool fill(struct page *p, const struct trace_view *v)
{
	const agg_totals *t = agg_totals_of(v->t.agg);
	size_t nsites, nblocked;
	p->sites = sites_build(v->t.agg, v->t.sym, SORT_BYTES, &nsites);
	p->gs = agg_goroutines_alive(v->t.agg, &nblocked);
	nsites = nsites > MAX_SITES ? MAX_SITES : nsites;
	p->rows = calloc(nsites + 1, sizeof *p->rows);
	p->blocked = calloc(nblocked + 1, sizeof *p->blocked);
	p->names = calloc(nsites + nblocked + 1, sizeof *p->names);
	p->gc_ts = calloc(v->ngcs + 1, sizeof *p->gc_ts);
	if (!p->rows || !p->blocked || !p->names || !p->gc_ts)
		return false;
	fill_sites(p, nsites);
	fill_blocked(p, v, nblocked, nsites);
	for (size_t i = 0; i < v->ngcs; i++)
		p->gc_ts[i] = v->gcs[i].start_ns;
	p->s = (html_summary){.program = v->t.exe,
	                      .pid = v->t.pid,
	                      .allocations = t->allocations,
	                      .frees = t->frees,
	                      .bytes_allocated = t->bytes_allocated,
	                      .peak_bytes = t->peak_bytes,
	                      .leaked_bytes = t->leaked_bytes,
	                      .leaked_allocations = t->leaked_allocations,
	                      .temporary = t->temporary,
	                      .gc_cycles = t->gc_cycles,
	                      .stack_grows = t->stack_grows,
	                      .goroutines = t->goroutines,
	                      .truncated = v->t.truncated,
	                      .sites = p->rows,
	                      .nsites = nsites,
	                      .series = v->series,
	                      .nseries = v->nseries,
	                      .gc_ts_ns = p->gc_ts,
	                      .ngc = v->ngcs,
	                      .blocked = p->blocked,
	                      .nblocked = nblocked};
	return true;
}

static void page_free(struct page *p)
{
	free(p->sites);
	free(p->rows);
	free(p->gc_ts);
	free(p->gs);
	free(p->blocked);
	free(p->names);
}

int cmd_html(int argc, char **argv)
{
	struct cmdline c = {.cmd = "html", .usage = usage, .ntraces = 1};
	const struct view_opts opts = {.series = true};
	struct trace_view v;
	FILE *out;
	char *name;
	int rc = cmdline_start(&c, argc, argv, &opts, ".html", &v, &out, &name);
	if (rc != CMDLINE_GO)
		return rc;
	struct page p = {0};
	bool failed = !fill(&p, &v);
	if (failed)
		fprintf(stderr, "escapade html: out of memory\n");
	else {
		ct_sort(v.tree);
		failed = html_write(out, v.tree, &p.s) < 0;
	}
	page_free(&p);
	return cmdline_finish(&c, out, name, &v, failed, true);
}
