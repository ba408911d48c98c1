/*
 * viewer/report.c — `escapade report TRACE`: what a program allocated, where.
 *
 *   escapade report TRACE [--sort count|bytes|cost|peak|leaked] [--top N]
 *                         [--format text|json]
 *
 * One pass loads the trace (viewer/view.c, without a call tree: progress
 * on a terminal, the shadow stacks of a --frames trace), sites are formed
 * from its stacks (viewer/sites.c), and the totals, the top sites, the
 * stack frames per function (--frames traces: viewer/stackframes.c) and
 * the goroutines left behind are printed: as text for people, or as the
 * JSON object of DESIGN.md ("Report JSON", whose keys are fixed; "frames"
 * is ours) for scripts.  A trace that stops short is reported
 * as far as it goes, with a warning and "truncated": true; a missing,
 * unreadable or damaged trace is an error (exit 1), usage errors exit 2.
 */
#include "config.h"

#include "viewer/commands.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "load.h"
#include "sites.h"
#include "stackframes.h"
#include "view.h"

struct options {
	enum site_sort sort;
	long top; /* -1: the format's default */
	bool json;
	const char *path;
};

static void usage(FILE *f)
{
	fputs("usage: escapade report TRACE [--sort KEY] [--top N] [--format text|json]\n"
	      "\n"
	      "Prints a trace's totals (allocations, frees, bytes, peak, leaks, temporary\n"
	      "allocations, GC cycles, stack growths, goroutines) and its top allocation\n"
	      "sites: the function and line that called the allocator, with the call path\n"
	      "and a verdict (escaped, frame-local, unknown).  For a trace taken with\n"
	      "`record --frames`, the stack frames of each function beside its heap\n"
	      "bytes; for a gort program, the goroutines left behind and what each was\n"
	      "waiting for.\n"
	      "\n"
	      "  --sort KEY       order sites by count, bytes (default), cost, peak or leaked\n"
	      "  --top N          show N sites (text: 20 by default; json: all); 0 = all\n"
	      "  --format FORMAT  text (default) or json (the \"Report JSON\" of DESIGN.md)\n"
	      "  -h, --help       this help\n",
	      f);
}

static int parse_sort(const char *s, enum site_sort *out)
{
	static const char *const names[] = {"count", "bytes", "cost", "peak", "leaked"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum site_sort)i;
			return 0;
		}
	return -1;
}

/* 0 on success, 1 for --help, -1 on a usage error (already reported). */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	        {"sort", required_argument, NULL, 's'},
	        {"top", required_argument, NULL, 'n'},
	        {"format", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	*o = (struct options){.sort = SORT_BYTES, .top = -1};
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "s:n:f:h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 's':
			if (parse_sort(optarg, &o->sort) < 0) {
				fprintf(stderr,
				        "escapade report: unknown sort key '%s' "
				        "(count, bytes, cost, peak, leaked)\n",
				        optarg);
				return -1;
			}
			break;
		case 'n':
			errno = 0;
			o->top = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->top < 0) {
				fprintf(stderr,
				        "escapade report: --top wants a number >= 0, not '%s'\n",
				        optarg);
				return -1;
			}
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr,
				        "escapade report: unknown format '%s' (text, json)\n",
				        optarg);
				return -1;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "escapade report: %s\n",
		        optind >= argc ? "which trace? (escapade report TRACE)" : "one trace only");
		usage(stderr);
		return -1;
	}
	o->path = argv[optind];
	return 0;
}

/* ---- text ---------------------------------------------------------------- */

/* Without `record --cost` the allocator is not timed: say so rather than
 * print a cost of 0. */
static const char not_measured[] = "not measured (record with --cost)";

static const char *human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

static void print_frame_text(const esc_frame *f, void *arg)
{
	char name[512];
	FILE *out = arg;
	fprintf(out, "        %s", esc_frame_format(f, name, sizeof name));
	if (f->file)
		fprintf(out, " (%s:%d)", f->file, f->line);
	fprintf(out, "%s\n", f->inlined ? " [inlined]" : "");
}

static void text_totals(FILE *out, const struct loaded_trace *t)
{
	const agg_totals *tot = agg_totals_of(t->agg);
	char b1[32], b2[32], b3[32];
	fprintf(out, "escapade report: %s (pid %" PRIu32 ")\n\n", t->exe, t->pid);
	fprintf(out, "  allocations      %" PRIu64 " (%s)\n", tot->allocations,
	        human(tot->bytes_allocated, b1, sizeof b1));
	fprintf(out, "  frees            %" PRIu64 "\n", tot->frees);
	fprintf(out, "  bytes allocated  %" PRIu64 "\n", tot->bytes_allocated);
	fprintf(out, "  peak in use      %" PRIu64 " (%s)\n", tot->peak_bytes,
	        human(tot->peak_bytes, b2, sizeof b2));
	fprintf(out, "  leaked at exit   %" PRIu64 " in %" PRIu64 " allocation%s (%s)\n",
	        tot->leaked_bytes, tot->leaked_allocations, tot->leaked_allocations == 1 ? "" : "s",
	        human(tot->leaked_bytes, b3, sizeof b3));
	fprintf(out, "  temporary        %" PRIu64 "\n", tot->temporary);
	if (t->cost_measured)
		fprintf(out, "  allocator time   %.3f ms\n", (double)tot->cost_ns / 1e6);
	else
		fprintf(out, "  allocator time   %s\n", not_measured);
	if (tot->gort_objects || tot->gc_cycles || tot->stack_grows || tot->goroutines) {
		fprintf(out, "  gort objects     %" PRIu64 " (%" PRIu64 " swept)\n",
		        tot->gort_objects, tot->gort_frees);
		fprintf(out, "  GC cycles        %" PRIu64 "\n", tot->gc_cycles);
		fprintf(out, "  stack grows      %" PRIu64 " (%" PRIu64 " bytes of segments)\n",
		        tot->stack_grows, tot->stack_grow_bytes);
		fprintf(out, "  goroutines       %" PRIu64 "\n", tot->goroutines);
	}
	if (tot->unknown_frees)
		fprintf(out, "  frees of blocks allocated before tracing: %" PRIu64 "\n",
		        tot->unknown_frees);
	if (tot->lost)
		fprintf(out, "  events lost by the tracer: %" PRIu64 "\n", tot->lost);
}

static void text_sites(FILE *out, const struct loaded_trace *t, const site *sites, size_t n,
                       const char *sort)
{
	fprintf(out, "\ntop %zu allocation site%s by %s:\n", n, n == 1 ? "" : "s", sort);
	for (size_t i = 0; i < n; i++) {
		const site *s = &sites[i];
		char name[512], b1[32], b2[32], b3[32];
		fprintf(out, "\n  #%zu %s", i + 1, esc_frame_format(s->frame, name, sizeof name));
		if (s->frame->file)
			fprintf(out, " at %s:%d", s->frame->file, s->frame->line);
		fprintf(out, "\n     %" PRIu64 " allocation%s, %s; in use at peak %s; leaked %s",
		        s->allocations, s->allocations == 1 ? "" : "s",
		        human(s->bytes, b1, sizeof b1), human(s->peak_bytes, b2, sizeof b2),
		        human(s->leaked_bytes, b3, sizeof b3));
		if (t->cost_measured)
			fprintf(out, "; cost %.1f us", (double)s->cost_ns / 1e3);
		else
			fprintf(out, "; cost %s", not_measured);
		fprintf(out, "; temporary %" PRIu64 "; %s\n", s->temporary, site_verdict(s));
		site_path(s, t->sym, print_frame_text, out);
	}
}

/* ---- json ---------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	esc_json(out, s ? s : "");
	fputc('"', out);
}

struct json_path {
	FILE *out;
	bool first;
};

static void print_frame_json(const esc_frame *f, void *arg)
{
	struct json_path *p = arg;
	char name[512];
	fputs(p->first ? "" : ", ", p->out);
	p->first = false;
	json_str(p->out, esc_frame_format(f, name, sizeof name));
}

static void json_totals(FILE *out, const struct loaded_trace *t)
{
	const agg_totals *tot = agg_totals_of(t->agg);
	fprintf(out, "{\n  \"version\": 1,\n  \"program\": ");
	json_str(out, t->exe);
	fprintf(out, ", \"pid\": %" PRIu32 ",\n", t->pid);
	fprintf(out,
	        "  \"totals\": { \"allocations\": %" PRIu64 ", \"frees\": %" PRIu64
	        ", \"bytes_allocated\": %" PRIu64 ", \"peak_bytes\": %" PRIu64
	        ",\n              \"leaked_bytes\": %" PRIu64 ", \"leaked_allocations\": %" PRIu64
	        ", \"temporary\": %" PRIu64 ",\n              \"gc_cycles\": %" PRIu64
	        ", \"stack_grows\": %" PRIu64 ", \"goroutines\": %" PRIu64
	        ", \"truncated\": %s,\n              \"cost_ns\": %" PRIu64
	        ", \"cost_measured\": %s"
	        ", \"gort_objects\": %" PRIu64 ", \"gort_frees\": %" PRIu64
	        ",\n              \"unknown_frees\": %" PRIu64 ", \"lost_events\": %" PRIu64
	        " },\n",
	        tot->allocations, tot->frees, tot->bytes_allocated, tot->peak_bytes,
	        tot->leaked_bytes, tot->leaked_allocations, tot->temporary, tot->gc_cycles,
	        tot->stack_grows, tot->goroutines, t->truncated ? "true" : "false", tot->cost_ns,
	        t->cost_measured ? "true" : "false", tot->gort_objects, tot->gort_frees,
	        tot->unknown_frees, tot->lost);
	if (t->truncated) {
		fprintf(out, "  \"warning\": ");
		json_str(out, t->message);
		fprintf(out, ",\n");
	}
}

/* Opens an object with the place a frame names: function, file, line,
 * module (the keys a site and a stack-frame row share). */
static void json_place(FILE *out, const esc_frame *f)
{
	char name[512];
	fprintf(out, "{ \"function\": ");
	json_str(out, esc_frame_format(f, name, sizeof name));
	fprintf(out, ", \"file\": ");
	json_str(out, f->file);
	fprintf(out, ", \"line\": %d, \"module\": ", f->line);
	json_str(out, f->module);
}

static void json_site(FILE *out, const struct loaded_trace *t, const site *s)
{
	fprintf(out, "    ");
	json_place(out, s->frame);
	fprintf(out,
	        ",\n      \"allocations\": %" PRIu64 ", \"bytes\": %" PRIu64
	        ", \"peak_bytes\": %" PRIu64 ", \"leaked_bytes\": %" PRIu64
	        ", \"cost_ns\": %" PRIu64 ", \"verdict\": \"%s\",\n      \"frees\": %" PRIu64
	        ", \"leaked_allocations\": %" PRIu64 ", \"temporary\": %" PRIu64
	        ", \"frame_local\": %" PRIu64 ", \"escaped\": %" PRIu64 ",\n      \"stack\": [",
	        s->allocations, s->bytes, s->peak_bytes, s->leaked_bytes, s->cost_ns,
	        site_verdict(s), s->frees, s->leaked_allocations, s->temporary, s->frame_local,
	        s->escaped);
	struct json_path p = {out, true};
	site_path(s, t->sym, print_frame_json, &p);
	fprintf(out, "] }");
}

static void json_sites(FILE *out, const struct loaded_trace *t, const site *sites, size_t n)
{
	fprintf(out, "  \"sites\": [");
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n" : "\n", out);
		json_site(out, t, &sites[i]);
	}
	fprintf(out, "%s],\n", n ? "\n  " : "");
}

/* ---- stack frames (--frames) ---------------------------------------------- */

static void text_frames(FILE *out, const frame_fn *fns, size_t n, size_t total)
{
	if (!total)
		return;
	fprintf(out,
	        "\nstack frames (record --frames): top %zu of %zu function%s by stack bytes\n"
	        "  frame: bytes of one call, largest and mean; stack: frame bytes summed over\n"
	        "  calls; deepest: stack in use at the function's deepest call, from the\n"
	        "  outermost traced function; heap: bytes the function itself allocated;\n"
	        "  verdict: of its allocations (escaped N/M: N of the M with a verdict).\n\n"
	        "  %9s %9s %10s %11s %11s %11s  %-11s  %s\n",
	        n, total, total == 1 ? "" : "s", "frame max", "mean", "calls", "stack", "deepest",
	        "heap", "verdict", "function");
	for (size_t i = 0; i < n; i++) {
		const frame_fn *f = &fns[i];
		char name[512], b1[32], b2[32], b3[32], fm[32], mean[32], verdict[64];
		if (f->sized) {
			snprintf(fm, sizeof fm, "%" PRIu64, f->frame_max);
			snprintf(mean, sizeof mean, "%" PRIu64, frame_fn_mean(f));
		} else {
			strcpy(fm, "-");
			strcpy(mean, "-");
		}
		/* the mix, when some allocations escaped and others did not */
		if (f->escaped && f->frame_local)
			snprintf(verdict, sizeof verdict, "escaped %" PRIu64 "/%" PRIu64,
			         f->escaped, f->escaped + f->frame_local);
		else
			snprintf(verdict, sizeof verdict, "%s", frame_fn_verdict(f));
		fprintf(out, "  %9s %9s %10" PRIu64 " %11s %11s %11s  %-11s  %s", fm, mean,
		        f->calls, human(f->stack_bytes, b1, sizeof b1),
		        human(f->deepest, b2, sizeof b2), human(f->heap_bytes, b3, sizeof b3),
		        verdict, esc_frame_format(f->frame, name, sizeof name));
		if (f->frame->file)
			fprintf(out, " (%s:%d)", f->frame->file, f->frame->line);
		fputc('\n', out);
	}
}

static void json_frames(FILE *out, const frame_fn *fns, size_t n)
{
	fprintf(out, "  \"frames\": [");
	for (size_t i = 0; i < n; i++) {
		const frame_fn *f = &fns[i];
		fprintf(out, "%s    ", i ? ",\n" : "\n");
		json_place(out, f->frame);
		fprintf(out,
		        ",\n      \"calls\": %" PRIu64 ", \"measured_calls\": %" PRIu64
		        ", \"frame_bytes_max\": %" PRIu64 ", \"frame_bytes_mean\": %" PRIu64
		        ",\n      \"stack_bytes\": %" PRIu64 ", \"deepest_stack_bytes\": %" PRIu64
		        ", \"heap_bytes\": %" PRIu64 ", \"heap_allocations\": %" PRIu64
		        ",\n      \"frame_local\": %" PRIu64 ", \"escaped\": %" PRIu64
		        ", \"verdict\": \"%s\" }",
		        f->calls, f->sized, f->frame_max, frame_fn_mean(f), f->stack_bytes,
		        f->deepest, f->heap_bytes, f->heap_allocations, f->frame_local, f->escaped,
		        frame_fn_verdict(f));
	}
	fprintf(out, "%s],\n", n ? "\n  " : "");
}

/* Goroutines still alive when the trace ended.  "wait" is what each was
 * doing then (Go's wait reason, or "runnable"/"running") from the trace's
 * goroutine state records; "unknown" in traces without them (format
 * version 2 and older, or a program that was killed). */
static void json_goroutines(FILE *out, const struct loaded_trace *t)
{
	size_t n;
	agg_goroutine *gs = agg_goroutines_alive(t->agg, &n);
	fprintf(out, "  \"goroutines_blocked\": [");
	for (size_t i = 0; i < n; i++) {
		const esc_frame *by, *entry;
		char name[512];
		goroutine_origin(t->agg, t->sym, &gs[i], &by, &entry);
		fprintf(out, "%s    { \"id\": %" PRIu64 ", \"wait\": ", i ? ",\n" : "\n",
		        gs[i].goid);
		json_str(out, gs[i].state ? gs[i].state : "unknown");
		fprintf(out, ", \"created_by\": ");
		json_str(out, by ? esc_frame_format(by, name, sizeof name) : "");
		fprintf(out, ", \"file\": ");
		json_str(out, by ? by->file : NULL);
		fprintf(out, ", \"line\": %d, \"function\": ", by ? by->line : 0);
		json_str(out, entry ? esc_frame_format(entry, name, sizeof name) : "");
		fprintf(out, ", \"alive_at_exit\": true }");
	}
	fprintf(out, "%s]\n}\n", n ? "\n  " : "");
	free(gs);
}

static void text_goroutines(FILE *out, const struct loaded_trace *t)
{
	size_t n;
	agg_goroutine *gs = agg_goroutines_alive(t->agg, &n);
	if (n)
		fprintf(out, "\ngoroutines alive at exit: %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		const esc_frame *by, *entry;
		char name[512], from[512];
		goroutine_origin(t->agg, t->sym, &gs[i], &by, &entry);
		/* The state is the trace's text: kept to one line, without
		 * control characters (a terminal would obey them). */
		fprintf(out, "  goroutine %" PRIu64 " [", gs[i].goid);
		esc_folded(out, gs[i].state ? gs[i].state : "unknown");
		fprintf(out, "] %s, created by %s",
		        entry ? esc_frame_format(entry, name, sizeof name) : "?",
		        by ? esc_frame_format(by, from, sizeof from) : "?");
		if (by && by->file)
			fprintf(out, " at %s:%d", by->file, by->line);
		fputc('\n', out);
	}
	free(gs);
}

/* ---- the command --------------------------------------------------------- */

int cmd_report(int argc, char **argv)
{
	static const char *const sort_names[] = {"count", "bytes", "cost", "peak", "leaked"};
	struct options o;
	int rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	static const struct view_opts vo = {.no_tree = true};
	struct trace_view v;
	if (view_load("report", o.path, &vo, &v))
		return 1;
	const struct loaded_trace *t = &v.t;
	size_t n, nfns;
	site *sites = sites_build(t->agg, t->sym, o.sort, &n);
	frame_fn *fns = frame_fns_build(v.frames, t->sym, sites, n, &nfns);
	if (nfns == SIZE_MAX) {
		fprintf(stderr, "escapade report: out of memory\n");
		free(sites);
		view_free(&v);
		return 1;
	}
	long top = o.top >= 0 ? o.top : o.json ? 0 : 20;
	size_t shown = top > 0 && (size_t)top < n ? (size_t)top : n;
	size_t shown_fns = top > 0 && (size_t)top < nfns ? (size_t)top : nfns;
	if (o.json) {
		json_totals(stdout, t);
		json_sites(stdout, t, sites, shown);
		json_frames(stdout, fns, shown_fns);
		json_goroutines(stdout, t);
	} else {
		text_totals(stdout, t);
		text_sites(stdout, t, sites, shown, sort_names[o.sort]);
		text_frames(stdout, fns, shown_fns, nfns);
		text_goroutines(stdout, t);
	}
	free(fns);
	free(sites);
	view_free(&v);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "escapade report: writing the report failed\n");
		return 1;
	}
	return 0;
}
