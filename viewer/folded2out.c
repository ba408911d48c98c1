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
#include "pprof.h"

static void usage(FILE *f)
{
	fputs("usage: folded2out [OPTIONS] [IN]\n"
	      "Reads folded stacks (frame;frame;frame VALUE per line) from IN or stdin\n"
	      "and writes them in another format.\n"
	      "  -f FORMAT   folded (default), svg, pprof\n"
	      "  -m METRIC   what the values are: count, bytes (default), cost, peak,\n"
	      "              leaked, leaks, stack\n"
	      "  -o OUT      output file (default stdout)\n"
	      "  -t TITLE    title of the graph\n"
	      "  -i          icicle graph (--inverted)\n"
	      "  -r          stack-reversed graph (--reverse)\n"
	      "  -w PX       minimum frame width (default 0.1)\n"
	      "  -d BEFORE   differential flame graph of IN against folded file BEFORE\n"
	      "  -h          this help\n",
	      f);
}

struct args {
	const char *format, *out, *in, *title, *before;
	int metric;
	bool inverted, reverse;
	double minwidth;
};

static int parse_args(int argc, char **argv, struct args *a)
{
	int c;

	*a = (struct args){.format = "folded", .metric = CT_BYTES, .minwidth = 0.1};
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"inverted", no_argument, NULL, 'i'},
	                                     {"reverse", no_argument, NULL, 'r'},
	                                     {"title", required_argument, NULL, 't'},
	                                     {0}};
	while ((c = getopt_long(argc, argv, "f:m:o:t:irw:d:h", opts, NULL)) != -1) {
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

/* Reads a folded file (NULL: stdin) into a sorted tree, or exits. */
static ct_tree *load(const char *path, int metric, bool reverse)
{
	FILE *in = path ? fopen(path, "r") : stdin;
	char err[256];
	ct_tree *t = ct_new();

	if (!in) {
		fprintf(stderr, "folded2out: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if (!t || folded_read(t, in, metric, err, sizeof err) < 0) {
		fprintf(stderr, "folded2out: %s: %s\n", path ? path : "stdin",
		        t ? err : "out of memory");
		exit(1);
	}
	if (path)
		fclose(in);
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

static int write_out(FILE *out, const struct args *a, ct_tree *t)
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
		ct_tree *before = load(a->before, a->metric, a->reverse);
		int rc = flame_write_diff(out, t, before, &o);
		ct_free(before);
		return rc;
	}
	if (strcmp(a->format, "pprof") == 0)
		return pprof_write(out, t, 0, 0);
	fprintf(stderr, "folded2out: unknown format '%s'\n", a->format);
	exit(2);
}

int main(int argc, char **argv)
{
	struct args a;
	int rc = parse_args(argc, argv, &a);

	if (rc)
		return rc;
	ct_tree *t = load(a.in, a.metric, a.reverse);
	FILE *out = a.out ? fopen(a.out, "w") : stdout;
	if (!out) {
		fprintf(stderr, "folded2out: %s: %s\n", a.out, strerror(errno));
		return 1;
	}
	if (write_out(out, &a, t) < 0 || fclose(out) != 0) {
		fprintf(stderr, "folded2out: write error: %s\n", strerror(errno));
		return 1;
	}
	ct_free(t);
	return 0;
}
