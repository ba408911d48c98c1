/*
 * main.c — the `escapade` command: a table of subcommands.
 *
 * `escapade COMMAND ARGS...` runs COMMAND; `escapade --help` (or no
 * arguments) lists them; an unknown command is an error that says how to
 * get the list.  Each command lives in its own file and parses its own
 * options (see commands.h).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "viewer/commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
        {"record", cmd_record, "run a program and record its heap and stack events"},
        {"dump", cmd_dump, "print every record of a trace as text"},
        {"report", cmd_report, "totals and the top allocation sites of a trace"},
        {"folded", cmd_folded, "folded stacks (flamegraph.pl, speedscope) of a trace"},
        {"flame", cmd_flame, "an interactive flame graph (SVG) of a trace"},
        {"diff", cmd_diff, "what changed between two traces (text, differential flame)"},
        {"html", cmd_html, "a self-contained HTML report of a trace"},
        {"timeline", cmd_timeline, "goroutines, collections, memory over time (Perfetto JSON)"},
        {"pprof", cmd_pprof, "a pprof profile (.pb.gz) of a trace, for go tool pprof"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: escapade COMMAND [ARGS...]\n\n"
	             "Escapade shows what a program put on the heap, what stayed on the\n"
	             "stack, and what each cost.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`escapade COMMAND --help` describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("escapade %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "escapade: unknown command '%s' (run 'escapade --help' for the list)\n",
	        argv[1]);
	return 2;
}
