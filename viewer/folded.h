/*
 * folded.h — folded stacks, the text format of flamegraph.pl.
 *
 * One line per unique stack: frames outermost first joined by ';', a space,
 * an integer value ("main;parse;malloc 4096").  Read by flamegraph.pl,
 * speedscope, inferno; written here from a call tree, and read back into one
 * so every output can be produced (and tested) from plain text.
 */
#ifndef ESCAPADE_VIEWER_FOLDED_H
#define ESCAPADE_VIEWER_FOLDED_H

#include <stdio.h>

#include "calltree.h"

/* Writes one line per node whose self value of metric m is not zero, in
 * the tree's current child order (ct_sort first for sorted output).  Frame
 * names are sanitised with esc_folded.  Returns 0, or -1 on a write error. */
int folded_write(FILE *out, const ct_tree *t, enum ct_metric m);

/* Reads folded lines from in and adds each stack with its value on metric m.
 * Blank lines are skipped; a value must be a non-negative integer
 * (flamegraph.pl's "123.0" is accepted as 123).  Returns the number of
 * stacks added, or -1 with a message (line number and cause) in err. */
long folded_read(ct_tree *t, FILE *in, enum ct_metric m, char *err, size_t errlen);

#endif
