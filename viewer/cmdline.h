/*
 * viewer/cmdline.h — the options the output commands share.
 *
 * folded, flame, html, pprof, timeline and diff take the same kind of
 * command line: one trace (two for diff), -o FILE, and some of --metric,
 * --reverse, --inverted, --title, --fail-on-increase.  One parser serves
 * them all; each command says which options it accepts and gives its help
 * text.  Usage errors exit 2, as for `escapade report`.
 */
#ifndef ESCAPADE_VIEWER_CMDLINE_H
#define ESCAPADE_VIEWER_CMDLINE_H

#include <stdbool.h>
#include <stdio.h>

/* Options a command accepts (flags of cmdline.accept). */
enum {
	OPT_METRIC = 1 << 0,
	OPT_REVERSE = 1 << 1,
	OPT_INVERTED = 1 << 2,
	OPT_TITLE = 1 << 3,
	OPT_FAIL = 1 << 4,
};

struct cmdline {
	/* in */
	const char *cmd;   /* "flame", ... */
	const char *usage; /* the whole --help text */
	unsigned accept;   /* OPT_* */
	int ntraces;       /* 1, or 2 for diff */
	/* out */
	const char *traces[2];
	const char *out; /* -o, NULL when absent */
	int metric;      /* enum ct_metric; CT_BYTES by default */
	bool reverse, inverted;
	const char *title; /* NULL: the output's default */
	bool fail_set;     /* --fail-on-increase given */
	double fail_pct;
};

/* Parses argv (argv[0] is the command).  Returns 0 to go on, or the exit
 * status to return at once: 0 after --help, 2 after a usage error (with a
 * message and the usage on stderr). */
int cmdline_parse(struct cmdline *c, int argc, char **argv);

/* cmdline_parse's result as "go on" (-1) or an exit status. */
#define CMDLINE_GO (-1)

struct trace_view;
struct view_opts;

/* The start every one-trace output command shares: parse argv, load the
 * trace (view_load with o), open the output (view_output with suffix).
 * Returns CMDLINE_GO with *v loaded, *out open and *name set (free it), or
 * the exit status to return (nothing left to free). */
int cmdline_start(struct cmdline *c, int argc, char **argv, const struct view_opts *o,
                  const char *suffix, struct trace_view *v, FILE **out, char **name);

/* The end: closes out (saying where it went when verbose), frees name and
 * v; returns the exit status, 1 when failed or a write failed. */
int cmdline_finish(const struct cmdline *c, FILE *out, char *name, struct trace_view *v,
                   bool failed, bool verbose);

#endif
