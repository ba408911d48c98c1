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
#define _GNU_SOURCE
#include "folded.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

struct wctx {
	FILE *out;
	enum ct_metric m;
	uint32_t *path;
	size_t cap;
	int oom;
};

static bool write_visit(void *vctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct wctx *c = vctx;

	if (!grow_array(&c->path, &c->cap, (size_t)depth + 1, sizeof *c->path, 64)) {
		c->oom = 1;
		return false;
	}
	c->path[depth] = node;
	if (depth == 0 || ct_node_at(t, node)->total[c->m] == 0)
		return depth == 0;
	uint64_t self = ct_self(t, node, c->m);
	if (self) {
		for (uint32_t d = 1; d <= depth; d++) {
			if (d > 1)
				putc_unlocked(';', c->out);
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

/* The previous line's frames and nodes, for prefix reuse.  The arrays are
 * indexed by frame position and also serve the line being added. */
struct prev {
	char *line; /* the previous line, its frames NUL-separated */
	size_t linecap;
	size_t *off, *len;
	uint32_t *node; /* node[i] = node of frame i */
	ct_frame *frames;
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
	ct_frame *frames = realloc(p->frames, cap * sizeof *frames);
	if (frames)
		p->frames = frames;
	if (!off || !len || !node || !frames)
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
 * with the previous line: frames are split in place (memchr, not a byte
 * loop: lines are long) and compared with the previous line's while they
 * agree.  Returns 0 or -1 (out of memory). */
static int add_line(ct_tree *t, struct prev *p, char *line, size_t len, const uint64_t *values)
{
	size_t n = 0, same = 0, start = 0;
	bool agree = true;

	for (;;) {
		char *semi = memchr(line + start, ';', len - start);
		size_t end = semi ? (size_t)(semi - line) : len, flen = end - start;
		if (prev_reserve(p, n + 1) < 0)
			return -1;
		if (agree && n < p->n && p->len[n] == flen &&
		    memcmp(p->line + p->off[n], line + start, flen) == 0)
			same = n + 1;
		else
			agree = false;
		line[end] = 0;
		p->frames[n] = (ct_frame){.name = line + start};
		p->off[n] = start;
		p->len[n] = flen;
		n++;
		if (!semi)
			break;
		start = end + 1;
	}
	uint32_t parent = same ? p->node[same - 1] : 0;
	uint32_t leaf = ct_add_below(t, parent, p->frames + same, n - same, values);
	if (!leaf)
		return -1;
	for (size_t k = n; k-- > same; leaf = ct_node_at(t, leaf)->parent)
		p->node[k] = leaf;
	p->n = n;
	return 0;
}

long folded_read(ct_tree *t, FILE *in, enum ct_metric m, char *err, size_t errlen)
{
	struct prev p = {0};
	size_t cap = 0, lineno = 0;
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
		if (add_line(t, &p, line, len, values) < 0) {
			snprintf(err, errlen, "line %zu: out of memory", lineno);
			goto fail;
		}
		/* keep this line for the next one's prefix; getline reuses the
		 * previous line's buffer */
		char *keep = p.line;
		size_t keepcap = p.linecap;
		p.line = line, p.linecap = cap;
		line = keep, cap = keepcap;
		count++;
	}
	if (ferror(in)) {
		snprintf(err, errlen, "read error after line %zu: %s", lineno, strerror(errno));
		goto fail;
	}
out:
	free(line);
	free(p.frames);
	free(p.line);
	free(p.off);
	free(p.len);
	free(p.node);
	return count;
fail:
	count = -1;
	goto out;
}
