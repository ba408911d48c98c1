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
#include "folded.h"

static void usage(FILE *f)
{
	fputs("usage: folded2out [-f FORMAT] [-m METRIC] [-o OUT] [IN]\n"
	      "Reads folded stacks (frame;frame;frame VALUE per line) from IN or stdin\n"
	      "and writes them as FORMAT: folded (default).\n"
	      "  -m METRIC  metric the values are: count, bytes (default), cost, peak,\n"
	      "             leaked, leaks, stack\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *format = "folded", *outpath = NULL;
	int metric = CT_BYTES, c;

	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	while ((c = getopt_long(argc, argv, "f:m:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'm':
			if ((metric = ct_metric_parse(optarg)) < 0) {
				fprintf(stderr, "folded2out: unknown metric '%s'\n", optarg);
				return 2;
			}
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	FILE *in = stdin, *out = stdout;
	if (optind < argc && !(in = fopen(argv[optind], "r"))) {
		fprintf(stderr, "folded2out: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	ct_tree *t = ct_new();
	char err[256];
	if (!t || folded_read(t, in, metric, err, sizeof err) < 0) {
		fprintf(stderr, "folded2out: %s: %s\n", optind < argc ? argv[optind] : "stdin",
		        t ? err : "out of memory");
		return 1;
	}
	if (outpath && !(out = fopen(outpath, "w"))) {
		fprintf(stderr, "folded2out: %s: %s\n", outpath, strerror(errno));
		return 1;
	}
	ct_sort(t);
	int rc;
	if (strcmp(format, "folded") == 0) {
		rc = folded_write(out, t, metric);
	} else {
		fprintf(stderr, "folded2out: unknown format '%s'\n", format);
		return 2;
	}
	if (rc < 0 || fclose(out) != 0) {
		fprintf(stderr, "folded2out: write error: %s\n", strerror(errno));
		return 1;
	}
	ct_free(t);
	return 0;
}
