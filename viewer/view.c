/*
 * viewer/view.c — the pass every output command shares (see view.h).
 *
 * trace_load_observed drives the aggregation; the observer here watches
 * the same events:
 *
 *   - the series: a point is taken when the clock has moved by `interval`
 *     since the last one, holding the *highest* heap and stack bytes seen
 *     meanwhile (so a peak between two points is not lost).  When
 *     VIEW_MAX_POINTS are taken, neighbours merge pairwise (keeping the
 *     maxima) and the interval doubles: memory stays bounded whatever the
 *     length of the run, and resolution adapts to it.
 *   - stack bytes in use: segments grown minus segments released.
 *   - collections (start, end); with opts.timeline goroutine lives (by goid
 *     through an id table) and every stack growth.
 *   - progress: on a terminal, a line on stderr with the share of the trace
 *     file read (esc_reader_progress), first after 64 Ki events, then at
 *     most every half second; erased at the end.  Nothing when stderr is not
 *     a terminal.
 *
 * Then the call tree: every stack that allocated or grew the stack is
 * symbolized from its site outward and added, outermost first; in a
 * --frames trace, the call paths of the shadow stacks carry the stack
 * bytes instead of segment growth.
 */
#include "config.h"

#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "grow.h"
#include "sites.h"
#include "tracer/idtable.h"

struct pass {
	struct trace_view *v;
	const struct view_opts *o;
	const char *cmd, *path;
	esc_reader *r;
	uint64_t seen; /* events of every kind (frame events too) */
	bool shown_any;
	uint64_t stack_inuse, interval, next_ts, max_heap, max_stack, last_ts;
	size_t cap_series, cap_gcs, cap_gs, cap_grows;
	id_table goroutines; /* goid -> index in v->gs + 1 */
	bool tty;
	struct timespec shown;
};

/* Appends one zeroed element to *arr (n elements, room for *cap). */
static void *grow(void *arrp, size_t *n, size_t *cap, size_t size)
{
	if (!grow_array(arrp, cap, *n + 1, size, 64))
		return NULL;
	char *e = *(char **)arrp + (*n)++ * size;
	memset(e, 0, size);
	return e;
}

/* ---- the series ---------------------------------------------------------- */

static void merge_points(struct trace_view *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->nseries; i += 2, n++) {
		html_point p = v->series[i];
		if (i + 1 < v->nseries) {
			const html_point *q = &v->series[i + 1];
			p.heap_bytes = q->heap_bytes > p.heap_bytes ? q->heap_bytes : p.heap_bytes;
			p.stack_bytes =
			        q->stack_bytes > p.stack_bytes ? q->stack_bytes : p.stack_bytes;
		}
		v->series[n] = p;
	}
	v->nseries = n;
}

static bool take_point(struct pass *p, uint64_t ts, uint64_t heap)
{
	struct trace_view *v = p->v;
	if (v->nseries == VIEW_MAX_POINTS) {
		merge_points(v);
		p->interval *= 2;
	}
	html_point *pt = grow(&v->series, &v->nseries, &p->cap_series, sizeof *pt);
	if (!pt)
		return false;
	*pt = (html_point){ts, p->max_heap, p->max_stack};
	p->max_heap = heap;
	p->max_stack = p->stack_inuse;
	p->next_ts = ts + p->interval;
	return true;
}

static bool sample(struct pass *p, uint64_t ts, uint64_t heap)
{
	if (heap > p->max_heap)
		p->max_heap = heap;
	if (p->stack_inuse > p->max_stack)
		p->max_stack = p->stack_inuse;
	return ts < p->next_ts || take_point(p, ts, heap);
}

/* ---- goroutines, collections, growths ------------------------------------ */

static bool go_create(struct pass *p, const struct esc_event *ev)
{
	struct trace_view *v = p->v;
	/* No runtime hands out the id UINT64_MAX, and the id table cannot
	 * hold it: a hostile trace's goroutine is left out, as the aggregate
	 * leaves it out, rather than taken for running out of memory. */
	if (ev->u.go.goid == UINT64_MAX)
		return true;
	view_goroutine *g = grow(&v->gs, &v->ngs, &p->cap_gs, sizeof *g);
	id_slot *s = g ? id_table_put(&p->goroutines, ev->u.go.goid) : NULL;
	if (!s)
		return false;
	s->a = v->ngs;
	*g = (view_goroutine){ev->u.go.goid, ev->u.go.fn, ev->time_ns, 0, false};
	return true;
}

static void go_exit(struct pass *p, const struct esc_event *ev)
{
	id_slot *s = id_table_find(&p->goroutines, ev->u.go.goid);
	if (!s)
		return;
	view_goroutine *g = &p->v->gs[s->a - 1];
	g->end_ns = ev->time_ns;
	g->exited = true;
	id_table_remove(&p->goroutines, s);
}

static bool timeline_event(struct pass *p, const struct esc_event *ev)
{
	struct trace_view *v = p->v;
	switch (ev->type) {
	case ESC_EV_GO_CREATE:
		return go_create(p, ev);
	case ESC_EV_GO_EXIT:
		go_exit(p, ev);
		return true;
	case ESC_EV_STACK_GROW: {
		view_grow *g = grow(&v->grows, &v->ngrows, &p->cap_grows, sizeof *g);
		if (g)
			*g = (view_grow){ev->time_ns, ev->u.stack_grow.goid,
			                 ev->u.stack_grow.seg_size, ev->u.stack_grow.stack};
		return g != NULL;
	}
	default:
		return true;
	}
}

static bool gc_event(struct pass *p, const struct esc_event *ev)
{
	struct trace_view *v = p->v;
	if (ev->type == ESC_EV_GC_START) {
		view_gc *g = grow(&v->gcs, &v->ngcs, &p->cap_gcs, sizeof *g);
		if (g)
			g->start_ns = g->end_ns = ev->time_ns;
		return g != NULL;
	}
	if (v->ngcs)
		v->gcs[v->ngcs - 1].end_ns = ev->time_ns;
	return true;
}

/* ---- progress ------------------------------------------------------------ */

static double since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

/* Every 64 Ki events (observe counts them). */
__attribute__((noinline)) static void progress(struct pass *p)
{
	if (!p->tty || (p->shown_any && since(&p->shown) < 0.5))
		return;
	clock_gettime(CLOCK_MONOTONIC, &p->shown);
	p->shown_any = true;
	uint64_t size, done = esc_reader_progress(p->r, &size);
	fprintf(stderr, "\rescapade %s: reading %s: %3.0f%%", p->cmd, p->path,
	        size ? 100.0 * (double)done / (double)size : 100.0);
}

/* --frames events: the shadow stacks, by goroutine (or thread). */
static bool frame_event(struct pass *p, const struct esc_event *ev)
{
	struct trace_view *v = p->v;
	uint64_t key = ev->goid ? ev->goid : 1ULL << 63 | ev->thread;
	if (!v->frames && !(v->frames = fs_new()))
		return false;
	if (ev->type == ESC_EV_FRAME_EXIT) {
		fs_exit(v->frames, key);
		return true;
	}
	return fs_enter(v->frames, key, ev->u.frame.fn, ev->u.frame.sp);
}

/* The events other than allocations and frees (and every event when the
 * series is sampled): kept out of observe, whose fast path then needs no
 * stack frame of its own. */
__attribute__((noinline)) static bool observe_rest(struct pass *p, const struct esc_event *ev,
                                                   const agg *a)
{
	if (ev->type == ESC_EV_FRAME_ENTER || ev->type == ESC_EV_FRAME_EXIT)
		return frame_event(p, ev);
	if ((ev->type == ESC_EV_STACK_GROW || ev->type == ESC_EV_STACK_RELEASE) && p->v->frames)
		fs_grow(p->v->frames, ev->u.stack_grow.goid,
		        ev->type == ESC_EV_STACK_GROW ? ev->u.stack_grow.frame_size : 0);
	if (ev->type == ESC_EV_STACK_GROW)
		p->stack_inuse += ev->u.stack_grow.seg_size;
	else if (ev->type == ESC_EV_STACK_RELEASE)
		p->stack_inuse -= p->stack_inuse < ev->u.stack_grow.seg_size
		                          ? p->stack_inuse
		                          : ev->u.stack_grow.seg_size;
	else if ((ev->type == ESC_EV_GC_START || ev->type == ESC_EV_GC_END) && !gc_event(p, ev))
		return false;
	if (p->o->timeline && !timeline_event(p, ev))
		return false;
	return !p->o->series || sample(p, ev->time_ns, agg_live_bytes(a));
}

static bool observe(void *ctx, const struct esc_event *ev, const agg *a)
{
	struct pass *p = ctx;
	if (__builtin_expect(!(++p->seen & 0xffff), 0))
		progress(p);
	if (ev->type != ESC_EV_FRAME_ENTER && ev->type != ESC_EV_FRAME_EXIT) {
		p->v->events++;
		if (ev->time_ns > p->last_ts)
			p->last_ts = ev->time_ns;
		if ((ev->type == ESC_EV_ALLOC || ev->type == ESC_EV_FREE) && !p->o->series)
			return true;
	}
	return observe_rest(p, ev, a);
}

/* ---- the call tree ------------------------------------------------------- */

struct frames {
	ct_frame *v;
	char (*names)[256]; /* for frames without a function name */
	size_t n, cap;
};

static bool push_frame(struct frames *fs, const esc_frame *f, const char *name)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? 2 * fs->cap : 64;
		ct_frame *v = realloc(fs->v, cap * sizeof *v);
		if (v)
			fs->v = v;
		uintptr_t old = (uintptr_t)fs->names, old_end = old + fs->cap * sizeof *fs->names;
		char(*names)[256] = v ? realloc(fs->names, cap * sizeof *names) : NULL;
		if (!names)
			return false;
		/* Names formatted into the old array move with it. */
		for (size_t i = 0; i < fs->n; i++) {
			uintptr_t at = (uintptr_t)fs->v[i].name;
			if (at >= old && at < old_end)
				fs->v[i].name = (const char *)names + (at - old);
		}
		fs->names = names;
		fs->cap = cap;
	}
	ct_frame *c = &fs->v[fs->n];
	if (!name)
		name = f->function ? f->function
		                   : esc_frame_format(f, fs->names[fs->n], sizeof fs->names[0]);
	*c = (ct_frame){name, f ? f->file : NULL, f && f->line > 0 ? (uint32_t)f->line : 0,
	                f ? f->module : NULL};
	fs->n++;
	return true;
}

static void reverse_frames(struct frames *fs)
{
	for (size_t i = 0; i < fs->n / 2; i++) {
		ct_frame tmp = fs->v[i];
		fs->v[i] = fs->v[fs->n - 1 - i];
		fs->v[fs->n - 1 - i] = tmp;
	}
}

/* The frames of st from its site outward, then reversed: outermost first. */
static bool stack_frames(esc_symbolizer *sym, const agg_stack *st, struct frames *fs)
{
	uint32_t k;
	int j;
	const esc_frame *site;
	fs->n = 0;
	if (st->depth && site_find(sym, st, &k, &j, &site))
		for (; k < st->depth; k++, j = 0) {
			const esc_symbol *sy = esc_symbolize(sym, -1, st->pcs[k], true);
			if (!sy)
				return false;
			for (; j < sy->nframes; j++)
				if (!push_frame(fs, &sy->frames[j], NULL))
					return false;
		}
	if (st->truncated && !push_frame(fs, NULL, "[truncated]"))
		return false;
	reverse_frames(fs);
	return true;
}

/* Adds the path in fs, tidied (site_tidy_path), to the tree. */
static bool add_path(ct_tree *t, struct frames *fs, const uint64_t *values)
{
	fs->n = site_tidy_path(fs->v, fs->n);
	return ct_add(t, fs->v, fs->n, values) != 0;
}

/* The path of frame-stack node i, outermost first. */
static bool frame_path(esc_symbolizer *sym, const framestack *f, size_t i, struct frames *fs)
{
	fs->n = 0;
	for (; i; i = fs_node_at(f, i)->parent) {
		const esc_symbol *sy = esc_symbolize(sym, -1, fs_node_at(f, i)->fn, false);
		if (!sy || !push_frame(fs, &sy->frames[sy->nframes - 1], NULL))
			return false;
	}
	reverse_frames(fs);
	return true;
}

/* A --frames trace: stack bytes per call path from the shadow stacks. */
static bool add_frame_paths(struct trace_view *v, struct frames *fs)
{
	for (size_t i = 1; i < fs_nodes(v->frames); i++) {
		uint64_t values[CT_NMETRICS] = {0};
		values[CT_STACK] = fs_node_at(v->frames, i)->bytes;
		if (values[CT_STACK] &&
		    (!frame_path(v->t.sym, v->frames, i, fs) || !add_path(v->tree, fs, values)))
			return false;
	}
	return true;
}

static bool build_tree(struct trace_view *v)
{
	struct frames fs = {0};
	bool ok = (v->tree = ct_new()) != NULL;
	bool frames = v->frames && fs_nodes(v->frames) > 1;
	for (size_t i = 0; ok && i < agg_nstacks(v->t.agg); i++) {
		const agg_stack *st = agg_stack_at(v->t.agg, i);
		uint64_t stack = frames ? 0 : st->stack_bytes;
		const uint64_t values[CT_NMETRICS] = {
		        st->allocs,     st->bytes,       st->cost_ns, st->peak_bytes,
		        st->live_bytes, st->live_allocs, stack};
		if (!st->allocs && !stack)
			continue;
		ok = stack_frames(v->t.sym, st, &fs) && add_path(v->tree, &fs, values);
	}
	ok = ok && (!frames || add_frame_paths(v, &fs));
	free(fs.v);
	free(fs.names);
	return ok;
}

/* ---- loading ------------------------------------------------------------- */

static int load_error(const char *cmd, const char *path, const char *msg)
{
	if (strstr(msg, path))
		fprintf(stderr, "escapade %s: %s\n", cmd, msg);
	else
		fprintf(stderr, "escapade %s: %s: %s\n", cmd, path, msg);
	return 1;
}

static enum load_status run_pass(struct pass *p, esc_reader *r)
{
	struct trace_view *v = p->v;
	esc_symbolizer *sym = esc_symbolizer_new(NULL, stderr);
	if (!sym)
		return LOAD_NOMEM;
	v->start_realtime_ns = esc_reader_info(r)->start_realtime_ns;
	p->interval = 1000;
	p->tty = isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &p->shown);
	struct load_observer obs = {observe, p};
	enum load_status st = trace_load_observed(r, sym, &obs, &v->t);
	if (p->shown_any)
		fputs("\r\033[K", stderr);
	v->duration_ns = p->last_ts;
	if (st == LOAD_OK && p->o->series && !take_point(p, p->last_ts, agg_live_bytes(v->t.agg)))
		st = LOAD_NOMEM;
	return st;
}

int view_load(const char *cmd, const char *path, const struct view_opts *o, struct trace_view *v)
{
	static const struct view_opts none;
	char err[512] = "";
	memset(v, 0, sizeof *v);
	esc_reader *r = esc_reader_open(path, err, sizeof err);
	if (!r)
		return load_error(cmd, path, *err ? err : "cannot read the trace");
	struct pass p = {.v = v, .o = o ? o : &none, .cmd = cmd, .path = path, .r = r};
	enum load_status st = run_pass(&p, r);
	esc_reader_close(r);
	id_table_free(&p.goroutines);
	if (st == LOAD_OK && !p.o->no_tree && !build_tree(v)) {
		trace_unload(&v->t);
		snprintf(v->t.message, sizeof v->t.message, "out of memory");
		st = LOAD_NOMEM;
	}
	if (st != LOAD_OK) {
		int rc = load_error(cmd, path,
		                    st == LOAD_NOMEM && !*v->t.message ? "out of memory"
		                                                       : v->t.message);
		view_free(v);
		return rc;
	}
	for (size_t i = 0; i < v->ngs; i++)
		if (!v->gs[i].exited)
			v->gs[i].end_ns = v->duration_ns;
	if (v->t.truncated)
		fprintf(stderr,
		        "escapade %s: warning: %s is truncated (%s); showing what could be read\n",
		        cmd, path, v->t.message);
	return 0;
}

void view_free(struct trace_view *v)
{
	trace_unload(&v->t);
	ct_free(v->tree);
	fs_free(v->frames);
	v->frames = NULL;
	free(v->series);
	free(v->gcs);
	free(v->gs);
	free(v->grows);
	v->tree = NULL;
	v->series = NULL;
	v->gcs = NULL;
	v->gs = NULL;
	v->grows = NULL;
}

/* ---- options and files --------------------------------------------------- */

int view_metric(const char *cmd, const char *name)
{
	int m = ct_metric_parse(name);
	if (m < 0)
		fprintf(stderr,
		        "escapade %s: unknown metric '%s' (count, bytes, cost, peak, leaked, "
		        "leaks, stack)\n",
		        cmd, name);
	return m;
}

bool view_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

FILE *view_output(const char *cmd, const char *trace, const char *opath, const char *suffix,
                  char **name)
{
	char *path = NULL;
	if (name)
		*name = NULL;
	if ((opath && !strcmp(opath, "-")) || (!opath && !suffix))
		return stdout;
	if (opath)
		path = strdup(opath);
	else if ((path = malloc(strlen(trace) + strlen(suffix) + 1)))
		strcat(strcpy(path, trace), suffix);
	if (!path) {
		fprintf(stderr, "escapade %s: out of memory\n", cmd);
		return NULL;
	}
	if (view_same_file(path, trace)) {
		fprintf(stderr, "escapade %s: refusing to write over the trace %s\n", cmd, trace);
		free(path);
		return NULL;
	}
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "escapade %s: cannot write %s: %s\n", cmd, path, strerror(errno));
		free(path);
		return NULL;
	}
	if (name)
		*name = path;
	else
		free(path);
	return f;
}

int view_close(const char *cmd, FILE *out, const char *name, bool verbose)
{
	bool bad = fflush(out) != 0 || ferror(out);
	if (out != stdout)
		bad |= fclose(out) != 0;
	if (bad) {
		fprintf(stderr, "escapade %s: writing %s failed\n", cmd,
		        name ? name : "the output");
		return 1;
	}
	if (verbose && name)
		fprintf(stderr, "escapade %s: wrote %s\n", cmd, name);
	return 0;
}
