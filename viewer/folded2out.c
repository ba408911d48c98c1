/*
 * folded2out.c — folded stacks in, any viewer output out.
 *
 * A test and benchmark driver: it exercises every output end to end from
 * plain text, before (and independently of) the trace reader.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "flame.h"
#include "folded.h"
#include "html.h"
#include "pprof.h"
#include "timeline.h"

static void usage(FILE *f)
{
	fputs("usage: folded2out [OPTIONS] [IN]\n"
	      "Reads folded stacks (frame;frame;frame VALUE per line) from IN or stdin\n"
	      "and writes them in another format.\n"
	      "  -f FORMAT   folded (default), svg, pprof, html, timeline\n"
	      "  -m METRIC   what the values are: count, bytes (default), cost, peak,\n"
	      "              leaked, leaks, stack\n"
	      "  -o OUT      output file (default stdout)\n"
	      "  -t TITLE    title of the graph\n"
	      "  -i          icicle graph (--inverted)\n"
	      "  -r          stack-reversed graph (--reverse)\n"
	      "  -w PX       minimum frame width (default 0.1)\n"
	      "  -d BEFORE   differential flame graph of IN against folded file BEFORE\n"
	      "  -e EVENTS   timed events for html and timeline, one per line:\n"
	      "                goroutine TS_NS DUR_NS GOID FUNCTION\n"
	      "                gc TS_NS DUR_NS\n"
	      "                grow TS_NS GOID SEGMENT_BYTES FUNCTION\n"
	      "                heap TS_NS BYTES | stack TS_NS BYTES\n"
	      "  -p PROGRAM  program name shown by html and timeline\n"
	      "  -a METRIC=FILE  also read FILE's values as METRIC into the same tree\n"
	      "  -h          this help\n",
	      f);
}

struct args {
	const char *format, *out, *in, *title, *before, *events, *program;
	const char *also[CT_NMETRICS]; /* -a METRIC=FILE: more values, same tree */
	int metric;
	bool inverted, reverse;
	double minwidth;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int c;

	*a = (struct args){
	        .format = "folded", .metric = CT_BYTES, .minwidth = 0.1, .program = "program"};
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"inverted", no_argument, NULL, 'i'},
	                                     {"reverse", no_argument, NULL, 'r'},
	                                     {"title", required_argument, NULL, 't'},
	                                     {0}};
	while ((c = getopt_long(argc, argv, "f:m:o:t:irw:d:e:p:a:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->format = optarg;
			break;
		case 'm':
			if ((a->metric = ct_metric_parse(optarg)) < 0) {
				fprintf(stderr, "folded2out: unknown metric '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			a->out = optarg;
			break;
		case 't':
			a->title = optarg;
			break;
		case 'i':
			a->inverted = true;
			break;
		case 'r':
			a->reverse = true;
			break;
		case 'w':
			a->minwidth = strtod(optarg, NULL);
			break;
		case 'd':
			a->before = optarg;
			break;
		case 'e':
			a->events = optarg;
			break;
		case 'p':
			a->program = optarg;
			break;
		case 'a': {
			char *eq = strchr(optarg, '=');
			int m = -1;
			if (eq) {
				*eq = 0;
				m = ct_metric_parse(optarg);
			}
			if (m < 0) {
				fprintf(stderr, "folded2out: -a wants METRIC=FILE\n");
				return 2;
			}
			a->also[m] = eq + 1;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 < argc) {
		usage(stderr);
		return 2;
	}
	a->in = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* Adds a folded file (NULL: stdin) to t as metric, or exits. */
static void read_into(ct_tree *t, const char *path, int metric)
{
	FILE *in = path ? fopen(path, "r") : stdin;
	char err[256];

	if (!in) {
		fprintf(stderr, "folded2out: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (folded_read(t, in, metric, err, sizeof err) < 0) {
		fprintf(stderr, "folded2out: %s: %s\n", path ? path : "stdin", err);
		exit(1);
	}
	if (path)
		fclose(in);
}

/* Reads a folded file (NULL: stdin), and the -a files, into a sorted
 * tree, or exits. */
static ct_tree *load(const char *path, int metric, const char *const *also, bool reverse)
{
	ct_tree *t = ct_new();

	if (!t) {
		fputs("folded2out: out of memory\n", stderr);
		exit(1);
	}
	read_into(t, path, metric);
	for (int m = 0; also && m < CT_NMETRICS; m++)
		if (also[m])
			read_into(t, also[m], m);
	if (reverse) {
		ct_tree *r = ct_reverse(t);
		ct_free(t);
		if (!(t = r)) {
			fputs("folded2out: out of memory\n", stderr);
			exit(1);
		}
	}
	ct_sort(t);
	return t;
}

/* ---- events (-e) ---- */

struct events {
	tl_event *ev;
	size_t n;
	char **names; /* owned copies */
};

static void die(const char *what, size_t line)
{
	fprintf(stderr, "folded2out: events line %zu: %s\n", line, what);
	exit(1);
}

static void parse_event(const char *l, tl_event *e, char **name, size_t lineno)
{
	char kind[16], fn[1024] = "";
	unsigned long long a = 0, b = 0, c = 0, d = 0;
	int n = sscanf(l, "%15s %llu %llu %llu %1023[^\n]", kind, &a, &b, &c, fn);

	*e = (tl_event){.ts_ns = a};
	if (!strcmp(kind, "goroutine") && n == 5) {
		e->kind = TL_GOROUTINE, e->dur_ns = b, e->goid = c;
	} else if (!strcmp(kind, "gc") && n >= 3) {
		e->kind = TL_GC, e->dur_ns = b;
	} else if (!strcmp(kind, "grow") &&
	           sscanf(l, "%*s %llu %llu %llu %1023[^\n]", &a, &c, &d, fn) == 4) {
		e->kind = TL_STACK_GROW, e->goid = c, e->value = d;
	} else if ((!strcmp(kind, "heap") || !strcmp(kind, "stack")) && n >= 3) {
		e->kind = kind[0] == 'h' ? TL_HEAP : TL_STACK, e->value = b;
	} else {
		die("expected goroutine|gc|grow|heap|stack and its numbers", lineno);
	}
	e->name = *name = *fn ? strdup(fn) : NULL;
}

static struct events load_events(const char *path)
{
	struct events ev = {0};
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;

	if (!f) {
		fprintf(stderr, "folded2out: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		if (strspn(line, " \t\n") == strlen(line))
			continue;
		ev.ev = realloc(ev.ev, (ev.n + 1) * sizeof *ev.ev);
		ev.names = realloc(ev.names, (ev.n + 1) * sizeof *ev.names);
		if (!ev.ev || !ev.names)
			die("out of memory", lineno);
		parse_event(line, &ev.ev[ev.n], &ev.names[ev.n], lineno);
		ev.n++;
	}
	free(line);
	fclose(f);
	return ev;
}

static int write_timeline(FILE *out, const struct args *a, const struct events *ev)
{
	tl_writer *w = tl_open(out, a->program, 1);

	if (!w)
		return -1;
	for (size_t i = 0; i < ev->n; i++)
		tl_add(w, &ev->ev[i]);
	return tl_close(w);
}

/* ---- html: a summary derived from the tree and the events ---- */

struct sites {
	html_site *s;
	uint32_t *by_frame; /* frame -> site index + 1 */
	size_t n;
};

static bool site_visit(void *ctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct sites *ss = ctx;
	uint32_t fr = ct_node_at(t, node)->frame;
	uint64_t self[CT_NMETRICS];
	bool any = false;

	for (int m = 0; m < CT_NMETRICS; m++)
		any |= (self[m] = depth ? ct_self(t, node, m) : 0) != 0;
	if (!any)
		return true;
	if (!ss->by_frame[fr]) {
		const ct_frame *f = ct_frame_at(t, fr);
		ss->s[ss->n] = (html_site){.function = f->name,
		                           .file = f->file,
		                           .line = f->line,
		                           .verdict = "unknown"};
		ss->by_frame[fr] = (uint32_t)++ss->n;
	}
	html_site *x = &ss->s[ss->by_frame[fr] - 1];
	x->allocations += self[CT_COUNT], x->bytes += self[CT_BYTES];
	x->peak_bytes += self[CT_PEAK], x->leaked_bytes += self[CT_LEAKED];
	x->cost_ns += self[CT_COST];
	return true;
}

static int cmp_site(const void *a, const void *b)
{
	uint64_t x = ((const html_site *)a)->bytes, y = ((const html_site *)b)->bytes;
	return (x < y) - (x > y);
}

static void add_events(html_summary *s, const struct events *ev, html_point *pts, uint64_t *gcs)
{
	html_point last = {0};

	for (size_t i = 0; i < ev->n; i++) {
		const tl_event *e = &ev->ev[i];
		switch (e->kind) {
		case TL_GOROUTINE:
			s->goroutines++;
			break;
		case TL_GC:
			gcs[s->ngc++] = e->ts_ns;
			break;
		case TL_STACK_GROW:
			s->stack_grows++;
			break;
		case TL_HEAP:
		case TL_STACK:
			last.ts_ns = e->ts_ns;
			*(e->kind == TL_HEAP ? &last.heap_bytes : &last.stack_bytes) = e->value;
			pts[s->nseries++] = last;
			break;
		}
	}
	s->gc_cycles = s->ngc;
}

static int write_html(FILE *out, const struct args *a, const ct_tree *t, const struct events *ev)
{
	const ct_node *root = ct_node_at(t, 0);
	struct sites ss = {calloc(ct_frames(t) + 1, sizeof(html_site)),
	                   calloc(ct_frames(t) + 1, sizeof(uint32_t)), 0};
	html_point *pts = calloc(ev->n + 1, sizeof *pts);
	uint64_t *gcs = calloc(ev->n + 1, sizeof *gcs);
	html_summary s = {.program = a->program, .pid = 1};
	int rc = -1;

	if (!ss.s || !ss.by_frame || !pts || !gcs)
		goto out;
	ct_walk(t, site_visit, &ss);
	qsort(ss.s, ss.n, sizeof *ss.s, cmp_site);
	s.allocations = root->total[CT_COUNT], s.bytes_allocated = root->total[CT_BYTES];
	s.peak_bytes = root->total[CT_PEAK], s.leaked_bytes = root->total[CT_LEAKED];
	s.leaked_allocations = root->total[CT_LEAKS];
	s.sites = ss.s, s.nsites = ss.n < 100 ? ss.n : 100;
	s.series = pts, s.gc_ts_ns = gcs;
	add_events(&s, ev, pts, gcs);
	rc = html_write(out, t, &s);
out:
	free(ss.s);
	free(ss.by_frame);
	free(pts);
	free(gcs);
	return rc;
}

static int write_out(FILE *out, const struct args *a, ct_tree *t, const struct events *ev)
{
	if (strcmp(a->format, "folded") == 0)
		return folded_write(out, t, a->metric);
	if (strcmp(a->format, "svg") == 0) {
		flame_opts o;
		flame_defaults(&o, a->metric);
		o.title = a->title;
		o.inverted = a->inverted;
		o.minwidth = a->minwidth;
		if (!a->before)
			return flame_write(out, t, &o);
		ct_tree *before = load(a->before, a->metric, NULL, a->reverse);
		int rc = flame_write_diff(out, t, before, &o);
		ct_free(before);
		return rc;
	}
	if (strcmp(a->format, "html") == 0)
		return write_html(out, a, t, ev);
	if (strcmp(a->format, "timeline") == 0)
		return write_timeline(out, a, ev);
	if (strcmp(a->format, "pprof") == 0)
		return pprof_write(out, t, NULL, 0, 0);
	fprintf(stderr, "folded2out: unknown format '%s'\n", a->format);
	exit(2);
}

int main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc;
	struct events ev = {0};
	if (a.events)
		ev = load_events(a.events);
	ct_tree *t = strcmp(a.format, "timeline")
	                     ? load(a.in, a.metric, (const char *const *)a.also, a.reverse)
	                     : ct_new();
	FILE *out = a.out ? fopen(a.out, "w") : stdout;
	if (!out) {
		fprintf(stderr, "folded2out: %s: %s\n", a.out, strerror(errno));
		return 1;
	}
	if (write_out(out, &a, t, &ev) < 0 || fclose(out) != 0) {
		fprintf(stderr, "folded2out: write error: %s\n", strerror(errno));
		return 1;
	}
	ct_free(t);
	for (size_t i = 0; i < ev.n; i++)
		free(ev.names[i]);
	free(ev.names);
	free(ev.ev);
	return 0;
}
