/*
 * internal.h — what gort's files share with each other and no one else.
 *
 * The public surface is gort.h (programs) and probes.h (tools).  Everything
 * here is private to runtime/: names carry no gort_ prefix unless they are
 * exported for the tests.  Sections follow the runtime's concepts; each is
 * owned by the file(s) named in its heading.
 */
#ifndef GORT_INTERNAL_H
#define GORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gort.h"
#include "probes.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* ---- probes.c: the registered probe table ------------------------------ */

/* The live probe table.  Read a field once into a local, test it, call it:
 *     void (*p)(...) = gort_probe_table.newobject; if (unlikely(p)) p(...);
 */
extern gort_probes gort_probe_table;

#endif /* GORT_INTERNAL_H */
