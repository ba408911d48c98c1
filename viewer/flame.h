/*
 * flame.h — interactive flame graphs as self-contained SVG.
 *
 * One renderer draws every flame graph of the viewer: plain (coloured by
 * name, with a palette per metric kind), icicle (inverted), stack-reversed,
 * embedded in the HTML report, and differential (coloured by the change
 * between two trees).  What differs is a colouring callback and a tooltip
 * note; the layout, pruning and script are shared.
 */
#ifndef ESCAPADE_VIEWER_FLAME_H
#define ESCAPADE_VIEWER_FLAME_H

#include <stdbool.h>
#include <stdio.h>

#include "calltree.h"

/* Colours a node: writes "#rrggbb" into rgb.  note, if set, appends a
 * tooltip line for the node (escaped by the caller with esc_xml). */
typedef struct flame_style {
	void (*color)(void *ctx, const ct_tree *t, uint32_t node, char rgb[8]);
	void (*note)(void *ctx, const ct_tree *t, uint32_t node, FILE *f);
	void *ctx;
} flame_style;

typedef struct flame_opts {
	enum ct_metric metric;
	const char *title;        /* default "Flame Graph" / "Icicle Graph" */
	const char *subtitle;     /* optional second line */
	bool inverted;            /* icicle: root at the top, growing down */
	double width;             /* image width in px (default 1200) */
	double minwidth;          /* frames narrower than this (px) are pruned (0.1) */
	size_t max_bytes;         /* frames beyond this estimated size are pruned,
	                           * widest kept (default 900 KB; 0 = default) */
	bool embedded;            /* no XML prolog nor script: for the HTML page */
	const flame_style *style; /* NULL: colour by name, palette by metric */
} flame_opts;

/* Fills o with the defaults for metric m. */
void flame_defaults(flame_opts *o, enum ct_metric m);

/* Writes the SVG of t (sorted with ct_sort beforehand for flamegraph.pl's
 * alphabetical order).  Returns 0, or -1 on a write or memory error. */
int flame_write(FILE *out, const ct_tree *t, const flame_opts *o);

/* The script that makes a flame SVG interactive: defines escFlame(svg).
 * flame_write includes it when not embedded; the HTML page includes it once
 * for all its graphs. */
extern const char flame_script[];

/* Differential flame graph: draws after, each frame coloured by how its
 * total changed since before (red grew, blue shrank, grey unchanged; a frame
 * absent from before counts as grown from 0).  Frames only in before are
 * not drawn. */
int flame_write_diff(FILE *out, const ct_tree *after, const ct_tree *before, const flame_opts *o);

#endif
