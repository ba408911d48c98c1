/*
 * viewer/cmd_folded.c — `escapade folded TRACE`: the trace's call tree as
 * folded stacks (flamegraph.pl, speedscope, inferno read them).
 *
 * One line per call path whose own value of the metric is not zero,
 * outermost frame first; the lines of a metric add up to the total that
 * `escapade report` gives for it.  Written to stdout unless -o says.
 */
#include "config.h"

#include "viewer/commands.h"

#include <stdlib.h>

#include "cmdline.h"
#include "folded.h"
#include "view.h"

static const char usage[] =
        "usage: escapade folded TRACE [--metric M] [-o FILE]\n"
        "\n"
        "Prints the trace's allocating call paths as folded stacks (\"main;f;g 4096\"),\n"
        "the input of flamegraph.pl and speedscope.\n"
        "\n"
        "  -m, --metric M   count, bytes (default), cost, peak, leaked, leaks, stack\n"
        "  -o, --output F   write to F (default: standard output)\n"
        "  -h, --help       this help\n";

int cmd_folded(int argc, char **argv)
{
	struct cmdline c = {.cmd = "folded", .usage = usage, .accept = OPT_METRIC, .ntraces = 1};
	struct trace_view v;
	FILE *out;
	char *name;
	int rc = cmdline_start(&c, argc, argv, NULL, NULL, &v, &out, &name);
	if (rc != CMDLINE_GO)
		return rc;
	ct_sort(v.tree);
	bool failed = folded_write(out, v.tree, (enum ct_metric)c.metric) < 0;
	return cmdline_finish(&c, out, name, &v, failed, false);
}
