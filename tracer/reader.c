/*
 * reader.c — streams an Escapade trace (doc/trace-format.md) as events.
 *
 * Opening maps the file read-only and checks the file header.  A first pass
 * walks the chunk headers only: it validates each (magic, lengths within
 * bounds and within the file), notes where the file was cut, and groups the
 * chunks by thread, keeping each thread's file order.  No payload is read.
 *
 * Events then come from a merge: every thread has a cursor that has decoded
 * its next event ahead of time, and a binary min-heap of cursors keyed by
 * that event's time hands out the earliest.  A cursor decodes one chunk at a
 * time (inflating it first if the file is compact), so memory is one chunk
 * per thread plus the tables below, whatever the trace's length.
 *
 * Stacks are interned twice: the file numbers them per thread, and the
 * reader maps each (thread, local id) to a process-wide id, giving identical
 * stacks one id and announcing only new ones.  Memory for that grows with
 * the number of unique stacks, as the viewer's must anyway.
 *
 * Everything read from the file is bounded before use: varints against the
 * end of their chunk, counts and lengths against the limits in format.h.  A
 * cut-off file is "truncated", not damaged: its records up to the cut are
 * delivered and esc_reader_truncated() says so.  Damage stops the stream
 * with -1 and a message that names the chunk and the offset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "reader.h"

#define MAX_LOCAL_STACKS (1u << 24) /* per thread; bounds the id map */
#define MAX_SEQ          ((uint64_t)1 << 40)

struct chunk_loc {
	size_t off;   /* of the chunk header */
	size_t avail; /* payload bytes present in the file (<= committed) */
	bool cut;     /* the file ends inside this chunk */
	struct esc_chunk_header h;
};

/* A thread's position in its stream. */
struct cursor {
	uint32_t thread, tid;
	struct chunk_loc *chunks; /* this thread's chunks, in file order */
	size_t nchunks, next_chunk;
	struct chunk_loc *cur;
	const uint8_t *p, *end, *start;
	uint8_t *inflated; /* buffer for a deflated chunk */
	uint64_t t;        /* clock, in ticks >> tick_shift */
	uint64_t seq, frame, goid;
	uint32_t last_stack;       /* of the previous alloc/newobject record */
	uint64_t last_fn, last_sp; /* of the previous frame enter record */
	uint32_t *stack_map;       /* local stack id -> process-wide id */
	uint32_t stack_map_len;
	char *str; /* NUL-terminated copy of the last string field */
	bool has_event, done;
	struct esc_event ev; /* decoded ahead */
	uint64_t ev_ticks;
};

struct stack_entry {
	uint64_t hash;
	uint32_t depth;
	bool truncated;
	uint64_t *pcs;
};

struct esc_reader {
	const uint8_t *data;
	size_t len;
	bool mapped;
	struct esc_file_header hdr;
	char exe[sizeof(((struct esc_file_header *)0)->exe) + 1];
	struct esc_trace_info info;
	double ns_per_tick;
	uint64_t tick0;

	struct chunk_loc *chunks;
	size_t nchunks;
	struct cursor *cursors;
	size_t ncursors;
	struct cursor **heap;
	size_t nheap;
	struct cursor *last; /* returned last time: to advance on the next call */

	struct stack_entry *stacks; /* index = id - 1 */
	uint32_t nstacks, stacks_cap;
	uint32_t *stack_hash; /* open addressing over ids; 0 = empty */
	uint32_t stack_hash_cap;
	uint64_t pcs[ESC_MAX_DEPTH];

	bool primed; /* every cursor has decoded ahead once */
	bool failed; /* a record was damaged: the stream stopped */
	bool truncated, damaged, saw_end;
	char error[512];
	uint64_t read_bytes; /* of the chunks read to their end (progress) */
};

static void set_msg(char *buf, size_t len, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void set_msg(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* ---- opening ------------------------------------------------------------- */

static int check_header(esc_reader *r, char *err, size_t errlen)
{
	const struct esc_file_header *h = &r->hdr;

	if (r->len < ESC_FILE_HEADER_SIZE || memcmp(r->data, ESC_MAGIC, ESC_MAGIC_LEN) != 0) {
		set_msg(err, errlen,
		        "not an Escapade trace (bad magic or shorter than its header)");
		return -1;
	}
	memcpy(&r->hdr, r->data, sizeof r->hdr);
	if (h->version < ESC_MIN_VERSION || h->version > ESC_VERSION) {
		set_msg(err, errlen,
		        "trace version %u is not supported (this reader reads %u to %u)",
		        h->version, ESC_MIN_VERSION, ESC_VERSION);
		return -1;
	}
	if (h->header_size != ESC_FILE_HEADER_SIZE) {
		set_msg(err, errlen, "bad header size %u", h->header_size);
		return -1;
	}
	if (h->chunk_size < 2 * ESC_CHUNK_HEADER_SIZE || h->chunk_size > ESC_MAX_CHUNK_SIZE) {
		set_msg(err, errlen, "bad chunk size %u", h->chunk_size);
		return -1;
	}
	if ((h->clock != ESC_CLOCK_TSC && h->clock != ESC_CLOCK_MONOTONIC) || h->tick_shift > 32) {
		set_msg(err, errlen, "bad clock %u (tick shift %u)", h->clock, h->tick_shift);
		return -1;
	}
	size_t n = h->exe_len < sizeof h->exe ? h->exe_len : sizeof h->exe;
	memcpy(r->exe, h->exe, n);
	r->exe[n] = '\0';
	r->exe[strnlen(r->exe, n)] = '\0';
	r->info = (struct esc_trace_info){
	        .version = h->version,
	        .pid = h->pid,
	        .ppid = h->ppid,
	        .flags = h->flags,
	        .clock = h->clock,
	        .max_depth = h->max_depth,
	        .chunk_size = h->chunk_size,
	        .start_realtime_ns = h->start_realtime_ns,
	        .exe = r->exe,
	};
	return 0;
}

/* Record a chunk found by the scan; NULL when out of memory. */
static struct chunk_loc *add_chunk(esc_reader *r, size_t *cap)
{
	if (r->nchunks == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct chunk_loc *n = realloc(r->chunks, ncap * sizeof *n);
		if (n == NULL)
			return NULL;
		r->chunks = n;
		*cap = ncap;
	}
	return &r->chunks[r->nchunks++];
}

/* Walk the chunk headers.  Damage in a header ends the scan with the
 * message saved for later: the chunks before it are still read. */
static int scan_chunks(esc_reader *r, char *err, size_t errlen)
{
	bool compact = r->hdr.flags & ESC_FLAG_COMPACT;
	size_t cap = 0, off = ESC_FILE_HEADER_SIZE;
	uint32_t slot = r->hdr.chunk_size;

	while (off < r->len) {
		struct esc_chunk_header h;
		if (r->len - off < ESC_CHUNK_HEADER_SIZE) {
			r->truncated = true;
			break;
		}
		memcpy(&h, r->data + off, sizeof h);
		if (h.magic == 0 && !compact) {
			off += slot; /* an unclaimed slot */
			continue;
		}
		if (h.magic != ESC_CHUNK_MAGIC || h.stored > ESC_MAX_CHUNK_SIZE ||
		    h.committed > h.stored || h.raw_len > ESC_MAX_CHUNK_SIZE ||
		    (!compact && h.stored != slot - ESC_CHUNK_HEADER_SIZE) ||
		    (!(h.flags & ESC_CHUNK_DEFLATE) && h.raw_len > h.committed) ||
		    h.first_seq >= MAX_SEQ || h.thread == 0) {
			r->damaged = true;
			set_msg(r->error, sizeof r->error, "chunk at offset %zu: bad chunk header",
			        off);
			break;
		}
		struct chunk_loc *c = add_chunk(r, &cap);
		if (c == NULL) {
			set_msg(err, errlen, "out of memory");
			return -1;
		}
		size_t room = r->len - off - ESC_CHUNK_HEADER_SIZE;
		c->off = off;
		c->h = h;
		c->avail = h.committed <= room ? h.committed : room;
		c->cut = c->avail < h.committed;
		if (h.stored > room) {
			r->truncated = true;
			break;
		}
		off += ESC_CHUNK_HEADER_SIZE + (size_t)h.stored;
	}
	if (r->truncated && !r->damaged)
		set_msg(r->error, sizeof r->error, "the file ends inside a chunk (cut short)");
	return 0;
}

static int cmp_chunk(const void *a, const void *b)
{
	const struct chunk_loc *x = a, *y = b;

	if (x->h.thread != y->h.thread)
		return x->h.thread < y->h.thread ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The tick-to-ns map: from the start pair to the latest pair known. */
static void calibrate(esc_reader *r)
{
	uint64_t t1 = r->hdr.end_ticks, n1 = r->hdr.end_ns;

	for (size_t i = 0; i < r->nchunks; i++)
		if (t1 == 0 || r->chunks[i].h.base_ticks > t1) {
			if (r->hdr.end_ticks == 0) {
				t1 = r->chunks[i].h.base_ticks;
				n1 = r->chunks[i].h.base_ns;
			}
		}
	r->tick0 = r->hdr.start_ticks;
	r->ns_per_tick = 1.0;
	if (r->hdr.clock == ESC_CLOCK_TSC) {
		if (t1 > r->hdr.start_ticks && n1 > r->hdr.start_ns &&
		    n1 - r->hdr.start_ns >= 100000)
			r->ns_per_tick =
			        (double)(n1 - r->hdr.start_ns) / (double)(t1 - r->hdr.start_ticks);
		else
			r->ns_per_tick = 1.0 / 3.0; /* a short run: assume ~3 GHz */
	}
}

static int make_cursors(esc_reader *r, char *err, size_t errlen)
{
	if (r->nchunks) /* qsort's array must not be NULL, even when empty */
		qsort(r->chunks, r->nchunks, sizeof *r->chunks, cmp_chunk);
	size_t n = 0;
	for (size_t i = 0; i < r->nchunks; i++)
		if (i == 0 || r->chunks[i].h.thread != r->chunks[i - 1].h.thread)
			n++;
	r->cursors = calloc(n ? n : 1, sizeof *r->cursors);
	r->heap = calloc(n ? n : 1, sizeof *r->heap);
	if (r->cursors == NULL || r->heap == NULL) {
		set_msg(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < r->nchunks; i++) {
		struct chunk_loc *c = &r->chunks[i];
		if (i == 0 || c->h.thread != c[-1].h.thread) {
			struct cursor *cur = &r->cursors[r->ncursors++];
			cur->thread = c->h.thread;
			cur->tid = c->h.tid;
			cur->chunks = c;
		}
		r->cursors[r->ncursors - 1].nchunks++;
	}
	return 0;
}

static esc_reader *open_common(esc_reader *r, char *err, size_t errlen)
{
	if (check_header(r, err, errlen) < 0 || scan_chunks(r, err, errlen) < 0 ||
	    make_cursors(r, err, errlen) < 0) {
		esc_reader_close(r);
		return NULL;
	}
	calibrate(r);
	return r;
}

esc_reader *esc_reader_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
	esc_reader *r = calloc(1, sizeof *r);

	if (r == NULL) {
		set_msg(err, errlen, "out of memory");
		return NULL;
	}
	r->data = data;
	r->len = len;
	return open_common(r, err, errlen);
}

esc_reader *esc_reader_open(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0) {
		set_msg(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		set_msg(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((size_t)st.st_size < ESC_FILE_HEADER_SIZE) {
		set_msg(err, errlen,
		        "%s: not an Escapade trace (%lld bytes, shorter than a header)", path,
		        (long long)st.st_size);
		close(fd);
		return NULL;
	}
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		set_msg(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return NULL;
	}
	esc_reader *r = calloc(1, sizeof *r);
	if (r == NULL) {
		munmap(map, (size_t)st.st_size);
		set_msg(err, errlen, "out of memory");
		return NULL;
	}
	r->data = map;
	r->len = (size_t)st.st_size;
	r->mapped = true;
	return open_common(r, err, errlen);
}

void esc_reader_close(esc_reader *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->ncursors; i++) {
		free(r->cursors[i].inflated);
		free(r->cursors[i].stack_map);
		free(r->cursors[i].str);
	}
	for (uint32_t i = 0; i < r->nstacks; i++)
		free(r->stacks[i].pcs);
	free(r->stacks);
	free(r->stack_hash);
	free(r->cursors);
	free(r->heap);
	free(r->chunks);
	if (r->mapped)
		munmap((void *)r->data, r->len);
	free(r);
}

const struct esc_trace_info *esc_reader_info(const esc_reader *r)
{
	return &r->info;
}

bool esc_reader_truncated(const esc_reader *r)
{
	return r->truncated || !r->saw_end;
}

uint64_t esc_reader_progress(const esc_reader *r, uint64_t *size)
{
	uint64_t done = ESC_FILE_HEADER_SIZE + r->read_bytes;
	*size = r->len;
	return done < r->len ? done : r->len;
}

const char *esc_reader_error(const esc_reader *r)
{
	if (r->error[0] == '\0' && !r->saw_end)
		return "no end-of-trace record: the program crashed, was killed or is still "
		       "running";
	return r->error;
}

/* ---- stacks -------------------------------------------------------------- */

static uint64_t hash_stack(const uint64_t *pcs, uint32_t depth, bool truncated)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ depth ^ ((uint64_t)truncated << 32);

	for (uint32_t i = 0; i < depth; i++) {
		h ^= pcs[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

static int stack_grow_hash(esc_reader *r)
{
	uint32_t cap = r->stack_hash_cap ? r->stack_hash_cap * 2 : 1024;
	uint32_t *t = calloc(cap, sizeof *t);

	if (t == NULL)
		return -1;
	for (uint32_t id = 1; id <= r->nstacks; id++) {
		uint32_t i = (uint32_t)r->stacks[id - 1].hash & (cap - 1);
		while (t[i] != 0)
			i = (i + 1) & (cap - 1);
		t[i] = id;
	}
	free(r->stack_hash);
	r->stack_hash = t;
	r->stack_hash_cap = cap;
	return 0;
}

/* The process-wide id of a stack; *fresh when it is new.  0 on OOM. */
static uint32_t intern_stack(esc_reader *r, uint32_t depth, bool truncated, bool *fresh)
{
	uint64_t h = hash_stack(r->pcs, depth, truncated);

	*fresh = false;
	if ((r->nstacks + 1) * 2 > r->stack_hash_cap && stack_grow_hash(r) < 0)
		return 0;
	uint32_t i = (uint32_t)h & (r->stack_hash_cap - 1);
	for (; r->stack_hash[i] != 0; i = (i + 1) & (r->stack_hash_cap - 1)) {
		struct stack_entry *e = &r->stacks[r->stack_hash[i] - 1];
		if (e->hash == h && e->depth == depth && e->truncated == truncated &&
		    memcmp(e->pcs, r->pcs, depth * sizeof *r->pcs) == 0)
			return r->stack_hash[i];
	}
	if (r->nstacks == r->stacks_cap) {
		uint32_t cap = r->stacks_cap ? r->stacks_cap * 2 : 256;
		struct stack_entry *n = realloc(r->stacks, cap * sizeof *n);
		if (n == NULL)
			return 0;
		r->stacks = n;
		r->stacks_cap = cap;
	}
	uint64_t *pcs = malloc((depth ? depth : 1) * sizeof *pcs);
	if (pcs == NULL)
		return 0;
	memcpy(pcs, r->pcs, depth * sizeof *pcs);
	r->stacks[r->nstacks] = (struct stack_entry){h, depth, truncated, pcs};
	r->stack_hash[i] = ++r->nstacks;
	*fresh = true;
	return r->nstacks;
}

const uint64_t *esc_reader_stack(const esc_reader *r, uint32_t id, uint32_t *depth, bool *truncated)
{
	if (id == 0 || id > r->nstacks)
		return NULL;
	const struct stack_entry *e = &r->stacks[id - 1];
	if (depth)
		*depth = e->depth;
	if (truncated)
		*truncated = e->truncated;
	return e->pcs;
}

/* ---- decoding one record ------------------------------------------------- */

/* Decoding context: a failure jumps out through the return value only. */
#define GET(v)                                                                                     \
	do {                                                                                       \
		if (esc_get_uvarint(&c->p, c->end, &(v)) < 0)                                      \
			return damage(r, c, "bad or truncated varint");                            \
	} while (0)

static int damage(esc_reader *r, struct cursor *c, const char *what)
{
	if (c->cur->cut) {
		/* The file was cut inside this chunk: not damage, a short tail. */
		r->truncated = true;
		set_msg(r->error, sizeof r->error, "the file ends inside a chunk (cut short)");
		c->p = c->end;
		return 0;
	}
	r->damaged = true;
	set_msg(r->error, sizeof r->error, "thread %u, chunk at offset %zu, payload offset %zu: %s",
	        c->thread, c->cur->off, (size_t)(c->p - c->start), what);
	return -1;
}

static int get_dt(esc_reader *r, struct cursor *c)
{
	uint64_t dt;

	GET(dt);
	if (dt > (UINT64_MAX >> 33) || c->t + dt < c->t)
		return damage(r, c, "time delta out of range");
	c->t += dt;
	return 1;
}

/* A string field, copied NUL-terminated into the cursor's buffer. */
static int get_str(esc_reader *r, struct cursor *c, size_t max, const uint8_t **raw, size_t *len)
{
	uint64_t n;

	GET(n);
	if (n > max || n > (size_t)(c->end - c->p))
		return damage(r, c, "string longer than allowed or than its chunk");
	if (c->str == NULL && (c->str = malloc(ESC_MAX_PATH + 1)) == NULL)
		return damage(r, c, "out of memory");
	*raw = c->p;
	*len = (size_t)n;
	memcpy(c->str, c->p, (size_t)n);
	c->str[n] = '\0';
	c->p += n;
	return 1;
}

static int get_stack_ref(esc_reader *r, struct cursor *c, uint32_t *out)
{
	uint64_t id;

	GET(id);
	if (id == 0) {
		*out = 0;
		return 1;
	}
	if (id >= c->stack_map_len || c->stack_map[id] == 0)
		return damage(r, c, "reference to a stack not defined before");
	*out = c->stack_map[id];
	return 1;
}

static int get_frame(esc_reader *r, struct cursor *c, uint64_t *out)
{
	uint64_t z;

	GET(z);
	c->frame += (uint64_t)esc_unzigzag(z);
	*out = c->frame;
	return 1;
}

static int get_ref(esc_reader *r, struct cursor *c, struct esc_ref *ref)
{
	uint64_t v, seq;

	GET(v);
	ref->kind = (enum esc_ref_kind)(v & ESC_REF_KIND_MASK);
	ref->live = v & ESC_REF_LIVE;
	ref->same = v & ESC_REF_SAME;
	ref->id = 0;
	v >>= ESC_REF_SHIFT;
	switch (ref->kind) {
	case ESC_REF_LOCAL:
		if (v >= c->seq)
			return damage(r, c, "free of a block not created before");
		ref->id = (uint64_t)c->thread << 40 | (c->seq - 1 - v);
		break;
	case ESC_REF_REMOTE:
		GET(seq);
		if (v == 0 || v > UINT32_MAX || seq >= MAX_SEQ)
			return damage(r, c, "bad remote block reference");
		ref->id = v << 40 | seq;
		break;
	default:
		if (v != 0)
			return damage(r, c, "bad block reference");
	}
	return 1;
}

static uint64_t ticks_to_ns(const esc_reader *r, uint64_t ticks)
{
	if (ticks <= r->tick0)
		return 0;
	return (uint64_t)((double)(ticks - r->tick0) * r->ns_per_tick);
}

static int new_block(esc_reader *r, struct cursor *c, uint64_t *id)
{
	if (c->seq >= MAX_SEQ)
		return damage(r, c, "too many blocks");
	*id = (uint64_t)c->thread << 40 | c->seq++;
	return 1;
}

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int rc_ = (x);                                                                     \
		if (rc_ <= 0)                                                                      \
			return rc_;                                                                \
	} while (0)

static int dec_stack(esc_reader *r, struct cursor *c, struct esc_event *ev)
{
	uint64_t id, dn, pc = 0;
	bool fresh;

	GET(id);
	GET(dn);
	uint64_t depth = dn >> 1;
	if (id == 0 || id >= MAX_LOCAL_STACKS || depth > ESC_MAX_DEPTH)
		return damage(r, c, "stack id or depth out of range");
	for (uint64_t i = 0; i < depth; i++) {
		uint64_t z;
		GET(z);
		pc += (uint64_t)esc_unzigzag(z);
		r->pcs[i] = pc;
	}
	if (id >= c->stack_map_len) {
		uint32_t n = c->stack_map_len ? c->stack_map_len : 64;
		while (n <= id)
			n *= 2;
		uint32_t *m = realloc(c->stack_map, n * sizeof *m);
		if (m == NULL)
			return damage(r, c, "out of memory");
		memset(m + c->stack_map_len, 0, (n - c->stack_map_len) * sizeof *m);
		c->stack_map = m;
		c->stack_map_len = n;
	}
	uint32_t g = intern_stack(r, (uint32_t)depth, dn & 1, &fresh);
	if (g == 0)
		return damage(r, c, "out of memory");
	c->stack_map[id] = g;
	if (!fresh)
		return 2; /* consumed, nothing to announce */
	ev->type = ESC_EV_STACK;
	ev->u.stack.id = g;
	ev->u.stack.depth = (uint32_t)depth;
	ev->u.stack.truncated = dn & 1;
	ev->u.stack.pcs = r->stacks[g - 1].pcs;
	return 1;
}

static int dec_alloc(esc_reader *r, struct cursor *c, struct esc_event *ev, unsigned fn,
                     bool same_site)
{
	uint64_t v;

	if (fn >= ESC_FN_ALLOC_COUNT)
		return damage(r, c, "unknown allocating function");
	ev->type = ESC_EV_ALLOC;
	ev->u.alloc.fn = fn;
	TRY(get_dt(r, c));
	GET(ev->u.alloc.size);
	if (same_site) {
		if (c->last_stack == 0)
			return damage(r, c, "same-site allocation without a previous one");
		ev->u.alloc.stack = c->last_stack;
		ev->u.alloc.frame = c->frame;
	} else {
		TRY(get_stack_ref(r, c, &ev->u.alloc.stack));
		TRY(get_frame(r, c, &ev->u.alloc.frame));
		c->last_stack = ev->u.alloc.stack;
	}
	ev->u.alloc.cost_ns = 0;
	if (r->hdr.flags & ESC_FLAG_COST) {
		GET(v);
		ev->u.alloc.cost_ns = (uint64_t)((double)v * r->ns_per_tick);
	}
	ev->u.alloc.sizeclass = 0;
	ev->u.alloc.old = (struct esc_ref){0};
	if (esc_alloc_fn_has_ref(fn))
		TRY(get_ref(r, c, &ev->u.alloc.old));
	return new_block(r, c, &ev->u.alloc.id);
}

static int dec_newobject(esc_reader *r, struct cursor *c, struct esc_event *ev)
{
	uint64_t sc;

	ev->type = ESC_EV_ALLOC;
	ev->u.alloc.fn = ESC_FN_NEWOBJECT;
	TRY(get_dt(r, c));
	GET(ev->u.alloc.size);
	GET(sc);
	if (sc > 255)
		return damage(r, c, "size class out of range");
	ev->u.alloc.sizeclass = (int)sc;
	TRY(get_stack_ref(r, c, &ev->u.alloc.stack));
	TRY(get_frame(r, c, &ev->u.alloc.frame));
	c->last_stack = ev->u.alloc.stack;
	GET(ev->u.alloc.cost_ns);
	ev->u.alloc.old = (struct esc_ref){0};
	return new_block(r, c, &ev->u.alloc.id);
}

static int dec_gc(esc_reader *r, struct cursor *c, struct esc_event *ev, bool end)
{
	uint64_t forced = 0;

	memset(&ev->u.gc, 0, sizeof ev->u.gc);
	ev->type = end ? ESC_EV_GC_END : ESC_EV_GC_START;
	TRY(get_dt(r, c));
	GET(ev->u.gc.cycle);
	GET(ev->u.gc.heap_live);
	GET(ev->u.gc.heap_goal);
	if (!end) {
		GET(forced);
		ev->u.gc.forced = forced != 0;
		return 1;
	}
	GET(ev->u.gc.objects_live);
	GET(ev->u.gc.freed_objects);
	GET(ev->u.gc.freed_bytes);
	GET(ev->u.gc.pause_ns);
	GET(ev->u.gc.mark_ns);
	return 1;
}

static int dec_goroutine(esc_reader *r, struct cursor *c, struct esc_event *ev, unsigned tag)
{
	memset(&ev->u, 0, sizeof ev->u);
	TRY(get_dt(r, c));
	switch (tag) {
	case ESC_REC_STACK_GROW:
		ev->type = ESC_EV_STACK_GROW;
		GET(ev->u.stack_grow.goid);
		GET(ev->u.stack_grow.frame_size);
		GET(ev->u.stack_grow.seg_size);
		return get_stack_ref(r, c, &ev->u.stack_grow.stack);
	case ESC_REC_STACK_RELEASE:
		ev->type = ESC_EV_STACK_RELEASE;
		GET(ev->u.stack_grow.goid);
		GET(ev->u.stack_grow.seg_size);
		return 1;
	case ESC_REC_GO_CREATE:
		ev->type = ESC_EV_GO_CREATE;
		GET(ev->u.go.goid);
		GET(ev->u.go.parent);
		GET(ev->u.go.fn);
		return get_stack_ref(r, c, &ev->u.go.stack);
	default:
		ev->type = ESC_EV_GO_EXIT;
		GET(ev->u.go.goid);
		return 1;
	}
}

static int dec_end(esc_reader *r, struct cursor *c, struct esc_event *ev)
{
	uint64_t reason, z, ticks, ns;

	ev->type = ESC_EV_END;
	TRY(get_dt(r, c));
	GET(reason);
	GET(z);
	GET(ticks);
	GET(ns);
	if (reason == 0 || reason >= ESC_END_COUNT)
		return damage(r, c, "unknown end reason");
	ev->u.end.reason = (unsigned)reason;
	ev->u.end.status = esc_unzigzag(z);
	r->saw_end = true;
	return 1;
}

static int dec_frame(esc_reader *r, struct cursor *c, struct esc_event *ev, bool enter)
{
	uint64_t zfn, zsp;

	ev->type = enter ? ESC_EV_FRAME_ENTER : ESC_EV_FRAME_EXIT;
	TRY(get_dt(r, c));
	if (enter) {
		GET(zfn);
		GET(zsp);
		c->last_fn += (uint64_t)esc_unzigzag(zfn);
		c->last_sp += (uint64_t)esc_unzigzag(zsp);
	}
	ev->u.frame.fn = enter ? c->last_fn : 0;
	ev->u.frame.sp = enter ? c->last_sp : 0;
	return 1;
}

/* Decode the record at c->p: 1 an event, 2 consumed silently, 0 at the end
 * of the chunk (or its cut), -1 damage. */
static int decode_record(esc_reader *r, struct cursor *c, struct esc_event *ev)
{
	const uint8_t *raw;
	size_t len;
	uint64_t v;

	if (c->p >= c->end)
		return 0;
	unsigned tag = *c->p++;
	switch (tag & ESC_REC_KIND_MASK) {
	case ESC_REC_ALLOC:
	case ESC_REC_ALLOC_SAME:
		return dec_alloc(r, c, ev, tag & ESC_REC_FN_MASK,
		                 (tag & ESC_REC_KIND_MASK) == ESC_REC_ALLOC_SAME);
	case ESC_REC_FREE:
		if ((tag & ESC_REC_FN_MASK) >= ESC_FN_FREE_COUNT)
			return damage(r, c, "unknown releasing function");
		ev->type = ESC_EV_FREE;
		ev->u.free.fn = tag & ESC_REC_FN_MASK;
		TRY(get_dt(r, c));
		return get_ref(r, c, &ev->u.free.block);
	}
	switch (tag) {
	case ESC_REC_MODULE:
		ev->type = ESC_EV_MODULE;
		GET(ev->u.module.base);
		GET(ev->u.module.size);
		TRY(get_str(r, c, ESC_MAX_PATH, &raw, &len));
		ev->u.module.path = c->str;
		GET(v);
		if (v > ESC_MAX_BUILD_ID || v > (size_t)(c->end - c->p))
			return damage(r, c, "build-id longer than allowed or than its chunk");
		ev->u.module.build_id = c->p;
		ev->u.module.build_id_len = (size_t)v;
		c->p += v;
		return 1;
	case ESC_REC_STACK:
		return dec_stack(r, c, ev);
	case ESC_REC_THREAD_NAME:
		ev->type = ESC_EV_THREAD_NAME;
		TRY(get_dt(r, c));
		TRY(get_str(r, c, ESC_MAX_NAME, &raw, &len));
		ev->u.thread_name.name = c->str;
		return 1;
	case ESC_REC_GSWITCH:
		GET(c->goid);
		return 2;
	case ESC_REC_NEWOBJECT:
		return dec_newobject(r, c, ev);
	case ESC_REC_GC_START:
	case ESC_REC_GC_END:
		return dec_gc(r, c, ev, tag == ESC_REC_GC_END);
	case ESC_REC_STACK_GROW:
	case ESC_REC_STACK_RELEASE:
	case ESC_REC_GO_CREATE:
	case ESC_REC_GO_EXIT:
		return dec_goroutine(r, c, ev, tag);
	case ESC_REC_LOST:
		ev->type = ESC_EV_LOST;
		TRY(get_dt(r, c));
		GET(ev->u.lost.count);
		return 1;
	case ESC_REC_END:
		return dec_end(r, c, ev);
	case ESC_REC_FRAME_ENTER:
	case ESC_REC_FRAME_EXIT:
		return dec_frame(r, c, ev, tag == ESC_REC_FRAME_ENTER);
	case ESC_REC_ESCAPE:
		if (r->hdr.version < 2)
			break;
		ev->type = ESC_EV_ESCAPE;
		TRY(get_dt(r, c));
		TRY(get_ref(r, c, &ev->u.escape.block));
		GET(v);
		if (v > 1)
			return damage(r, c, "bad escape verdict");
		ev->u.escape.escaped = v;
		return 1;
	case ESC_REC_GO_STATE:
		if (r->hdr.version < 3)
			break;
		ev->type = ESC_EV_GO_STATE;
		TRY(get_dt(r, c));
		GET(ev->u.go_state.goid);
		TRY(get_str(r, c, ESC_MAX_GO_STATE, &raw, &len));
		ev->u.go_state.state = c->str;
		return 1;
	}
	c->p--;
	return damage(r, c, "unknown record tag");
}

/* ---- chunks and cursors -------------------------------------------------- */

/* Make the cursor's next chunk current: 1 ok, 0 no more chunks, -1 damage. */
static int open_chunk(esc_reader *r, struct cursor *c)
{
	if (c->cur != NULL) /* read to its end */
		r->read_bytes +=
		        ESC_CHUNK_HEADER_SIZE + (c->cur->cut ? c->cur->avail : c->cur->h.stored);
	c->cur = NULL;
	if (c->next_chunk >= c->nchunks)
		return 0;
	struct chunk_loc *k = &c->chunks[c->next_chunk++];
	const uint8_t *payload = r->data + k->off + ESC_CHUNK_HEADER_SIZE;
	c->cur = k;
	if (k->h.flags & ESC_CHUNK_DEFLATE) {
		if (c->inflated == NULL && (c->inflated = malloc(ESC_MAX_CHUNK_SIZE)) == NULL)
			return damage(r, c, "out of memory");
		z_stream zs;
		memset(&zs, 0, sizeof zs);
		if (inflateInit(&zs) != Z_OK)
			return damage(r, c, "zlib initialisation failed");
		zs.next_in = (Bytef *)payload;
		zs.avail_in = (uInt)k->avail;
		zs.next_out = c->inflated;
		zs.avail_out = k->h.raw_len;
		int zr = inflate(&zs, Z_FINISH);
		size_t got = k->h.raw_len - zs.avail_out;
		inflateEnd(&zs);
		c->start = c->p = c->inflated;
		c->end = c->inflated + got;
		if (zr != Z_STREAM_END && !k->cut) {
			c->p = c->start;
			return damage(r, c, "deflated payload does not inflate to its length");
		}
	} else {
		c->start = c->p = payload;
		c->end = payload + k->avail;
	}
	c->t = k->h.base_ticks >> r->hdr.tick_shift;
	c->seq = k->h.first_seq;
	c->frame = 0;
	c->last_stack = 0;
	c->last_fn = c->last_sp = 0;
	c->goid = k->h.goid;
	c->tid = k->h.tid;
	return 1;
}

/* Decode the cursor's next event into c->ev: 1 one is ready, 0 the thread's
 * stream ended, -1 damage. */
static int advance(esc_reader *r, struct cursor *c)
{
	c->has_event = false;
	for (;;) {
		if (c->cur == NULL || c->p >= c->end) {
			int rc = open_chunk(r, c);
			if (rc <= 0) {
				c->done = true;
				return rc;
			}
			continue;
		}
		int rc = decode_record(r, c, &c->ev);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			c->ev.thread = c->thread;
			c->ev.tid = c->tid;
			c->ev.goid = c->goid;
			c->ev_ticks = c->t << r->hdr.tick_shift;
			c->ev.time_ns = ticks_to_ns(r, c->ev_ticks);
			c->has_event = true;
			return 1;
		}
	}
}

/* ---- the merge ----------------------------------------------------------- */

static bool earlier(const struct cursor *a, const struct cursor *b)
{
	if (a->ev_ticks != b->ev_ticks)
		return a->ev_ticks < b->ev_ticks;
	return a->thread < b->thread;
}

static void heap_push(esc_reader *r, struct cursor *c)
{
	size_t i = r->nheap++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(c, r->heap[parent]))
			break;
		r->heap[i] = r->heap[parent];
		i = parent;
	}
	r->heap[i] = c;
}

static struct cursor *heap_pop(esc_reader *r)
{
	struct cursor *top = r->heap[0], *last = r->heap[--r->nheap];
	size_t i = 0;

	for (;;) {
		size_t k = 2 * i + 1;
		if (k >= r->nheap)
			break;
		if (k + 1 < r->nheap && earlier(r->heap[k + 1], r->heap[k]))
			k++;
		if (!earlier(r->heap[k], last))
			break;
		r->heap[i] = r->heap[k];
		i = k;
	}
	if (r->nheap > 0)
		r->heap[i] = last;
	return top;
}

int esc_reader_next(esc_reader *r, struct esc_event *ev)
{
	if (r->failed)
		return -1;
	if (!r->primed) {
		r->primed = true;
		for (size_t i = 0; i < r->ncursors; i++) {
			int rc = advance(r, &r->cursors[i]);
			if (rc < 0) {
				r->failed = true;
				return -1;
			}
			if (rc > 0)
				heap_push(r, &r->cursors[i]);
		}
	}
	if (r->last != NULL) {
		struct cursor *c = r->last;
		r->last = NULL;
		int rc = advance(r, c);
		if (rc < 0) {
			r->failed = true;
			return -1;
		}
		/* The thread just read usually stays the earliest (always, with
		 * one thread): then it is the next event, and pushing it into the
		 * heap only to pop it again is the merge's whole cost. */
		if (rc > 0 && (r->nheap == 0 || earlier(c, r->heap[0]))) {
			*ev = c->ev;
			r->last = c;
			return 1;
		}
		if (rc > 0)
			heap_push(r, c);
	}
	if (r->nheap == 0)
		return r->damaged ? -1 : 0;
	struct cursor *c = heap_pop(r);
	*ev = c->ev;
	r->last = c;
	return 1;
}

int esc_reader_run(esc_reader *r, int (*fn)(const struct esc_event *, void *), void *arg)
{
	struct esc_event ev;
	int rc;

	while ((rc = esc_reader_next(r, &ev)) > 0) {
		int stop = fn(&ev, arg);
		if (stop != 0)
			return stop;
	}
	return rc;
}
