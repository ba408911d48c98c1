/*
 * flame.c — the flame graph renderer (see flame.h).
 *
 * Layout follows flamegraph.pl: a frame's width is its total over the
 * root's, siblings sit side by side in name order, a child starts where its
 * parent does; y is the depth (from the bottom, or from the top for an
 * icicle).  Two walks over the tree:
 *
 *   1. measure: every frame at least minwidth wide is a candidate; their
 *      totals are sorted and the widest are kept while the estimated file
 *      size stays under max_bytes.  As a child is never wider than its
 *      parent, "total >= threshold" keeps whole subtrees' tops: the kept set
 *      is a tree, and the pruning is one number.
 *   2. draw: every kept frame becomes <g class="f"><title/><rect/><text/></g>.
 *
 * Labels are cut to fit server-side (so the file reads without script) and
 * again by the script after a zoom.  The script keeps the original geometry
 * in memory, not in attributes, to keep the file small.
 */
#include "flame.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

#define PAD       10.0
#define FRAME_H   16
#define FONT_SIZE 12
#define FONT_W    0.59 /* average glyph width / font size (Verdana) */
#define TOP       (FONT_SIZE * 4)
#define BOTTOM    (FONT_SIZE * 2 + 10)

void flame_defaults(flame_opts *o, enum ct_metric m)
{
	memset(o, 0, sizeof *o);
	o->metric = m;
	o->width = 1200;
	o->minwidth = 0.1;
	o->max_bytes = 900 * 1024;
}

/* ---- colours ---- */

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Deterministic colour by name: the same function has the same colour in
 * every graph.  Heap metrics get warm colours, stack bytes cool ones. */
static void color_by_name(void *ctx, const ct_tree *t, uint32_t node, char rgb[8])
{
	const enum ct_metric *m = ctx;
	uint32_t h = name_hash(ct_name(t, node));
	double v1 = (h & 0xff) / 255.0, v2 = ((h >> 8) & 0xff) / 255.0,
	       v3 = ((h >> 16) & 0xff) / 255.0;
	int r, g, b;

	if (*m == CT_STACK) {
		r = 50 + (int)(60 * v1), g = 150 + (int)(70 * v2), b = 180 + (int)(60 * v3);
	} else {
		r = 205 + (int)(50 * v3), g = (int)(230 * v1), b = (int)(55 * v2);
	}
	snprintf(rgb, 8, "#%02x%02x%02x", r, g, b);
}

/* ---- tooltips ---- */

static const char *unit_label(enum ct_metric m)
{
	switch (m) {
	case CT_COUNT:
		return "allocations";
	case CT_LEAKS:
		return "leaked allocations";
	case CT_COST:
		return "ns";
	case CT_STACK:
		return "stack bytes";
	default:
		return "bytes";
	}
}

/* ---- pass 1: measure ---- */

struct cand {
	uint64_t total;
	uint32_t bytes; /* estimated SVG size of the frame */
};

struct measure {
	const flame_opts *o;
	uint64_t minval;
	struct cand *c;
	size_t n, cap;
	int oom;
};

static bool measure_visit(void *vctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct measure *m = vctx;
	uint64_t total = ct_node_at(t, node)->total[m->o->metric];

	if (total == 0 || total < m->minval)
		return false;
	if (!grow_array(&m->c, &m->cap, m->n + 1, sizeof *m->c, 4096)) {
		m->oom = 1;
		return false;
	}
	/* markup + name in title + label, escaping counted roughly */
	m->c[m->n++] = (struct cand){total, 150 + 2 * (uint32_t)strlen(ct_name(t, node))};
	return true;
}

static int cmp_cand_desc(const void *a, const void *b)
{
	uint64_t x = ((const struct cand *)a)->total, y = ((const struct cand *)b)->total;
	return (x < y) - (x > y);
}

/* The smallest total a frame must have to be drawn, or 0 on error. */
static uint64_t threshold(const ct_tree *t, const flame_opts *o)
{
	uint64_t root = ct_node_at(t, 0)->total[o->metric];
	double span = o->width - 2 * PAD;
	struct measure m = {.o = o};
	uint64_t thr;

	m.minval = (uint64_t)((double)root * o->minwidth / span);
	if (m.minval == 0)
		m.minval = 1;
	ct_walk(t, measure_visit, &m);
	if (m.oom) {
		free(m.c);
		return 0;
	}
	qsort(m.c, m.n, sizeof *m.c, cmp_cand_desc);
	size_t budget = o->max_bytes ? o->max_bytes : 900 * 1024, used = 0, i;
	for (i = 0; i < m.n && used + m.c[i].bytes <= budget; i++)
		used += m.c[i].bytes;
	thr = m.minval;
	if (i < m.n) {
		/* keep strictly wider than the first frame that did not fit */
		thr = m.c[i].total + 1;
	}
	free(m.c);
	return thr;
}

/* ---- pass 2: draw ---- */

struct draw {
	FILE *out;
	const flame_opts *o;
	const flame_style *style;
	uint64_t thr, root;
	double scale; /* px per unit */
	uint64_t *cursor;
	size_t cap;
	uint32_t maxdepth;
	size_t pruned; /* frames not drawn whose parent is (callees not counted) */
	double height;
	int oom;
};

static int reserve_depth(struct draw *d, uint32_t depth)
{
	return grow_array(&d->cursor, &d->cap, (size_t)depth + 2, sizeof *d->cursor, 256) ? 0 : -1;
}

static bool depth_visit(void *vctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct draw *d = vctx;

	uint64_t total = ct_node_at(t, node)->total[d->o->metric];

	if (total < d->thr) {
		d->pruned += total != 0;
		return false;
	}
	if (depth > d->maxdepth)
		d->maxdepth = depth;
	return true;
}

static void draw_frame(struct draw *d, const ct_tree *t, uint32_t node, uint32_t depth, uint64_t x)
{
	FILE *f = d->out;
	const char *name = ct_name(t, node);
	uint64_t total = ct_node_at(t, node)->total[d->o->metric];
	double px = PAD + (double)x * d->scale, w = (double)total * d->scale;
	double y =
	        d->o->inverted ? TOP + depth * FRAME_H : d->height - BOTTOM - (depth + 1) * FRAME_H;
	char rgb[8];

	d->style->color(d->style->ctx, t, node, rgb);
	fputs("<g class=\"f\"><title>", f);
	esc_xml(f, name, 0);
	putc('\n', f);
	esc_num(f, total);
	fprintf(f, " %s (%.2f%%)", unit_label(d->o->metric),
	        100.0 * (double)total / (double)d->root);
	if (d->style->note) {
		putc('\n', f);
		d->style->note(d->style->ctx, t, node, f);
	}
	fprintf(f, "</title><rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
	        px, y, w, FRAME_H - 1, rgb);
	size_t fit = (size_t)((w - 6) / (FONT_SIZE * FONT_W));
	if (fit >= 3) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", px + 3, y + FRAME_H - 4.5);
		esc_xml(f, name, esc_width(name) > fit ? fit - 2 : 0);
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
}

static bool draw_visit(void *vctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct draw *d = vctx;
	uint64_t total = ct_node_at(t, node)->total[d->o->metric];

	if (reserve_depth(d, depth) < 0) {
		d->oom = 1;
		return false;
	}
	if (depth == 0)
		d->cursor[0] = 0;
	uint64_t x = d->cursor[depth];
	d->cursor[depth] += total;
	d->cursor[depth + 1] = x;
	if (total < d->thr)
		return false;
	draw_frame(d, t, node, depth, x);
	return true;
}

static void write_head(struct draw *d)
{
	FILE *f = d->out;
	const flame_opts *o = d->o;
	const char *title = o->title ? o->title : o->inverted ? "Icicle Graph" : "Flame Graph";

	if (!o->embedded)
		fputs("<?xml version=\"1.0\" standalone=\"no\"?>\n", f);
	fprintf(f,
	        "<svg class=\"flame\" version=\"1.1\" width=\"%.0f\" height=\"%.0f\" "
	        "viewBox=\"0 0 %.0f %.0f\" xmlns=\"http://www.w3.org/2000/svg\" "
	        "data-w=\"%.0f\" data-pad=\"%.0f\">\n",
	        o->width, d->height, o->width, d->height, o->width, PAD);
	fputs("<style>.flame text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
	      ".flame .f:hover rect{stroke:#000;stroke-width:.5}.flame .f{cursor:pointer}"
	      ".flame .hide{display:none}.flame .up rect{opacity:.5}"
	      ".flame .btn{cursor:pointer;fill:#36c}.flame .dim{fill:#666}"
	      ".flame .title{font-size:17px;text-anchor:middle}</style>\n",
	      f);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f0\"/>\n");
	fprintf(f, "<text class=\"title\" x=\"%.0f\" y=\"24\">", o->width / 2);
	esc_xml(f, title, 0);
	fputs("</text>\n", f);
	fprintf(f, "<text class=\"dim sub\" x=\"%.0f\" y=\"40\" text-anchor=\"middle\">",
	        o->width / 2);
	if (o->subtitle) {
		esc_xml(f, o->subtitle, 0);
		fputs(" — ", f);
	}
	fprintf(f, "metric: %s", ct_metric_name(o->metric));
	if (d->pruned)
		fprintf(f, ", %zu narrow frames not drawn (nor their callees)", d->pruned);
	fputs("</text>\n", f);
	fprintf(f, "<text class=\"btn reset hide\" x=\"%.0f\" y=\"24\">Reset Zoom</text>\n", PAD);
	fprintf(f,
	        "<text class=\"btn search\" x=\"%.0f\" y=\"24\" "
	        "text-anchor=\"end\">Search</text>\n",
	        o->width - PAD);
	fprintf(f,
	        "<text class=\"dim matched\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\"></text>\n",
	        o->width - PAD, d->height - 17);
	fprintf(f, "<text class=\"dim details\" x=\"%.0f\" y=\"%.0f\"> </text>\n", PAD,
	        d->height - 17);
}

static int render(FILE *out, const ct_tree *t, const flame_opts *o)
{
	struct draw d = {.out = out, .o = o, .style = o->style};

	d.root = ct_node_at(t, 0)->total[o->metric];
	if (d.root == 0) {
		d.thr = 1;
	} else if (!(d.thr = threshold(t, o))) {
		errno = ENOMEM;
		return -1;
	}
	ct_walk(t, depth_visit, &d);
	d.height = TOP + BOTTOM + (d.maxdepth + 1) * FRAME_H;
	d.scale = d.root ? (o->width - 2 * PAD) / (double)d.root : 0;
	write_head(&d);
	fprintf(out, "<g class=\"frames\">\n");
	if (d.root)
		ct_walk(t, draw_visit, &d);
	fputs("</g>\n", out);
	if (!o->embedded)
		fprintf(out,
		        "<script><![CDATA[\n%s\nescFlame(document.documentElement);\n]]></"
		        "script>\n",
		        flame_script);
	fputs("</svg>\n", out);
	free(d.cursor);
	if (d.oom) {
		errno = ENOMEM;
		return -1;
	}
	return ferror(out) ? -1 : 0;
}

int flame_write(FILE *out, const ct_tree *t, const flame_opts *o)
{
	enum ct_metric m = o->metric;
	flame_style by_name = {color_by_name, NULL, &m};
	flame_opts oo = *o;

	if (!oo.style)
		oo.style = &by_name;
	return render(out, t, &oo);
}

/* ---- differential colouring ---- */

struct diff {
	const ct_tree *before;
	enum ct_metric m;
	uint32_t *map; /* node of after -> node of before, 0 = absent */
	double maxdelta;
};

static int64_t delta(const struct diff *df, const ct_tree *t, uint32_t node)
{
	uint64_t now = ct_node_at(t, node)->total[df->m];
	uint64_t was = df->map[node] || node == 0
	                       ? ct_node_at(df->before, df->map[node])->total[df->m]
	                       : 0;
	return (int64_t)(now - was);
}

static void diff_color(void *ctx, const ct_tree *t, uint32_t node, char rgb[8])
{
	const struct diff *df = ctx;
	int64_t d = delta(df, t, node);
	double x = df->maxdelta > 0 ? (double)(d < 0 ? -d : d) / df->maxdelta : 0;
	int fade = 230 - (int)(190 * x);

	if (d > 0)
		snprintf(rgb, 8, "#ff%02x%02x", fade, fade);
	else if (d < 0)
		snprintf(rgb, 8, "#%02x%02xff", fade, fade);
	else
		snprintf(rgb, 8, "#dcdcdc");
}

static void diff_note(void *ctx, const ct_tree *t, uint32_t node, FILE *f)
{
	const struct diff *df = ctx;
	int64_t d = delta(df, t, node);
	uint64_t was = ct_node_at(t, node)->total[df->m] - (uint64_t)d;

	fputs(d < 0 ? "-" : "+", f);
	esc_num(f, (uint64_t)(d < 0 ? -d : d));
	if (was)
		fprintf(f, " (%+.1f%%)", 100.0 * (double)d / (double)was);
	else
		fputs(" (new)", f);
}

int flame_write_diff(FILE *out, const ct_tree *after, const ct_tree *before, const flame_opts *o)
{
	uint32_t n = ct_nodes(after);
	struct diff df = {before, o->metric, calloc(n, sizeof(uint32_t)), 0};
	flame_style style = {diff_color, diff_note, &df};
	flame_opts oo = *o;

	if (!df.map) {
		errno = ENOMEM;
		return -1;
	}
	/* parents come before children in node order */
	for (uint32_t i = 1; i < n; i++) {
		const ct_node *nd = ct_node_at(after, i);
		if (nd->parent == 0 || df.map[nd->parent])
			df.map[i] = ct_find_child(before, df.map[nd->parent],
			                          ct_frame_at(after, nd->frame));
		int64_t d = delta(&df, after, i);
		double ad = (double)(d < 0 ? -d : d);
		if (ad > df.maxdelta)
			df.maxdelta = ad;
	}
	oo.style = &style;
	if (!oo.title)
		oo.title = "Differential Flame Graph";
	int rc = render(out, after, &oo);
	free(df.map);
	return rc;
}
