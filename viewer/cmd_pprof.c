/*
 * viewer/cmd_pprof.c — `escapade pprof TRACE`: the trace as a gzipped
 * pprof profile, with Go's heap profile sample types (alloc_objects,
 * alloc_space, inuse_objects, inuse_space) and escapade's own (cost, peak,
 * stack bytes); functions, file:line, and one mapping per module of the
 * trace's module map.  `go tool pprof -top TRACE.pb.gz` reads it.
 */
#include "config.h"

#include "viewer/commands.h"

#include <stdlib.h>

#include "cmdline.h"
#include "pprof.h"
#include "view.h"

static const char usage[] =
        "usage: escapade pprof TRACE [-o FILE.pb.gz]\n"
        "\n"
        "Writes the trace as a pprof profile (profile.proto, gzipped) with Go's heap\n"
        "sample types; read it with `go tool pprof`.\n"
        "\n"
        "  -o, --output F   write to F (default: TRACE.pb.gz; - for standard output)\n"
        "  -h, --help       this help\n";

int cmd_pprof(int argc, char **argv)
{
	struct cmdline c = {.cmd = "pprof", .usage = usage, .ntraces = 1};
	struct trace_view v;
	FILE *out;
	char *name;
	int rc = cmdline_start(&c, argc, argv, NULL, ".pb.gz", &v, &out, &name);
	if (rc != CMDLINE_GO)
		return rc;
	bool failed = pprof_write(out, v.tree, v.t.exe, (int64_t)v.start_realtime_ns,
	                          (int64_t)v.duration_ns) < 0;
	return cmdline_finish(&c, out, name, &v, failed, true);
}
