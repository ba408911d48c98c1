/*
 * viewer_bench.c — how fast the viewer turns many unique stacks into its
 * outputs, in Go's benchmark line format.
 *
 * The input is synthetic folded text with N unique stacks shaped like a real
 * program's: a common prefix (main, a dispatcher), then six levels chosen by
 * the digits of the stack number among ten functions each (so stacks share
 * prefixes the way call paths do), then an allocator frame.  Names are 20-40
 * characters, as C and C++ symbols are.
 *
 *   Parse     folded text -> sorted call tree
 *   Folded    call tree -> folded text (the trivial output: the baseline)
 *   FlameSVG  call tree -> SVG; svg-bytes is the size of the file
 *   EndToEnd  folded text -> SVG, what `flamegraph.pl` does (21 s for 100k
 *             and 256 s for 1M stacks on these machines)
 *
 * Flags: -bench SUBSTRING (run the benchmarks whose name contains it),
 * -count N (repeat each), -stacks N (one size only, e.g. under callgrind);
 * other go test flags are accepted and ignored.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calltree.h"
#include "flame.h"
#include "folded.h"

static const char *const layers[] = {"net_http_handler",    "json_decode_value",
                                     "parse_object",        "runtime_newobject_slow",
                                     "hashmap_insert_grow", "vector_push_back_realloc"};

static char *make_folded(long n, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	for (long i = 0; i < n; i++) {
		fputs("_start;__libc_start_main;main;server_run;dispatch_request", f);
		long d = i;
		for (int l = 0; l < 6; l++, d /= 10)
			fprintf(f, ";%s_%ld", layers[l],
			        d % 10 + (l ? 0 : 10 * ((i / 1000000) % 10)));
		fprintf(f, ";%s %ld\n", i % 3 ? "malloc" : "gort_newobject",
		        16 + (i * 7919) % 4096);
	}
	fclose(f);
	return buf;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static ct_tree *parse(const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "r");
	ct_tree *t = ct_new();
	char err[128];

	if (!t || folded_read(t, f, CT_BYTES, err, sizeof err) < 0) {
		fprintf(stderr, "viewer_bench: %s\n", err);
		exit(1);
	}
	fclose(f);
	ct_sort(t);
	return t;
}

static ssize_t count_write(void *cookie, const char *buf, size_t n)
{
	*(long *)cookie += (long)n;
	(void)buf;
	return (ssize_t)n;
}

/* Writes t as SVG (svg true) or folded text into a counting sink. */
static long write_out(const ct_tree *t, int svg)
{
	long size = 0;
	FILE *f = fopencookie(&size, "w", (cookie_io_functions_t){.write = count_write});
	flame_opts o;
	int rc;

	flame_defaults(&o, CT_BYTES);
	rc = svg ? flame_write(f, t, &o) : folded_write(f, t, CT_BYTES);
	fclose(f);
	if (rc < 0) {
		fputs("viewer_bench: write failed\n", stderr);
		exit(1);
	}
	return size;
}

static void report(const char *name, long stacks, double ns, const char *extra_unit, long extra)
{
	printf("BenchmarkViewer%s/stacks=%ld-1\t%8d\t%14.0f ns/op", name, stacks, 1, ns);
	if (extra_unit)
		printf("\t%10ld %s", extra, extra_unit);
	putchar('\n');
	fflush(stdout);
}

static int wanted(const char *filter, const char *name)
{
	return !filter || strstr(name, filter);
}

static void run(long n, const char *filter)
{
	size_t len;
	char *text = make_folded(n, &len);
	double t0 = now_ns();
	ct_tree *t = parse(text, len);
	double t1 = now_ns();

	if (wanted(filter, "Parse"))
		report("Parse", n, t1 - t0, "nodes", (long)ct_nodes(t));
	if (wanted(filter, "Folded")) {
		t0 = now_ns();
		long size = write_out(t, 0);
		report("Folded", n, now_ns() - t0, "folded-bytes", size);
	}
	if (wanted(filter, "FlameSVG")) {
		t0 = now_ns();
		long size = write_out(t, 1);
		report("FlameSVG", n, now_ns() - t0, "svg-bytes", size);
	}
	ct_free(t);
	if (wanted(filter, "EndToEnd")) {
		t0 = now_ns();
		t = parse(text, len);
		long size = write_out(t, 1);
		report("EndToEnd", n, now_ns() - t0, "svg-bytes", size);
		ct_free(t);
	}
	free(text);
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	int count = 1;
	long only = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: viewer_bench [-bench SUBSTRING] [-count N] [-stacks N]");
			return 0;
		}
		if (!strcmp(argv[i], "-bench") && i + 1 < argc)
			filter = argv[++i];
		else if (!strcmp(argv[i], "-count") && i + 1 < argc)
			count = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-stacks") && i + 1 < argc)
			only = atol(argv[++i]);
	}
	if (filter && !strncmp("Viewer", filter, 6))
		filter += 6;
	if (filter && (!strcmp(filter, ".") || !strcmp(filter, ".*")))
		filter = NULL;
	puts("# flamegraph.pl baseline: 21 s (100k stacks) and 256 s (1M) on these machines;"
	     " not run here");
	for (int c = 0; c < count; c++) {
		if (only) {
			run(only, filter);
			continue;
		}
		run(100000, filter);
		run(1000000, filter);
	}
	return 0;
}
