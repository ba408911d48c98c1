/*
 * pprof.h — the call tree as a pprof profile (profile.proto, gzipped), the
 * format `go tool pprof` and every pprof-speaking tool read.
 *
 * Sample types are Go's heap profile's, so a Go developer reads it as
 * `go tool pprof -sample_index=alloc_space` would show a Go program:
 *
 *   alloc_objects/count   allocations            (CT_COUNT)
 *   alloc_space/bytes     bytes allocated        (CT_BYTES)
 *   inuse_objects/count   allocations live at exit (CT_LEAKS)
 *   inuse_space/bytes     bytes live at exit     (CT_LEAKED)
 *
 * followed by escapade's own: alloc_cost/nanoseconds (CT_COST),
 * peak_space/bytes (CT_PEAK), stack_space/bytes (CT_STACK).  The default
 * sample type is alloc_space.
 */
#ifndef ESCAPADE_VIEWER_PPROF_H
#define ESCAPADE_VIEWER_PPROF_H

#include <stdint.h>
#include <stdio.h>

#include "calltree.h"

/* Writes t as a gzipped profile.proto message.  time_nanos (0 = unset) is
 * when the profile was taken, duration_nanos how long it covers.  exe (may
 * be NULL) is the traced program's path: its mapping goes first, since
 * pprof takes the first mapping as the main binary ("File:").  Returns 0,
 * or -1 on a write, compression or memory error. */
int pprof_write(FILE *out, const ct_tree *t, const char *exe, int64_t time_nanos,
                int64_t duration_nanos);

#endif
