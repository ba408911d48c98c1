/*
 * format.h — the Escapade trace format, shared by the writer (libescapade.so)
 * and the reader (tracer/reader.c).  doc/trace-format.md is the prose
 * specification; this header is its executable half: the constants, the
 * fixed-layout header and chunk header, and the varint/zigzag codecs.
 *
 * Shape of a file:
 *
 *     file header (ESC_FILE_HEADER_SIZE bytes, fixed layout, little-endian)
 *     chunk, chunk, chunk, ...
 *
 * A chunk is a fixed 64-byte chunk header followed by `stored` bytes of
 * payload.  The payload is a run of self-delimiting records written by ONE
 * thread; every delta (time, frame address, stack PCs, allocation sequence)
 * restarts at the chunk boundary from values in the chunk header, so any
 * chunk decodes on its own.  While the program runs, the file is a
 * MAP_SHARED mapping carved into equal slots of `chunk_size` bytes that
 * threads claim with an atomic counter; a chunk's `committed` length is
 * release-stored after each record, so whatever a crash leaves is readable.
 * At a clean exit the file is rewritten "compact": empty slots dropped and
 * each payload deflated (zlib), which is what keeps a trace small.
 *
 * Records start with a tag byte; integers are unsigned LEB128 varints,
 * signed ones zigzag-encoded first.  See doc/trace-format.md for each field.
 */
#ifndef ESCAPADE_FORMAT_H
#define ESCAPADE_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ESC_MAGIC             "ESCTRACE"
#define ESC_MAGIC_LEN         8
#define ESC_VERSION           3 /* 2: the escape record; 3: goroutine state */
#define ESC_MIN_VERSION       1 /* the oldest version a reader accepts */
#define ESC_FILE_HEADER_SIZE  4096u
#define ESC_CHUNK_MAGIC       0x4b484345u /* "ECHK" little-endian */
#define ESC_CHUNK_HEADER_SIZE 64u
#define ESC_CHUNK_SIZE        (64u * 1024u) /* slot size of a live (raw) file */
#define ESC_MAX_CHUNK_SIZE    (16u * 1024u * 1024u)
#define ESC_MAX_DEPTH         1024u /* deepest stack a record may carry */
#define ESC_MAX_PATH          4096u
#define ESC_MAX_BUILD_ID      64u
#define ESC_MAX_NAME          64u
#define ESC_MAX_GO_STATE      64u /* longest goroutine state string */
#define ESC_MAX_VARINT        10u

/* Clocks (file header `clock`).  TSC: ticks of the invariant time-stamp
 * counter, converted to ns through the (ticks, ns) pairs of the file header,
 * the chunk headers and the end record.  MONOTONIC: ticks are ns. */
enum esc_clock { ESC_CLOCK_TSC = 1, ESC_CLOCK_MONOTONIC = 2 };

/* File header flags. */
#define ESC_FLAG_COST    0x1u /* alloc records carry the allocator's cost */
#define ESC_FLAG_COMPACT 0x2u /* rewritten at clean exit: chunks packed, deflated */
#define ESC_FLAG_FRAMES  0x4u /* --frames was on */
#define ESC_FLAG_CLEAN   0x8u /* an end record was written */

/* Chunk header flags. */
#define ESC_CHUNK_DEFLATE 0x1u /* payload is a zlib stream of raw_len bytes */

/* Record tags. */
enum esc_tag {
	ESC_REC_MODULE = 0x01,      /* base, size, path, build-id */
	ESC_REC_STACK = 0x02,       /* id, depth<<1|truncated, PCs */
	ESC_REC_THREAD_NAME = 0x03, /* dt, name */
	ESC_REC_GSWITCH = 0x04,     /* goid: following records run on it */
	ESC_REC_NEWOBJECT = 0x05,   /* dt, size, sizeclass, stack, frame, ns */
	ESC_REC_GC_START = 0x06,    /* dt, cycle, heap_live, heap_goal, forced */
	ESC_REC_GC_END = 0x07,      /* dt, cycle, live, goal, objects, freed, bytes, pause, mark */
	ESC_REC_STACK_GROW = 0x08,  /* dt, goid, frame_size, seg_size, stack */
	ESC_REC_STACK_RELEASE = 0x09, /* dt, goid, seg_size */
	ESC_REC_GO_CREATE = 0x0a,     /* dt, goid, parent, fn, stack */
	ESC_REC_GO_EXIT = 0x0b,       /* dt, goid */
	ESC_REC_LOST = 0x0c,          /* dt, count of events the tracer dropped */
	ESC_REC_END = 0x0d,           /* dt, reason, status, ticks, ns */
	ESC_REC_FRAME_ENTER = 0x0e,   /* dt, fn delta, sp delta (--frames) */
	ESC_REC_FRAME_EXIT = 0x0f,    /* dt (--frames) */
	ESC_REC_ESCAPE = 0x10,        /* dt, ref, escaped (version 2) */
	ESC_REC_GO_STATE = 0x11,      /* dt, goid, state: left at the end (version 3) */
	ESC_REC_ALLOC = 0x20,         /* | esc_alloc_fn: dt, size, stack, frame [cost] [ref] */
	ESC_REC_FREE = 0x40,          /* | esc_free_fn: dt, ref */
	ESC_REC_ALLOC_SAME = 0x60,    /* | esc_alloc_fn: dt, size [cost] [ref]; the previous
	                                 allocation's stack and frame */
};
#define ESC_REC_KIND_MASK 0xe0u
#define ESC_REC_FN_MASK   0x1fu

/* Allocating functions (low bits of an ALLOC tag). */
enum esc_alloc_fn {
	ESC_FN_MALLOC,
	ESC_FN_CALLOC,
	ESC_FN_REALLOC,
	ESC_FN_REALLOCARRAY,
	ESC_FN_POSIX_MEMALIGN,
	ESC_FN_ALIGNED_ALLOC,
	ESC_FN_MEMALIGN,
	ESC_FN_VALLOC,
	ESC_FN_PVALLOC,
	ESC_FN_MALLOCX,
	ESC_FN_RALLOCX,
	ESC_FN_XALLOCX,
	ESC_FN_NEW,       /* C++ operator new (every variant but the array ones) */
	ESC_FN_NEW_ARRAY, /* C++ operator new[] */
	ESC_FN_ALLOC_COUNT
};

/* Releasing functions (low bits of a FREE tag). */
enum esc_free_fn {
	ESC_FN_FREE,
	ESC_FN_DALLOCX,
	ESC_FN_SDALLOCX,
	ESC_FN_SWEEP,        /* gort's sweeper */
	ESC_FN_DELETE,       /* C++ operator delete */
	ESC_FN_DELETE_ARRAY, /* C++ operator delete[] */
	ESC_FN_FREE_COUNT
};

/* End reasons. */
enum esc_end_reason {
	ESC_END_EXIT = 1,       /* exit() or return from main */
	ESC_END__EXIT = 2,      /* _exit() / _Exit() */
	ESC_END_QUICK_EXIT = 3, /* quick_exit() */
	ESC_END_EXEC = 4,       /* the image was replaced by exec */
	ESC_END_COUNT
};

/* A block reference (frees, the old block of a realloc): one varint whose
 * low bits say how the block is named.
 *   kind NONE:    no block (realloc of NULL)
 *   kind LOCAL:   payload = d, the block created d blocks before this
 *                 thread's latest one (0 = the latest)
 *   kind REMOTE:  payload = index of the creating thread; a second varint
 *                 follows with the block's sequence number in that thread
 *   kind UNKNOWN: a block the tracer never saw created
 * bit 2 LIVE:  the frame that created the block is still live on this
 *              thread (the escape verdict: frame-local)
 * bit 3 SAME:  realloc returned the same address (grown or shrunk in place) */
enum esc_ref_kind { ESC_REF_NONE, ESC_REF_LOCAL, ESC_REF_REMOTE, ESC_REF_UNKNOWN };
#define ESC_REF_KIND_MASK 0x3u
#define ESC_REF_LIVE      0x4u
#define ESC_REF_SAME      0x8u
#define ESC_REF_SHIFT     4

/* File header, at offset 0.  Fields are little-endian (x86-64 native). */
struct esc_file_header {
	char magic[ESC_MAGIC_LEN]; /* ESC_MAGIC */
	uint32_t version;          /* ESC_VERSION */
	uint32_t header_size;      /* ESC_FILE_HEADER_SIZE */
	uint32_t chunk_size;       /* slot size of a raw file */
	uint32_t flags;            /* ESC_FLAG_* */
	uint32_t clock;            /* enum esc_clock */
	uint32_t tick_shift;       /* record dt fields are in ticks >> tick_shift */
	uint32_t pid;
	uint32_t ppid;
	uint32_t max_depth;                  /* --depth */
	uint32_t exe_len;                    /* bytes of exe[] in use */
	uint64_t start_realtime_ns;          /* CLOCK_REALTIME at start */
	uint64_t start_ticks;                /* clock ticks at start ... */
	uint64_t start_ns;                   /* ... and CLOCK_MONOTONIC ns at the same moment */
	uint64_t end_ticks;                  /* clock ticks at a clean end (0 before) ... */
	uint64_t end_ns;                     /* ... and CLOCK_MONOTONIC ns at the same moment */
	char exe[ESC_FILE_HEADER_SIZE - 88]; /* NUL-terminated; truncated to fit */
};
_Static_assert(sizeof(struct esc_file_header) <= ESC_FILE_HEADER_SIZE, "file header fits");

/* Chunk header.  `committed` is the payload length a reader may decode:
 * the writer release-stores it after each complete record. */
struct esc_chunk_header {
	uint32_t magic;     /* ESC_CHUNK_MAGIC; 0 in an unclaimed slot */
	uint32_t flags;     /* ESC_CHUNK_* */
	uint32_t thread;    /* thread index (1, 2, ... in order of first event) */
	uint32_t tid;       /* kernel thread id */
	uint32_t stored;    /* payload bytes that follow the header in the file */
	uint32_t committed; /* decodable payload bytes (before inflation) */
	uint32_t raw_len;   /* payload bytes after inflation */
	uint32_t reserved;
	uint64_t first_seq;  /* blocks this thread created before this chunk */
	uint64_t goid;       /* goroutine running at the chunk's start */
	uint64_t base_ticks; /* time base of the chunk's dt fields ... */
	uint64_t base_ns;    /* ... and CLOCK_MONOTONIC ns at the same moment */
};
_Static_assert(sizeof(struct esc_chunk_header) == ESC_CHUNK_HEADER_SIZE, "chunk header size");

/* ---- varints ------------------------------------------------------------ */

/* Encode v at p (which has ESC_MAX_VARINT bytes of room); return the end. */
static inline uint8_t *esc_put_uvarint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint64_t esc_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t esc_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static inline uint8_t *esc_put_svarint(uint8_t *p, int64_t v)
{
	return esc_put_uvarint(p, esc_zigzag(v));
}

/* Decode a varint from [*pp, end).  Return 0 and advance *pp on success,
 * -1 on a truncated or over-long (more than 64 bits) encoding. */
static inline int esc_get_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned shift = 0;

	for (;;) {
		if (p >= end || shift > 63)
			return -1;
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*pp = p;
	*out = v;
	return 0;
}

static inline int esc_get_svarint(const uint8_t **pp, const uint8_t *end, int64_t *out)
{
	uint64_t v;

	if (esc_get_uvarint(pp, end, &v) < 0)
		return -1;
	*out = esc_unzigzag(v);
	return 0;
}

/* Names, for dump and the viewer. */
static inline const char *esc_alloc_fn_name(unsigned fn)
{
	static const char *const names[ESC_FN_ALLOC_COUNT] = {
	        "malloc",        "calloc",   "realloc", "reallocarray", "posix_memalign",
	        "aligned_alloc", "memalign", "valloc",  "pvalloc",      "mallocx",
	        "rallocx",       "xallocx",  "new",     "new[]",
	};
	return fn < ESC_FN_ALLOC_COUNT ? names[fn] : "?";
}

static inline const char *esc_free_fn_name(unsigned fn)
{
	static const char *const names[ESC_FN_FREE_COUNT] = {"free",  "dallocx", "sdallocx",
	                                                     "sweep", "delete",  "delete[]"};
	return fn < ESC_FN_FREE_COUNT ? names[fn] : "?";
}

/* Does this allocating function name an old block (a ref field follows)? */
static inline int esc_alloc_fn_has_ref(unsigned fn)
{
	return fn == ESC_FN_REALLOC || fn == ESC_FN_REALLOCARRAY || fn == ESC_FN_RALLOCX ||
	       fn == ESC_FN_XALLOCX;
}

#endif /* ESCAPADE_FORMAT_H */
