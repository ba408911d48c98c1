/*
 * folded.c — folded stacks in and out (see folded.h).
 *
 * Writing walks the tree keeping the path from the root in an array indexed
 * by depth; a node with a self value prints that path.
 *
 * Reading is the benchmark's and the tests' way in, so it is made cheap for
 * the common case of sorted input: consecutive lines share a prefix, and the
 * frames of that prefix are matched byte for byte against the previous line
 * and their nodes reused, so only the differing tail is looked up in the
 * tree's hash tables.
 */
#include "folded.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

struct wctx {
	FILE *out;
	enum ct_metric m;
	uint32_t *path;
	uint32_t cap;
	int oom;
};

static bool write_visit(void *vctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct wctx *c = vctx;

	if (depth >= c->cap) {
		uint32_t ncap = c->cap ? c->cap * 2 : 64;
		uint32_t *p = realloc(c->path, ncap * sizeof *p);
		if (!p) {
			c->oom = 1;
			return false;
		}
		c->path = p;
		c->cap = ncap;
	}
	c->path[depth] = node;
	if (depth == 0 || ct_node_at(t, node)->total[c->m] == 0)
		return depth == 0;
	uint64_t self = ct_self(t, node, c->m);
	if (self) {
		for (uint32_t d = 1; d <= depth; d++) {
			if (d > 1)
				putc(';', c->out);
			esc_folded(c->out, ct_name(t, c->path[d]));
		}
		fprintf(c->out, " %llu\n", (unsigned long long)self);
	}
	return true;
}

int folded_write(FILE *out, const ct_tree *t, enum ct_metric m)
{
	struct wctx c = {.out = out, .m = m};

	ct_walk(t, write_visit, &c);
	free(c.path);
	if (c.oom) {
		errno = ENOMEM;
		return -1;
	}
	return ferror(out) ? -1 : 0;
}

/* The previous line's frames and nodes, for prefix reuse. */
struct prev {
	char *line; /* copy of the stack part */
	size_t *off, *len;
	uint32_t *node; /* node[i] = node of frame i */
	size_t n, cap;
};

static int prev_reserve(struct prev *p, size_t n)
{
	if (n <= p->cap)
		return 0;
	size_t cap = n * 2;
	size_t *off = realloc(p->off, cap * sizeof *off);
	if (off)
		p->off = off;
	size_t *len = realloc(p->len, cap * sizeof *len);
	if (len)
		p->len = len;
	uint32_t *node = realloc(p->node, cap * sizeof *node);
	if (node)
		p->node = node;
	if (!off || !len || !node)
		return -1;
	p->cap = cap;
	return 0;
}

/* Parses the value after the last blank; cuts the line there. */
static int parse_value(char *line, size_t *stacklen, uint64_t *value)
{
	char *sp = strrchr(line, ' ');
	char *tab = strrchr(line, '\t');
	char *end;

	if (!sp || (tab && tab > sp))
		sp = tab;
	if (!sp || sp[1] < '0' || sp[1] > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(sp + 1, &end, 10);
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	if (errno || *end)
		return -1;
	while (sp > line && (sp[-1] == ' ' || sp[-1] == '\t'))
		sp--;
	*sp = 0;
	*stacklen = (size_t)(sp - line);
	*value = v;
	return 0;
}

/* Adds one stack line (already cut at the value) reusing the common prefix
 * with the previous line.  Returns 0 or -1 (out of memory). */
static int add_line(ct_tree *t, struct prev *p, char *line, size_t len, ct_frame **frames,
                    size_t *fcap, const uint64_t *values)
{
	size_t n = 1, same = 0;

	for (size_t i = 0; i < len; i++)
		n += line[i] == ';';
	if (prev_reserve(p, n) < 0)
		return -1;
	if (n > *fcap) {
		ct_frame *f = realloc(*frames, n * sizeof *f);
		if (!f)
			return -1;
		*frames = f;
		*fcap = n;
	}
	/* Split in place, matching the previous line while it agrees. */
	size_t start = 0, i = 0;
	bool agree = true;
	for (size_t pos = 0; pos <= len; pos++) {
		if (pos < len && line[pos] != ';')
			continue;
		line[pos] = 0;
		size_t flen = pos - start;
		if (agree && i < p->n && p->len[i] == flen &&
		    memcmp(p->line + p->off[i], line + start, flen) == 0)
			same = i + 1;
		else
			agree = false;
		(*frames)[i] = (ct_frame){.name = line + start};
		p->off[i] = start;
		p->len[i] = flen;
		start = pos + 1;
		i++;
	}
	uint32_t parent = same ? p->node[same - 1] : 0;
	uint32_t leaf = ct_add_below(t, parent, *frames + same, n - same, values);
	if (!leaf)
		return -1;
	for (size_t k = n; k-- > same; leaf = ct_node_at(t, leaf)->parent)
		p->node[k] = leaf;
	/* Keep this line (its frames are NUL-separated now) for the next. */
	free(p->line);
	if (!(p->line = malloc(len + 1)))
		return -1;
	memcpy(p->line, line, len + 1);
	p->n = n;
	return 0;
}

long folded_read(ct_tree *t, FILE *in, enum ct_metric m, char *err, size_t errlen)
{
	struct prev p = {0};
	ct_frame *frames = NULL;
	size_t fcap = 0, cap = 0, lineno = 0;
	char *line = NULL;
	ssize_t got;
	long count = 0;

	while ((got = getline(&line, &cap, in)) >= 0) {
		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = 0;
		if (strspn(line, " \t") == (size_t)got)
			continue;
		uint64_t values[CT_NMETRICS] = {0};
		size_t len;
		if (parse_value(line, &len, &values[m]) < 0) {
			snprintf(err, errlen, "line %zu: expected 'frame;frame;... COUNT'", lineno);
			goto fail;
		}
		if (add_line(t, &p, line, len, &frames, &fcap, values) < 0) {
			snprintf(err, errlen, "line %zu: out of memory", lineno);
			goto fail;
		}
		count++;
	}
	if (ferror(in)) {
		snprintf(err, errlen, "read error after line %zu: %s", lineno, strerror(errno));
		goto fail;
	}
out:
	free(line);
	free(frames);
	free(p.line);
	free(p.off);
	free(p.len);
	free(p.node);
	return count;
fail:
	count = -1;
	goto out;
}
