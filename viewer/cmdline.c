/*
 * viewer/cmdline.c — one getopt_long table for the output commands (see
 * cmdline.h); an option a command does not accept is reported as unknown
 * to it.  Also the start (parse, load, open the output) and the end (close,
 * free) that the one-trace commands share.
 */
#include "config.h"

#include "cmdline.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "view.h"

static int usage_error(const struct cmdline *c, const char *fmt, const char *arg)
{
	fprintf(stderr, "escapade %s: ", c->cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", c->usage);
	return 2;
}

static int parse_pct(struct cmdline *c, const char *s)
{
	char *end;
	errno = 0;
	c->fail_pct = strtod(s, &end);
	if (errno || end == s || *end || c->fail_pct < 0)
		return usage_error(c, "--fail-on-increase wants a percentage >= 0, not '%s'", s);
	c->fail_set = true;
	return CMDLINE_GO;
}

/* Handles option ch; CMDLINE_GO or an exit status. */
static int option(struct cmdline *c, int ch)
{
	static const unsigned needs[128] = {['m'] = OPT_METRIC,
	                                    ['r'] = OPT_REVERSE,
	                                    ['i'] = OPT_INVERTED,
	                                    ['t'] = OPT_TITLE,
	                                    ['f'] = OPT_FAIL};
	static const char *const names[128] = {['m'] = "--metric",
	                                       ['r'] = "--reverse",
	                                       ['i'] = "--inverted",
	                                       ['t'] = "--title",
	                                       ['f'] = "--fail-on-increase"};
	if (ch > 0 && ch < 128 && needs[ch] && !(c->accept & needs[ch]))
		return usage_error(c, "option %s does not apply here", names[ch]);
	switch (ch) {
	case 'o':
		c->out = optarg;
		return CMDLINE_GO;
	case 'm':
		c->metric = view_metric(c->cmd, optarg);
		return c->metric < 0 ? 2 : CMDLINE_GO;
	case 'r':
		c->reverse = true;
		return CMDLINE_GO;
	case 'i':
		c->inverted = true;
		return CMDLINE_GO;
	case 't':
		c->title = optarg;
		return CMDLINE_GO;
	case 'f':
		return parse_pct(c, optarg);
	case 'h':
		fputs(c->usage, stdout);
		return 0;
	default:
		fputs(c->usage, stderr);
		return 2;
	}
}

int cmdline_parse(struct cmdline *c, int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"output", required_argument, NULL, 'o'},
	        {"metric", required_argument, NULL, 'm'},
	        {"reverse", no_argument, NULL, 'r'},
	        {"inverted", no_argument, NULL, 'i'},
	        {"title", required_argument, NULL, 't'},
	        {"fail-on-increase", required_argument, NULL, 'f'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	c->metric = CT_BYTES;
	optind = 1;
	int ch, rc;
	while ((ch = getopt_long(argc, argv, "o:m:h", longopts, NULL)) != -1)
		if ((rc = option(c, ch)) != CMDLINE_GO)
			return rc;
	if (argc - optind != c->ntraces)
		return usage_error(
		        c, "%s",
		        argc - optind < c->ntraces
		                ? (c->ntraces == 1 ? "which trace?" : "which two traces?")
		                : "too many arguments");
	for (int i = 0; i < c->ntraces; i++)
		c->traces[i] = argv[optind + i];
	return CMDLINE_GO;
}

int cmdline_start(struct cmdline *c, int argc, char **argv, const struct view_opts *o,
                  const char *suffix, struct trace_view *v, FILE **out, char **name)
{
	int rc = cmdline_parse(c, argc, argv);
	if (rc != CMDLINE_GO)
		return rc;
	if (view_load(c->cmd, c->traces[0], o, v))
		return 1;
	*out = view_output(c->cmd, c->traces[0], c->out, suffix, name);
	if (!*out) {
		view_free(v);
		return 1;
	}
	return CMDLINE_GO;
}

int cmdline_finish(const struct cmdline *c, FILE *out, char *name, struct trace_view *v,
                   bool failed, bool verbose)
{
	int rc = view_close(c->cmd, out, name, verbose) || failed;
	free(name);
	view_free(v);
	return rc;
}
