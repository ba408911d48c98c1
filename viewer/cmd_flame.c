/*
 * viewer/cmd_flame.c — `escapade flame TRACE`: an interactive flame graph
 * (self-contained SVG: zoom, search, tooltips) of one metric.
 *
 * --reverse merges call paths by the allocating function (leaf first),
 * --inverted draws an icicle graph.  The `stack` metric weighs paths by
 * their frames' bytes in a `record --frames` trace, otherwise by the stack
 * segment bytes they made the goroutine grow.  The SVG goes to
 * TRACE.svg unless -o says otherwise (-o - for stdout).
 */
#include "config.h"

#include "viewer/commands.h"

#include <stdlib.h>

#include "cmdline.h"
#include "flame.h"
#include "view.h"

static const char usage[] =
        "usage: escapade flame TRACE [-o FILE.svg] [--metric M] [--reverse] [--inverted]\n"
        "                            [--title T]\n"
        "\n"
        "Draws the trace's call paths as an interactive flame graph (SVG).\n"
        "\n"
        "  -m, --metric M   count, bytes (default), cost, peak, leaked, leaks, stack\n"
        "                   (stack: frame bytes per path in a --frames trace, else\n"
        "                   bytes of the stack segments each path made grow)\n"
        "  --reverse        merge paths by the allocating function (leaf at the root)\n"
        "  --inverted       icicle graph: root at the top\n"
        "  --title T        the graph's title\n"
        "  -o, --output F   write to F (default: TRACE.svg; - for standard output)\n"
        "  -h, --help       this help\n";

static int draw(FILE *out, const struct cmdline *c, const struct trace_view *v, ct_tree *tree)
{
	flame_opts o;
	flame_defaults(&o, (enum ct_metric)c->metric);
	o.inverted = c->inverted;
	o.subtitle = v->t.exe;
	if (c->title)
		o.title = c->title;
	ct_sort(tree);
	return flame_write(out, tree, &o) < 0;
}

int cmd_flame(int argc, char **argv)
{
	struct cmdline c = {.cmd = "flame",
	                    .usage = usage,
	                    .accept = OPT_METRIC | OPT_REVERSE | OPT_INVERTED | OPT_TITLE,
	                    .ntraces = 1};
	struct trace_view v;
	FILE *out;
	char *name;
	int rc = cmdline_start(&c, argc, argv, NULL, ".svg", &v, &out, &name);
	if (rc != CMDLINE_GO)
		return rc;
	ct_tree *reversed = c.reverse ? ct_reverse(v.tree) : NULL;
	bool failed = c.reverse && !reversed;
	if (failed)
		fprintf(stderr, "escapade flame: out of memory\n");
	else
		failed = draw(out, &c, &v, reversed ? reversed : v.tree);
	ct_free(reversed);
	return cmdline_finish(&c, out, name, &v, failed, true);
}
