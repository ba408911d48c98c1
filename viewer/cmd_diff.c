/*
 * viewer/cmd_diff.c — `escapade diff BASE NEW`: what changed between two
 * traces, for people and for CI.
 *
 * Both traces are loaded into call trees.  A site is a tree frame
 * (function, file, line) and its value the sum of the self values of the
 * nodes of that frame: the allocating frame of every stack, the same sums
 * `escapade report` gives per site (and, for the stack metric, the frames
 * that grew the stack).  Sites of the two trees are matched by name, file
 * and line through one sorted merge; stacks by walking each call path of
 * one tree down the other, on copies of the trees cut to function names
 * (ct_by_name), so that two builds of one program, whose lines and module
 * paths differ, still match stack for stack (and in the flame graph).  Printed: the totals, the
 * sites that changed (largest change first), those that appeared and vanished, the stacks that
 * changed most.  With -o, a differential flame graph of NEW coloured by the
 * change since BASE.
 *
 * --fail-on-increase PCT: exit 1 when a site's value grew by more than PCT
 * percent over BASE, or a site appeared (an increase from nothing).  Usage
 * errors and unreadable traces exit 2, so CI can tell them apart.
 */
#include "config.h"

#include "viewer/commands.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "escape.h"
#include "flame.h"
#include "view.h"

static const char usage[] =
        "usage: escapade diff BASE NEW [--metric M] [--fail-on-increase PCT] [-o FILE.svg]\n"
        "\n"
        "Compares two traces: per-site and per-stack changes, sites that appeared and\n"
        "vanished, and with -o a differential flame graph (red grew, blue shrank).\n"
        "\n"
        "  -m, --metric M           count, bytes (default), cost, peak, leaked, leaks,\n"
        "                           stack\n"
        "  --fail-on-increase PCT   exit 1 when a site grew by more than PCT percent\n"
        "                           (or appeared): for CI\n"
        "  -o, --output F           write the differential flame graph (SVG) to F\n"
        "  -h, --help               this help\n"
        "\n"
        "Exit status: 0, 1 when --fail-on-increase tripped, 2 on a usage error or an\n"
        "unreadable trace.\n";

#define TOP_STACKS 20

/* A site of one tree: a frame and the sum of its nodes' self values. */
struct site_value {
	const ct_frame *f;
	uint64_t v;
};

static int compare_frames(const ct_frame *a, const ct_frame *b)
{
	int c = strcmp(a->name, b->name);
	if (!c)
		c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

static int compare_sites(const void *pa, const void *pb)
{
	return compare_frames(((const struct site_value *)pa)->f,
	                      ((const struct site_value *)pb)->f);
}

/* The sites of t with a value, sorted by frame; *n their number. */
static struct site_value *tree_sites(const ct_tree *t, enum ct_metric m, size_t *n)
{
	uint32_t nf = ct_frames(t);
	uint64_t *self = calloc(nf + 1, sizeof *self);
	struct site_value *s = calloc(nf + 1, sizeof *s);
	*n = 0;
	if (!self || !s) {
		free(self);
		free(s);
		return NULL;
	}
	for (uint32_t i = 1; i < ct_nodes(t); i++)
		self[ct_node_at(t, i)->frame] += ct_self(t, i, m);
	for (uint32_t f = 0; f < nf; f++)
		if (self[f])
			s[(*n)++] = (struct site_value){ct_frame_at(t, f), self[f]};
	free(self);
	qsort(s, *n, sizeof *s, compare_sites);
	return s;
}

/* A site in both, one or the other. */
struct delta {
	const ct_frame *f;
	uint64_t base, now;
};

static double pct(uint64_t base, uint64_t now)
{
	return base ? 100.0 * ((double)now - (double)base) / (double)base : 0;
}

static int64_t change(const struct delta *d)
{
	return (int64_t)d->now - (int64_t)d->base;
}

static int compare_change(const void *pa, const void *pb)
{
	int64_t a = llabs(change(pa)), b = llabs(change(pb));
	return (a < b) - (a > b);
}

/* Merges the sorted site lists into deltas (largest change first). */
static struct delta *join(const struct site_value *b, size_t nb, const struct site_value *a,
                          size_t na, size_t *n)
{
	struct delta *d = calloc(na + nb + 1, sizeof *d);
	size_t i = 0, j = 0;
	*n = 0;
	if (!d)
		return NULL;
	while (i < nb || j < na) {
		int c = i == nb ? 1 : j == na ? -1 : compare_frames(b[i].f, a[j].f);
		struct delta *e = &d[(*n)++];
		e->f = c <= 0 ? b[i].f : a[j].f;
		e->base = c <= 0 ? b[i++].v : 0;
		e->now = c >= 0 ? a[j++].v : 0;
	}
	qsort(d, *n, sizeof *d, compare_change);
	return d;
}

static void print_site(const struct delta *d)
{
	printf("  %+" PRId64, change(d));
	if (d->base && d->now)
		printf(" (%+.1f%%)", pct(d->base, d->now));
	printf("  %" PRIu64 " -> %" PRIu64 "  %s", d->base, d->now, d->f->name);
	if (d->f->file)
		printf(" at %s:%" PRIu32, d->f->file, d->f->line);
	putchar('\n');
}

/* Prints the deltas of one kind (changed, appeared, vanished); returns
 * whether any site of that kind grew past the threshold. */
static bool print_sites(const char *title, const struct delta *d, size_t n, int kind,
                        const struct cmdline *c)
{
	bool header = false, over = false;
	for (size_t i = 0; i < n; i++) {
		int k = d[i].base && d[i].now ? 0 : d[i].now ? 1 : 2;
		if (k != kind || (k == 0 && d[i].base == d[i].now))
			continue;
		if (!header)
			printf("\n%s:\n", title);
		header = true;
		print_site(&d[i]);
		over |= c->fail_set && (k == 1 || (k == 0 && d[i].now > d[i].base &&
		                                   pct(d[i].base, d[i].now) > c->fail_pct));
	}
	return over;
}

/* ---- stacks -------------------------------------------------------------- */

/* The node of other with the path of node in t, or 0. */
static uint32_t same_path(const ct_tree *t, uint32_t node, const ct_tree *other)
{
	uint32_t path[1024], n = 0;
	for (uint32_t x = node; x && n < 1024; x = ct_node_at(t, x)->parent)
		path[n++] = x;
	uint32_t y = 0;
	while (n-- > 0 &&
	       (y = ct_find_child(other, y, ct_frame_at(t, ct_node_at(t, path[n])->frame))))
		;
	return y;
}

static void print_path(const ct_tree *t, uint32_t node)
{
	const ct_node *nd = ct_node_at(t, node);
	if (nd->parent) {
		print_path(t, nd->parent);
		putchar(';');
	}
	esc_folded(stdout, ct_name(t, node));
}

struct stack_delta {
	const ct_tree *t; /* the tree node belongs to */
	uint32_t node;
	uint64_t base, now;
};

static int compare_stack_change(const void *pa, const void *pb)
{
	const struct stack_delta *x = pa, *y = pb;
	uint64_t a = x->now > x->base ? x->now - x->base : x->base - x->now;
	uint64_t b = y->now > y->base ? y->now - y->base : y->base - y->now;
	return (a < b) - (a > b);
}

/* Adds the stacks of t (self value not 0) that changed; those also in
 * other only when t is NEW (so each pair is seen once). */
static size_t stack_deltas(const ct_tree *t, const ct_tree *other, bool t_is_new, enum ct_metric m,
                           struct stack_delta *out)
{
	size_t n = 0;
	for (uint32_t i = 1; i < ct_nodes(t); i++) {
		uint64_t v = ct_self(t, i, m);
		if (!v)
			continue;
		uint32_t o = same_path(t, i, other);
		uint64_t ov = o ? ct_self(other, o, m) : 0;
		if ((ov && !t_is_new) || ov == v)
			continue;
		out[n++] = t_is_new ? (struct stack_delta){t, i, ov, v}
		                    : (struct stack_delta){t, i, v, 0};
	}
	return n;
}

static int print_stacks(const ct_tree *base, const ct_tree *now, enum ct_metric m)
{
	struct stack_delta *d = calloc(ct_nodes(base) + ct_nodes(now), sizeof *d);
	if (!d)
		return -1;
	size_t n = stack_deltas(now, base, true, m, d);
	n += stack_deltas(base, now, false, m, d + n);
	qsort(d, n, sizeof *d, compare_stack_change);
	if (n)
		printf("\nstacks that changed most:\n");
	for (size_t i = 0; i < n && i < TOP_STACKS; i++) {
		printf("  %+" PRId64 "  %" PRIu64 " -> %" PRIu64 "  ",
		       (int64_t)d[i].now - (int64_t)d[i].base, d[i].base, d[i].now);
		print_path(d[i].t, d[i].node);
		putchar('\n');
	}
	free(d);
	return 0;
}

/* ---- the command --------------------------------------------------------- */

/* Prints the comparison; returns 1 when the threshold tripped, 0, or -1
 * when out of memory. */
static int compare(const struct cmdline *c, const ct_tree *base, const ct_tree *now,
                   const ct_tree *base_names, const ct_tree *now_names)
{
	enum ct_metric m = (enum ct_metric)c->metric;
	size_t nb, na, n;
	struct site_value *sb = tree_sites(base, m, &nb), *sa = tree_sites(now, m, &na);
	struct delta *d = sb && sa ? join(sb, nb, sa, na, &n) : NULL;
	if (!d) {
		free(sb);
		free(sa);
		return -1;
	}
	uint64_t tb = ct_node_at(base, 0)->total[m], ta = ct_node_at(now, 0)->total[m];
	printf("escapade diff: %s -> %s (metric %s)\n\ntotal: %" PRIu64 " -> %" PRIu64 " (%+" PRId64
	       ", %+.1f%%)\n",
	       c->traces[0], c->traces[1], ct_metric_name(m), tb, ta, (int64_t)ta - (int64_t)tb,
	       pct(tb, ta));
	bool over = print_sites("sites that changed", d, n, 0, c);
	over |= print_sites("sites that appeared", d, n, 1, c);
	print_sites("sites that vanished", d, n, 2, c);
	int rc = print_stacks(base_names, now_names, m);
	free(d);
	free(sb);
	free(sa);
	if (rc < 0)
		return -1;
	if (over)
		printf("\nescapade diff: a site grew by more than %g%% (--fail-on-increase)\n",
		       c->fail_pct);
	return over;
}

static int write_svg(const struct cmdline *c, const ct_tree *base, const ct_tree *now)
{
	char *name;
	if (view_same_file(c->out, c->traces[0])) {
		fprintf(stderr, "escapade diff: refusing to write over the trace %s\n",
		        c->traces[0]);
		return 2;
	}
	FILE *out = view_output(c->cmd, c->traces[1], c->out, NULL, &name);
	if (!out)
		return 2;
	flame_opts o;
	flame_defaults(&o, (enum ct_metric)c->metric);
	o.title = "Differential Flame Graph";
	o.subtitle = "red: grew since the base trace; blue: shrank";
	int bad = flame_write_diff(out, now, base, &o) < 0;
	bad = view_close(c->cmd, out, name, true) || bad;
	free(name);
	return bad ? 2 : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct cmdline c = {
	        .cmd = "diff", .usage = usage, .accept = OPT_METRIC | OPT_FAIL, .ntraces = 2};
	int rc = cmdline_parse(&c, argc, argv);
	if (rc != CMDLINE_GO)
		return rc;
	struct trace_view base, now;
	if (view_load(c.cmd, c.traces[0], NULL, &base))
		return 2;
	if (view_load(c.cmd, c.traces[1], NULL, &now)) {
		view_free(&base);
		return 2;
	}
	ct_tree *bn = ct_by_name(base.tree), *nn = ct_by_name(now.tree);
	rc = -1;
	if (bn && nn) {
		ct_sort(base.tree);
		ct_sort(now.tree);
		ct_sort(bn);
		ct_sort(nn);
		rc = compare(&c, base.tree, now.tree, bn, nn);
	}
	if (rc < 0)
		fprintf(stderr, "escapade diff: out of memory\n");
	int svg = rc >= 0 && c.out ? write_svg(&c, bn, nn) : 0;
	ct_free(bn);
	ct_free(nn);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "escapade diff: writing the comparison failed\n");
		rc = -1;
	}
	view_free(&base);
	view_free(&now);
	return rc < 0 || svg ? 2 : rc;
}
