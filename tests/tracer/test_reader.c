/*
 * test_reader.c — the trace reader on traces built by hand.
 *
 * A small in-memory writer (the encoders of format.h) builds traces with
 * every record kind; the reader must give back exactly what went in (round
 * trips, raw and deflated chunks, two threads merged in time order), must
 * deliver the complete prefix of a file cut at any byte and say it is
 * truncated, and must survive thousands of randomly damaged files.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "tracer/reader.h"

/* ---- a tiny writer ------------------------------------------------------- */

struct buf {
	uint8_t *data;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void u(struct buf *b, uint64_t v)
{
	uint8_t tmp[ESC_MAX_VARINT];
	put(b, tmp, (size_t)(esc_put_uvarint(tmp, v) - tmp));
}

static void s(struct buf *b, int64_t v)
{
	u(b, esc_zigzag(v));
}

static void str(struct buf *b, const char *text)
{
	u(b, strlen(text));
	put(b, text, strlen(text));
}

static void tag(struct buf *b, unsigned t)
{
	uint8_t c = (uint8_t)t;
	put(b, &c, 1);
}

static void file_header(struct buf *b, uint32_t flags)
{
	struct esc_file_header h;
	uint8_t pad[ESC_FILE_HEADER_SIZE] = {0};

	memset(&h, 0, sizeof h);
	memcpy(h.magic, ESC_MAGIC, ESC_MAGIC_LEN);
	h.version = ESC_VERSION;
	h.header_size = ESC_FILE_HEADER_SIZE;
	h.chunk_size = 4096;
	h.flags = flags;
	h.clock = ESC_CLOCK_MONOTONIC;
	h.pid = 42;
	h.exe_len = 8;
	memcpy(h.exe, "/bin/foo", 8);
	h.start_ticks = h.start_ns = 1000;
	memcpy(pad, &h, sizeof h);
	put(b, pad, sizeof pad);
}

/* Append a chunk whose payload is p; raw chunks are padded to a slot. */
static bool packed; /* write raw chunks as a compact file does */

static void chunk(struct buf *b, uint32_t thread, uint64_t first_seq, uint64_t base,
                  const struct buf *p, bool deflated)
{
	struct esc_chunk_header h = {.magic = ESC_CHUNK_MAGIC,
	                             .thread = thread,
	                             .tid = 100 + thread,
	                             .first_seq = first_seq,
	                             .base_ticks = base,
	                             .base_ns = base};
	if (deflated) {
		uLongf n = compressBound(p->len);
		uint8_t *z = malloc(n);
		assert_int_equal(compress2(z, &n, p->data, p->len, 6), Z_OK);
		h.flags = ESC_CHUNK_DEFLATE;
		h.stored = h.committed = (uint32_t)n;
		h.raw_len = (uint32_t)p->len;
		put(b, &h, sizeof h);
		put(b, z, n);
		free(z);
		return;
	}
	uint8_t pad[4096] = {0};
	if (packed) { /* a compact file's raw chunk: no slot padding */
		h.stored = h.committed = h.raw_len = (uint32_t)p->len;
		put(b, &h, sizeof h);
		put(b, p->data, p->len);
		return;
	}
	assert_true(p->len <= 4096 - sizeof h);
	h.stored = 4096 - sizeof h;
	h.committed = h.raw_len = (uint32_t)p->len;
	put(b, &h, sizeof h);
	put(b, p->data, p->len);
	put(b, pad, h.stored - p->len);
}

/* Thread 1's payload: one of every record kind. */
static void payload_all(struct buf *p)
{
	tag(p, ESC_REC_MODULE);
	u(p, 0x400000);
	u(p, 0x2000);
	str(p, "/bin/foo");
	u(p, 2);
	put(p, "\xab\xcd", 2);
	tag(p, ESC_REC_STACK);
	u(p, 1);
	u(p, 3 << 1 | 1);
	s(p, 0x401000);
	s(p, 0x10);
	s(p, -0x8);
	tag(p, ESC_REC_THREAD_NAME);
	u(p, 5);
	str(p, "main");
	tag(p, ESC_REC_ALLOC | ESC_FN_CALLOC); /* block 0 */
	u(p, 10);
	u(p, 24);
	u(p, 1);
	s(p, 0x7ff0);
	tag(p, ESC_REC_ALLOC | ESC_FN_REALLOC); /* block 1 replaces block 0 */
	u(p, 1);
	u(p, 48);
	u(p, 1);
	s(p, 0x10);
	u(p, ESC_REF_LOCAL | ESC_REF_LIVE | ESC_REF_SAME | 0 << ESC_REF_SHIFT);
	tag(p, ESC_REC_GSWITCH);
	u(p, 7);
	tag(p, ESC_REC_NEWOBJECT); /* block 2 */
	u(p, 1);
	u(p, 32);
	u(p, 4);
	u(p, 1);
	s(p, 0);
	u(p, 55);
	tag(p, ESC_REC_FREE | ESC_FN_SWEEP);
	u(p, 1);
	u(p, ESC_REF_REMOTE | 3 << ESC_REF_SHIFT);
	u(p, 9);
	tag(p, ESC_REC_FREE | ESC_FN_FREE);
	u(p, 1);
	u(p, ESC_REF_LOCAL | 1 << ESC_REF_SHIFT); /* block 1 */
	tag(p, ESC_REC_ESCAPE);                   /* block 2 escaped */
	u(p, 1);
	u(p, ESC_REF_LOCAL | 0 << ESC_REF_SHIFT);
	u(p, 1);
	tag(p, ESC_REC_GC_START);
	u(p, 1);
	u(p, 1);
	u(p, 100);
	u(p, 200);
	u(p, 1);
	tag(p, ESC_REC_GC_END);
	u(p, 1);
	for (int i = 1; i <= 8; i++)
		u(p, (uint64_t)i);
	tag(p, ESC_REC_STACK_GROW);
	u(p, 1);
	u(p, 7);
	u(p, 300);
	u(p, 4096);
	u(p, 1);
	tag(p, ESC_REC_STACK_RELEASE);
	u(p, 1);
	u(p, 7);
	u(p, 4096);
	tag(p, ESC_REC_GO_CREATE);
	u(p, 1);
	u(p, 8);
	u(p, 7);
	u(p, 0x401234);
	u(p, 1);
	tag(p, ESC_REC_GO_EXIT);
	u(p, 1);
	u(p, 8);
	tag(p, ESC_REC_LOST);
	u(p, 1);
	u(p, 3);
	tag(p, ESC_REC_FRAME_ENTER);
	u(p, 1);
	s(p, 0x401000);
	s(p, 0x7000);
	tag(p, ESC_REC_FRAME_ENTER);
	u(p, 1);
	s(p, 0x40);
	s(p, -0x100);
	tag(p, ESC_REC_FRAME_EXIT);
	u(p, 1);
	tag(p, ESC_REC_END);
	u(p, 1);
	u(p, ESC_END_EXIT);
	s(p, -1);
	u(p, 2000);
	u(p, 2000);
}

static struct buf trace_all(bool deflated)
{
	struct buf b = {0}, p = {0};

	file_header(&b, deflated || packed ? ESC_FLAG_COMPACT : 0);
	payload_all(&p);
	chunk(&b, 1, 0, 1000, &p, deflated);
	free(p.data);
	return b;
}

static void check_all(const struct buf *b)
{
	char err[256];
	esc_reader *r = esc_reader_open_mem(b->data, b->len, err, sizeof err);
	struct esc_event ev;

	assert_non_null(r);
	assert_int_equal(esc_reader_info(r)->pid, 42);
	assert_string_equal(esc_reader_info(r)->exe, "/bin/foo");

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_MODULE);
	assert_int_equal(ev.u.module.base, 0x400000);
	assert_string_equal(ev.u.module.path, "/bin/foo");
	assert_int_equal(ev.u.module.build_id_len, 2);
	assert_int_equal(ev.u.module.build_id[1], 0xcd);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_STACK);
	assert_int_equal(ev.u.stack.depth, 3);
	assert_true(ev.u.stack.truncated);
	assert_int_equal(ev.u.stack.pcs[0], 0x401000);
	assert_int_equal(ev.u.stack.pcs[1], 0x401010);
	assert_int_equal(ev.u.stack.pcs[2], 0x401008);
	uint32_t sid = ev.u.stack.id;

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_THREAD_NAME);
	assert_string_equal(ev.u.thread_name.name, "main");
	assert_int_equal(ev.time_ns, 5);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_ALLOC);
	assert_int_equal(ev.u.alloc.fn, ESC_FN_CALLOC);
	assert_int_equal(ev.u.alloc.size, 24);
	assert_int_equal(ev.u.alloc.stack, sid);
	assert_int_equal(ev.u.alloc.frame, 0x7ff0);
	assert_int_equal(ev.u.alloc.id, (UINT64_C(1) << 40) | 0);
	assert_int_equal(ev.time_ns, 15);
	assert_int_equal(ev.thread, 1);
	assert_int_equal(ev.tid, 101);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.u.alloc.fn, ESC_FN_REALLOC);
	assert_int_equal(ev.u.alloc.frame, 0x8000);
	assert_int_equal(ev.u.alloc.old.kind, ESC_REF_LOCAL);
	assert_true(ev.u.alloc.old.live && ev.u.alloc.old.same);
	assert_int_equal(ev.u.alloc.old.id, (UINT64_C(1) << 40) | 0);
	assert_int_equal(ev.u.alloc.id, (UINT64_C(1) << 40) | 1);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.u.alloc.fn, ESC_FN_NEWOBJECT);
	assert_int_equal(ev.goid, 7);
	assert_int_equal(ev.u.alloc.sizeclass, 4);
	assert_int_equal(ev.u.alloc.cost_ns, 55);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_FREE);
	assert_int_equal(ev.u.free.fn, ESC_FN_SWEEP);
	assert_int_equal(ev.u.free.block.kind, ESC_REF_REMOTE);
	assert_int_equal(ev.u.free.block.id, (UINT64_C(3) << 40) | 9);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.u.free.block.id, (UINT64_C(1) << 40) | 1);
	assert_false(ev.u.free.block.live);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_ESCAPE);
	assert_int_equal(ev.u.escape.block.kind, ESC_REF_LOCAL);
	assert_int_equal(ev.u.escape.block.id, (UINT64_C(1) << 40) | 2);
	assert_true(ev.u.escape.escaped);

	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_GC_START);
	assert_true(ev.u.gc.forced);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_GC_END);
	assert_int_equal(ev.u.gc.mark_ns, 8);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_STACK_GROW);
	assert_int_equal(ev.u.stack_grow.frame_size, 300);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_STACK_RELEASE);
	assert_int_equal(ev.u.stack_grow.seg_size, 4096);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_GO_CREATE);
	assert_int_equal(ev.u.go.fn, 0x401234);
	assert_int_equal(ev.u.go.parent, 7);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_GO_EXIT);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_LOST);
	assert_int_equal(ev.u.lost.count, 3);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_FRAME_ENTER);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_FRAME_ENTER);
	assert_int_equal(ev.u.frame.fn, 0x401040);
	assert_int_equal(ev.u.frame.sp, 0x6f00);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_FRAME_EXIT);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_END);
	assert_int_equal(ev.u.end.status, -1);
	assert_int_equal(esc_reader_next(r, &ev), 0);
	assert_false(esc_reader_truncated(r));
	esc_reader_close(r);
}

static void test_round_trip_raw(void **state)
{
	(void)state;
	struct buf b = trace_all(false);
	check_all(&b);
	free(b.data);
}

static void test_round_trip_deflated(void **state)
{
	(void)state;
	struct buf b = trace_all(true);
	check_all(&b);
	free(b.data);
}

static void test_round_trip_packed(void **state)
{
	(void)state;
	packed = true;
	struct buf b = trace_all(false);
	packed = false;
	check_all(&b);
	free(b.data);
}

/* Two threads, two chunks each, interleaved in time: events come merged,
 * identical stacks of both threads share one id. */
static void test_merge(void **state)
{
	struct buf b = {0};
	char err[256];

	(void)state;
	file_header(&b, 0);
	for (int c = 0; c < 2; c++)
		for (uint32_t th = 1; th <= 2; th++) {
			struct buf p = {0};
			if (c == 0) {
				tag(&p, ESC_REC_STACK);
				u(&p, 1);
				u(&p, 1 << 1);
				s(&p, 0x1234);
			}
			for (int i = 0; i < 3; i++) {
				tag(&p, ESC_REC_ALLOC | ESC_FN_MALLOC);
				u(&p, i == 0 ? th : 2); /* thread 1: 1,3,5; thread 2: 2,4,6 */
				u(&p, 8);
				u(&p, 1);
				s(&p, 0);
			}
			chunk(&b, th, (uint64_t)c * 3, 1000 + (uint64_t)c * 100, &p, false);
			free(p.data);
		}
	esc_reader *r = esc_reader_open_mem(b.data, b.len, err, sizeof err);
	struct esc_event ev;
	uint64_t last = 0, n = 0, stacks = 0;
	uint64_t next_seq[3] = {0};
	assert_non_null(r);
	while (esc_reader_next(r, &ev) > 0) {
		if (ev.type == ESC_EV_STACK) {
			stacks++;
			continue;
		}
		assert_int_equal(ev.type, ESC_EV_ALLOC);
		assert_true(ev.time_ns >= last);
		last = ev.time_ns;
		assert_int_equal(ev.u.alloc.stack, 1);
		assert_int_equal(ev.u.alloc.id & 0xffffffffff, next_seq[ev.thread]++);
		n++;
	}
	assert_int_equal(n, 12);
	assert_int_equal(stacks, 1);
	assert_true(esc_reader_truncated(r)); /* no end record */
	esc_reader_close(r);
	free(b.data);
}

/* Read everything; return the number of events, or -1 on damage. */
static long drain(const uint8_t *data, size_t len, bool *truncated)
{
	char err[256];
	esc_reader *r = esc_reader_open_mem(data, len, err, sizeof err);
	struct esc_event ev;
	long n = 0;
	int rc;

	if (r == NULL)
		return -2;
	while ((rc = esc_reader_next(r, &ev)) > 0) {
		if (ev.type == ESC_EV_STACK)
			for (uint32_t i = 0; i < ev.u.stack.depth; i++)
				n += ev.u.stack.pcs[i] == 1; /* touch every PC */
		n++;
	}
	if (truncated)
		*truncated = esc_reader_truncated(r);
	assert_true(strlen(esc_reader_error(r)) < 512);
	esc_reader_close(r);
	return rc < 0 ? -1 : n;
}

/* Cut at every byte: the reader yields a prefix, never more, never an error
 * for a raw file (a cut is a truncation, not damage). */
static void test_truncated_everywhere(void **state)
{
	(void)state;
	struct buf b = trace_all(false);
	long full = drain(b.data, b.len, NULL);
	assert_int_equal(full, 20);
	long prev = 0;
	for (size_t cut = ESC_FILE_HEADER_SIZE; cut < ESC_FILE_HEADER_SIZE + 300; cut++) {
		uint8_t *copy = malloc(cut);
		memcpy(copy, b.data, cut);
		bool truncated = false;
		long n = drain(copy, cut, &truncated);
		assert_true(n >= prev);
		assert_true(n <= full);
		if (n < full)
			assert_true(truncated);
		prev = n;
		free(copy);
	}
	assert_int_equal(drain(b.data, ESC_FILE_HEADER_SIZE - 1, NULL), -2);
	free(b.data);
}

/* Random damage: flipped bytes anywhere in header or payload, raw and
 * deflated.  Whatever happens, no crash and no read out of bounds. */
static void test_corrupt(void **state)
{
	(void)state;
	srand(12345);
	for (int deflated = 0; deflated < 2; deflated++) {
		struct buf b = trace_all(deflated);
		size_t damaged = 0;
		for (int iter = 0; iter < 3000; iter++) {
			uint8_t *copy = malloc(b.len);
			memcpy(copy, b.data, b.len);
			int flips = 1 + rand() % 4;
			for (int f = 0; f < flips; f++) {
				size_t at = (rand() % 4 == 0)
				                    ? (size_t)rand() % 128
				                    : ESC_FILE_HEADER_SIZE + (size_t)rand() % 200;
				copy[at % b.len] ^= (uint8_t)(1 + rand() % 255);
			}
			damaged += drain(copy, b.len, NULL) < 0;
			free(copy);
		}
		assert_true(damaged > 0); /* the damage was seen, sometimes */
		free(b.data);
	}
}

static void test_rejects(void **state)
{
	char err[256];
	uint8_t junk[ESC_FILE_HEADER_SIZE] = "not a trace";

	(void)state;
	assert_null(esc_reader_open_mem(junk, sizeof junk, err, sizeof err));
	assert_non_null(strstr(err, "not an Escapade trace"));
	assert_null(esc_reader_open("/nonexistent/trace", err, sizeof err));
	assert_non_null(strstr(err, "/nonexistent/trace"));
	struct buf b = trace_all(false);
	((struct esc_file_header *)b.data)->version = 99;
	assert_null(esc_reader_open_mem(b.data, b.len, err, sizeof err));
	assert_non_null(strstr(err, "version 99"));
	free(b.data);
}

/* Version 1 files are still read, but have no escape record. */
static void test_version_1(void **state)
{
	char err[256];
	struct buf b = {0}, p = {0};
	struct esc_event ev;

	(void)state;
	file_header(&b, 0);
	((struct esc_file_header *)b.data)->version = 1;
	tag(&p, ESC_REC_LOST);
	u(&p, 1);
	u(&p, 3);
	tag(&p, ESC_REC_ESCAPE);
	u(&p, 1);
	u(&p, ESC_REF_UNKNOWN);
	u(&p, 0);
	chunk(&b, 1, 0, 1000, &p, false);
	esc_reader *r = esc_reader_open_mem(b.data, b.len, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(esc_reader_next(r, &ev), 1);
	assert_int_equal(ev.type, ESC_EV_LOST);
	assert_int_equal(esc_reader_next(r, &ev), -1);
	esc_reader_close(r);
	free(p.data);
	free(b.data);
}

/* ---- the version 2 corpus (tests/fuzz/make-corpus.py) ---------------------- */

struct v2_counts {
	int escapes, escaped, enters, exits, events;
	int remote, unknown;       /* escape records naming such blocks */
	uint64_t goid_of_exit[4];  /* goroutine of each frame exit, in order */
	uint64_t last_escape_goid; /* of thread 1's last escape */
};

static esc_reader *open_corpus(const char *name)
{
	char path[4096], err[256];
	const char *top = getenv("top_srcdir");

	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
	esc_reader *r = esc_reader_open(path, err, sizeof err);
	if (r == NULL)
		fail_msg("%s: %s", path, err);
	return r;
}

static void count_v2(const char *name, struct v2_counts *c, bool *truncated)
{
	struct esc_event ev;
	int rc;
	esc_reader *r = open_corpus(name);

	memset(c, 0, sizeof *c);
	while ((rc = esc_reader_next(r, &ev)) > 0) {
		c->events++;
		if (ev.type == ESC_EV_FRAME_ENTER)
			c->enters++;
		if (ev.type == ESC_EV_FRAME_EXIT && c->exits < 4)
			c->goid_of_exit[c->exits++] = ev.goid;
		if (ev.type != ESC_EV_ESCAPE)
			continue;
		c->escapes++;
		c->escaped += ev.u.escape.escaped;
		c->remote += ev.u.escape.block.kind == ESC_REF_REMOTE &&
		             ev.u.escape.block.id == (UINT64_C(1) << 40 | 0);
		c->unknown += ev.u.escape.block.kind == ESC_REF_UNKNOWN;
		if (ev.thread == 1)
			c->last_escape_goid = ev.goid;
	}
	assert_int_equal(rc, 0);
	*truncated = esc_reader_truncated(r);
	esc_reader_close(r);
}

/* The version 2 traces of the corpus: escape verdicts on local, remote and
 * unknown blocks, frames of two interleaved goroutines; raw and compact
 * alike, and a cut inside an escape record loses only that record. */
static void test_corpus_v2(void **state)
{
	struct v2_counts raw, compact, cut;
	bool truncated;

	(void)state;
	count_v2("valid-v2-raw", &raw, &truncated);
	assert_false(truncated);
	assert_int_equal(raw.escapes, 6);
	assert_int_equal(raw.escaped, 4);
	assert_int_equal(raw.remote, 1);
	assert_int_equal(raw.unknown, 1);
	assert_int_equal(raw.enters, 4);
	assert_int_equal(raw.exits, 4);
	assert_int_equal(raw.goid_of_exit[0], 1);
	assert_int_equal(raw.goid_of_exit[1], 1); /* after the switch back */
	assert_int_equal(raw.goid_of_exit[2], 2);
	assert_int_equal(raw.goid_of_exit[3], 2);
	assert_int_equal(raw.last_escape_goid, 2);
	count_v2("valid-v2-compact", &compact, &truncated);
	assert_false(truncated);
	assert_memory_equal(&raw, &compact, sizeof raw);
	count_v2("truncated-v2-mid-escape", &cut, &truncated);
	assert_true(truncated);
	assert_int_equal(cut.escapes, 0);
	assert_int_equal(cut.enters, 2);
}

/* ---- the version 3 corpus: goroutine states ------------------------------- */

/* One event as a line: "thread/goid @ns what". */
static void describe(const struct esc_event *ev, char *out, size_t len)
{
	int n = snprintf(out, len, "%u/%" PRIu64 " @%" PRIu64 " ", ev->thread, ev->goid,
	                 ev->time_ns);
	out += n, len -= (size_t)n;
	switch (ev->type) {
	case ESC_EV_MODULE:
		snprintf(out, len, "module %s", ev->u.module.path);
		break;
	case ESC_EV_STACK:
		snprintf(out, len, "stack %u depth %u", ev->u.stack.id, ev->u.stack.depth);
		break;
	case ESC_EV_GO_CREATE:
		snprintf(out, len, "create %" PRIu64 " parent %" PRIu64 " stack %u", ev->u.go.goid,
		         ev->u.go.parent, ev->u.go.stack);
		break;
	case ESC_EV_GO_EXIT:
		snprintf(out, len, "exit %" PRIu64, ev->u.go.goid);
		break;
	case ESC_EV_ALLOC:
		snprintf(out, len, "alloc %" PRIu64, ev->u.alloc.size);
		break;
	case ESC_EV_GO_STATE:
		snprintf(out, len, "state %" PRIu64 " %s", ev->u.go_state.goid,
		         ev->u.go_state.state);
		break;
	case ESC_EV_END:
		snprintf(out, len, "end %u %" PRId64, ev->u.end.reason, ev->u.end.status);
		break;
	default:
		snprintf(out, len, "event %d", (int)ev->type);
	}
}

/* valid-v3-raw (make-corpus.py, program_v3), event by event: the reader
 * hands every state record over as written (which ones count is the
 * aggregation's business, see tests/test_corpus). */
static const char *const v3_events[] = {
        "1/0 @0 module /usr/bin/gortblock",
        "1/0 @0 stack 1 depth 2",
        "1/0 @0 stack 2 depth 2",
        "1/0 @1 create 1 parent 0 stack 1",
        "1/1 @2 create 2 parent 1 stack 2",
        "1/1 @3 create 3 parent 1 stack 2",
        "1/1 @4 create 4 parent 1 stack 2",
        "1/1 @5 create 5 parent 1 stack 2",
        "1/1 @6 create 6 parent 1 stack 2",
        "1/1 @7 create 7 parent 1 stack 2",
        "1/1 @8 alloc 48",
        "1/1 @9 exit 3",
        "1/1 @10 state 1 running",
        "1/1 @11 state 2 chan receive",
        "1/1 @12 state 3 sleep",
        "1/1 @13 state 4 select",
        "1/1 @14 state 5 sync.WaitGroup.Wait",
        "1/1 @15 state 6 runnable",
        "1/1 @16 state 99 chan send",
        "1/1 @17 state 5 sync.Mutex.Lock",
        "2/0 @2000 state 7 select (no cases)",
        "1/1 @5017 end 1 2",
};
#define V3_EVENTS (sizeof v3_events / sizeof *v3_events)

/* Reads a corpus file to its end or its damage, checking that its events
 * are the first of `want`; returns how many there were and the last
 * esc_reader_next result. */
static size_t expect_events(const char *name, const char *const *want, size_t nwant, int *rc,
                            bool *truncated, char *err, size_t errlen)
{
	esc_reader *r = open_corpus(name);
	struct esc_event ev;
	char line[256];
	size_t n = 0;

	while ((*rc = esc_reader_next(r, &ev)) > 0) {
		describe(&ev, line, sizeof line);
		if (n >= nwant)
			fail_msg("%s: event %zu beyond the %zu expected: %s", name, n, nwant, line);
		if (strcmp(line, want[n]))
			fail_msg("%s: event %zu is \"%s\", expected \"%s\"", name, n, line,
			         want[n]);
		n++;
	}
	*truncated = esc_reader_truncated(r);
	if (err)
		snprintf(err, errlen, "%s", esc_reader_error(r));
	esc_reader_close(r);
	return n;
}

static void test_corpus_v3(void **state)
{
	bool truncated;
	int rc;

	(void)state;
	assert_int_equal(
	        expect_events("valid-v3-raw", v3_events, V3_EVENTS, &rc, &truncated, NULL, 0),
	        V3_EVENTS);
	assert_int_equal(rc, 0);
	assert_false(truncated);
	assert_int_equal(
	        expect_events("valid-v3-compact", v3_events, V3_EVENTS, &rc, &truncated, NULL, 0),
	        V3_EVENTS);
	assert_int_equal(rc, 0);
	assert_false(truncated);
	/* Cut inside goroutine 2's state: what came before it, and no more. */
	assert_int_equal(expect_events("truncated-v3-mid-state", v3_events, V3_EVENTS, &rc,
	                               &truncated, NULL, 0),
	                 13);
	assert_int_equal(rc, 0);
	assert_true(truncated);
}

/* Hostile goroutine state records: what each gives, one file each (a
 * stack record and the creation of goroutine 2 come first, an end record
 * last). */
static void expect_state(const char *name, const char *want_state, const char *want_error)
{
	char err[512];
	const char *want[] = {"1/0 @0 stack 1 depth 1", "1/0 @1 create 2 parent 1 stack 1",
	                      want_state, "1/0 @3 end 1 0"};
	bool truncated;
	int rc;
	size_t n = expect_events(name, want, want_state ? 4 : 2, &rc, &truncated, err, sizeof err);

	if (want_error) {
		assert_int_equal(n, 2);
		assert_int_equal(rc, -1);
		if (!strstr(err, want_error))
			fail_msg("%s: error \"%s\" lacks \"%s\"", name, err, want_error);
	} else {
		assert_int_equal(n, 4);
		assert_int_equal(rc, 0);
		if (truncated)
			fail_msg("%s: reported truncated: %s", name, err);
	}
}

static void test_corpus_v3_hostile(void **state)
{
	(void)state;
	expect_state(
	        "mutated-v3-state-len-64",
	        "1/0 @2 state 2 wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww",
	        NULL);
	expect_state("mutated-v3-state-len-65", NULL, "string longer than allowed");
	expect_state("mutated-v3-state-len-huge", NULL, "string longer than allowed");
	expect_state("mutated-v3-state-len-past-chunk", NULL, "string longer than allowed");
	expect_state("mutated-v3-state-in-v2", NULL, "unknown record tag");
	expect_state("mutated-v3-state-in-v1", NULL, "unknown record tag");
	expect_state("mutated-v3-state-empty", "1/0 @2 state 2 ", NULL);
	expect_state("mutated-v3-state-nul", "1/0 @2 state 2 chan", NULL);
	expect_state("mutated-v3-dt-huge", NULL, "time delta out of range");
	expect_state("mutated-v3-cut-after-tag", NULL, "truncated varint");
	expect_state("mutated-v3-cut-in-string", NULL, "string longer than allowed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_round_trip_raw),
	        cmocka_unit_test(test_round_trip_deflated),
	        cmocka_unit_test(test_round_trip_packed),
	        cmocka_unit_test(test_merge),
	        cmocka_unit_test(test_truncated_everywhere),
	        cmocka_unit_test(test_corrupt),
	        cmocka_unit_test(test_rejects),
	        cmocka_unit_test(test_version_1),
	        cmocka_unit_test(test_corpus_v2),
	        cmocka_unit_test(test_corpus_v3),
	        cmocka_unit_test(test_corpus_v3_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
