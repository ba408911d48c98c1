/*
 * writer.c — the trace file: a MAP_SHARED mapping carved into chunks.
 *
 * The whole file is mapped once, far larger than it will grow (the mapping
 * reserves address space only), and extended with ftruncate a few MiB at a
 * time.  After the 4 KiB header come slots of ESC_CHUNK_SIZE bytes.  A
 * thread that needs room claims the next slot with one atomic add, fills
 * in the chunk header, then publishes it by storing the magic; from then on
 * the slot is its own, and every record it appends is published by a
 * release store of the chunk's `committed` length.  There is no lock on
 * that path, and because the mapping is shared with the page cache, a
 * process killed at any instant leaves every committed record in the file.
 *
 * At a clean end the writer appends an END record, stamps the header (end
 * clock pair, CLEAN) and rewrites the file compact: used chunks only, each
 * payload deflated by zlib (working memory from arena.c), written to
 * FILE.tmp and renamed over FILE.  Threads still running keep writing into
 * the old mapping, which stays mapped: nothing they do can fault.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"

#define RESERVE     ((size_t)1 << 30) /* 64 GiB of address space */
#define GROW_CHUNKS 64u               /* ftruncate granule, in slots */

static int trace_fd = -1;
static char trace_path[ESC_MAX_PATH];
static uint8_t *map;
static struct esc_file_header *header;
static uint64_t next_slot; /* atomic */
static uint64_t file_size; /* atomic */
static esc_spin grow_spin;
static int closed;              /* the end was written: no more slots */
static uint32_t thread_counter; /* atomic */

uint64_t esc_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t esc_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t writer_new_thread_index(void)
{
	return __atomic_add_fetch(&thread_counter, 1, __ATOMIC_RELAXED);
}

static void fill_header(struct esc_file_header *h)
{
	ssize_t n;

	memcpy(h->magic, ESC_MAGIC, ESC_MAGIC_LEN);
	h->version = ESC_VERSION;
	h->header_size = ESC_FILE_HEADER_SIZE;
	h->chunk_size = ESC_CHUNK_SIZE;
	h->flags = (esc_opt.cost ? ESC_FLAG_COST : 0) | (esc_opt.frames ? ESC_FLAG_FRAMES : 0);
	h->clock = ESC_CLOCK_TSC;
	h->tick_shift = ESC_TICK_SHIFT;
	h->pid = (uint32_t)getpid();
	h->ppid = (uint32_t)getppid();
	h->max_depth = esc_opt.depth;
	n = readlink("/proc/self/exe", h->exe, sizeof h->exe - 1);
	h->exe_len = n > 0 ? (uint32_t)n : 0;
	h->start_realtime_ns = esc_real_ns();
	h->start_ticks = esc_ticks();
	h->start_ns = esc_mono_ns();
}

int writer_open(const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path);

	if (len >= sizeof trace_path) {
		snprintf(err, errlen, "trace path too long");
		return -1;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	uint64_t size = ESC_FILE_HEADER_SIZE + (uint64_t)GROW_CHUNKS * ESC_CHUNK_SIZE;
	if (ftruncate(fd, (off_t)size) < 0) {
		snprintf(err, errlen, "%s: ftruncate: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	void *m = mmap(NULL, RESERVE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Chunks are written in place, never read ahead: no readahead on
	 * faults (reading a slot's header at exit must not read its hole). */
	madvise(m, RESERVE, MADV_RANDOM);
	memcpy(trace_path, path, len + 1);
	trace_fd = fd;
	map = m;
	header = m;
	next_slot = 0;
	file_size = size;
	thread_counter = 0;
	fill_header(header);
	return 0;
}

/* Make sure the file covers `end` bytes; false when it cannot. */
static bool cover(uint64_t end)
{
	if (end <= __atomic_load_n(&file_size, __ATOMIC_ACQUIRE))
		return true;
	if (end > RESERVE)
		return false;
	bool ok = true;
	spin_lock(&grow_spin);
	if (end > file_size) {
		uint64_t granule = (uint64_t)GROW_CHUNKS * ESC_CHUNK_SIZE;
		uint64_t size = file_size + granule;
		while (size < end)
			size += granule;
		if (ftruncate(trace_fd, (off_t)size) == 0)
			__atomic_store_n(&file_size, size, __ATOMIC_RELEASE);
		else
			ok = false;
	}
	spin_unlock(&grow_spin);
	return ok;
}

/* Claim a fresh slot for t and make it t's current chunk. */
static bool claim_chunk(struct tstate *t)
{
	/* seq_cst pairs with writer_finish: either the end sees this slot
	 * and keeps it in the file, or this sees `closed` and backs off. */
	uint64_t slot = __atomic_fetch_add(&next_slot, 1, __ATOMIC_SEQ_CST);
	uint64_t off = ESC_FILE_HEADER_SIZE + slot * ESC_CHUNK_SIZE;

	if (__atomic_load_n(&closed, __ATOMIC_SEQ_CST) || !cover(off + ESC_CHUNK_SIZE))
		return false;
	if (t->chunk != NULL) /* full: its pages leave our RSS, not the file */
		madvise(t->chunk, ESC_CHUNK_SIZE, MADV_DONTNEED);
	struct esc_chunk_header *h = (struct esc_chunk_header *)(map + off);
	h->flags = 0;
	h->thread = t->index;
	h->tid = t->tid;
	h->stored = ESC_CHUNK_SIZE - ESC_CHUNK_HEADER_SIZE;
	h->committed = 0;
	h->raw_len = 0;
	h->first_seq = t->seq;
	h->goid = t->goid;
	h->base_ticks = esc_ticks();
	h->base_ns = esc_mono_ns();
	__atomic_store_n(&h->magic, ESC_CHUNK_MAGIC, __ATOMIC_RELEASE);
	t->chunk = h;
	t->pos = (uint8_t *)h + ESC_CHUNK_HEADER_SIZE;
	t->limit = (uint8_t *)h + ESC_CHUNK_SIZE;
	t->last_t = h->base_ticks >> ESC_TICK_SHIFT;
	t->last_frame = 0;
	t->last_stack = 0;
	t->last_fn = t->last_sp = 0;
	return true;
}

uint8_t *writer_reserve_slow(struct tstate *t, size_t need)
{
	bool ok = false;

	if (map == NULL)
		return NULL;
	if (t->chunk != NULL && (size_t)(t->limit - t->pos) >= need)
		return t->pos;
	if (need <= ESC_CHUNK_SIZE - ESC_CHUNK_HEADER_SIZE)
		KEEP_ERRNO(ok = claim_chunk(t));
	return ok ? t->pos : NULL;
}

uint8_t *put_str(uint8_t *p, const char *s, size_t n)
{
	p = esc_put_uvarint(p, n);
	memcpy(p, s, n);
	return p + n;
}

void writer_note_goid(struct tstate *t, uint64_t goid)
{
	if (goid == t->goid)
		return;
	uint8_t *p = writer_reserve(t, 1 + ESC_MAX_VARINT);
	if (p == NULL)
		return;
	if (t->chunk->committed == 0 && t->chunk->goid == goid) {
		t->goid = goid; /* a fresh chunk already says so */
		return;
	}
	*p++ = ESC_REC_GSWITCH;
	p = esc_put_uvarint(p, goid);
	t->goid = goid;
	writer_commit(t, p);
}

void writer_lost(struct tstate *t)
{
	uint8_t *p = writer_reserve(t, 1 + 2 * ESC_MAX_VARINT);
	if (p == NULL)
		return;
	*p++ = ESC_REC_LOST;
	p = put_dt(t, p, esc_ticks());
	p = esc_put_uvarint(p, t->lost);
	t->lost = 0;
	writer_commit(t, p);
}

void writer_thread_name(struct tstate *t, const char *name)
{
	size_t n = strnlen(name, ESC_MAX_NAME);
	uint8_t *p = writer_reserve(t, 1 + 2 * ESC_MAX_VARINT + n);

	if (p == NULL)
		return;
	*p++ = ESC_REC_THREAD_NAME;
	p = put_dt(t, p, esc_ticks());
	p = put_str(p, name, n);
	writer_commit(t, p);
}

/* ---- the end --------------------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	size_t n = (size_t)items * size + sizeof(size_t);
	size_t *p = arena_alloc(n);

	(void)opaque;
	if (p == NULL)
		return Z_NULL;
	*p = n;
	return p + 1;
}

static void z_free(voidpf opaque, voidpf ptr)
{
	size_t *p = (size_t *)ptr - 1;

	(void)opaque;
	arena_free(p, *p);
}

/* Append one chunk to fd, its payload deflated (zs != NULL) or as it is,
 * without the unused tail of its slot. */
static int compact_chunk(int fd, z_stream *zs, const struct esc_chunk_header *h, uint8_t *out,
                         size_t outlen)
{
	uint32_t committed = __atomic_load_n(&h->committed, __ATOMIC_ACQUIRE);
	struct esc_chunk_header copy = *h;

	copy.magic = ESC_CHUNK_MAGIC;
	if (zs == NULL) {
		copy.flags = 0;
		copy.stored = copy.committed = copy.raw_len = committed;
		if (write_all(fd, &copy, sizeof copy) < 0 ||
		    write_all(fd, (const uint8_t *)h + ESC_CHUNK_HEADER_SIZE, committed) < 0)
			return -1;
		return 0;
	}
	if (deflateReset(zs) != Z_OK)
		return -1;
	zs->next_in = (Bytef *)h + ESC_CHUNK_HEADER_SIZE;
	zs->avail_in = committed;
	zs->next_out = out;
	zs->avail_out = (uInt)outlen;
	if (deflate(zs, Z_FINISH) != Z_STREAM_END)
		return -1;
	copy.flags = ESC_CHUNK_DEFLATE;
	copy.stored = copy.committed = (uint32_t)(outlen - zs->avail_out);
	copy.raw_len = committed;
	if (write_all(fd, &copy, sizeof copy) < 0 || write_all(fd, out, copy.stored) < 0)
		return -1;
	return 0;
}

/* Rewrite the trace compact into FILE.tmp, then rename it over FILE: used
 * chunks only, without their slots' unused tails, deflated or not. */
static void compact(bool deflated)
{
	char tmp[ESC_MAX_PATH + 8];
	size_t n = strlen(trace_path);
	z_stream zs;
	int rc = -1;

	if (n + 5 > sizeof tmp)
		return;
	memcpy(tmp, trace_path, n);
	memcpy(tmp + n, ".tmp", 5);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	memset(&zs, 0, sizeof zs);
	zs.zalloc = z_alloc;
	zs.zfree = z_free;
	size_t outlen = compressBound(ESC_CHUNK_SIZE);
	uint8_t *out = arena_alloc(outlen);
	if (deflated && (out == NULL || deflateInit(&zs, 1) != Z_OK))
		goto out;
	struct esc_file_header hcopy = *header;
	hcopy.flags |= ESC_FLAG_COMPACT;
	if (write_all(fd, &hcopy, sizeof hcopy) < 0 ||
	    lseek(fd, ESC_FILE_HEADER_SIZE, SEEK_SET) != ESC_FILE_HEADER_SIZE)
		goto out_z;
	uint64_t slots = __atomic_load_n(&next_slot, __ATOMIC_ACQUIRE);
	for (uint64_t s = 0; s < slots; s++) {
		uint64_t off = ESC_FILE_HEADER_SIZE + s * ESC_CHUNK_SIZE;
		if (off + ESC_CHUNK_SIZE > __atomic_load_n(&file_size, __ATOMIC_ACQUIRE))
			break;
		const struct esc_chunk_header *h = (const void *)(map + off);
		if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != ESC_CHUNK_MAGIC ||
		    h->committed == 0)
			continue;
		if (compact_chunk(fd, deflated ? &zs : NULL, h, out, outlen) < 0)
			goto out_z;
		madvise((void *)h, ESC_CHUNK_SIZE, MADV_DONTNEED);
	}
	rc = 0;
out_z:
	if (deflated)
		deflateEnd(&zs);
out:
	arena_free(out, outlen);
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, trace_path) == 0)
		return;
	unlink(tmp); /* keep the raw file: it is complete too */
}

/* Bytes of claimed slots that hold no record (many short threads leave a
 * mostly empty slot each).  Headers are read with pread: through the
 * mapping, fault-around would map whole chunks back into RSS. */
static uint64_t slack_bytes(void)
{
	uint64_t slots = __atomic_load_n(&next_slot, __ATOMIC_ACQUIRE), slack = 0;
	struct esc_chunk_header h;

	for (uint64_t i = 0; i < slots; i++) {
		uint64_t off = ESC_FILE_HEADER_SIZE + i * ESC_CHUNK_SIZE;
		if (off + ESC_CHUNK_SIZE > file_size ||
		    pread(trace_fd, &h, sizeof h, (off_t)off) != (ssize_t)sizeof h)
			break;
		if (h.committed <= ESC_CHUNK_SIZE - ESC_CHUNK_HEADER_SIZE)
			slack += ESC_CHUNK_SIZE - ESC_CHUNK_HEADER_SIZE - h.committed;
	}
	return slack;
}

/* A thread ended: its chunk's pages leave our RSS (the file keeps them). */
void writer_thread_done(struct tstate *t)
{
	if (t->chunk != NULL)
		madvise(t->chunk, ESC_CHUNK_SIZE, MADV_DONTNEED);
	t->chunk = NULL;
}

void writer_finish(unsigned reason, int64_t status, bool do_compact)
{
	static int finishing;

	if (__atomic_exchange_n(&finishing, 1, __ATOMIC_ACQ_REL) || esc_state != ESC_ON)
		return;
	struct tstate *t = tstate_get();
	if (t != NULL) {
		t->busy++;
		if (t->lost)
			writer_lost(t);
		uint8_t *p = writer_reserve(t, 1 + 5 * ESC_MAX_VARINT);
		if (p != NULL) {
			uint64_t ticks = esc_ticks(), ns = esc_mono_ns();
			*p++ = ESC_REC_END;
			p = put_dt(t, p, ticks);
			p = esc_put_uvarint(p, reason);
			p = esc_put_svarint(p, status);
			p = esc_put_uvarint(p, ticks);
			p = esc_put_uvarint(p, ns);
			writer_commit(t, p);
			header->end_ticks = ticks;
			header->end_ns = ns;
			__atomic_or_fetch(&header->flags, ESC_FLAG_CLEAN, __ATOMIC_RELEASE);
		}
	}
	esc_state = ESC_DONE;
	if (map != NULL) {
		__atomic_store_n(&closed, 1, __ATOMIC_SEQ_CST);
		uint64_t used = ESC_FILE_HEADER_SIZE +
		                __atomic_load_n(&next_slot, __ATOMIC_SEQ_CST) * ESC_CHUNK_SIZE;
		spin_lock(&grow_spin);
		if (used < file_size && ftruncate(trace_fd, (off_t)used) == 0)
			file_size = used;
		spin_unlock(&grow_spin);
		if (do_compact || slack_bytes() > (used > (8u << 20) ? used / 8 : (1u << 20)))
			compact(do_compact);
	}
	if (t != NULL)
		t->busy--;
}

void writer_forget(void)
{
	if (map != NULL)
		munmap(map, RESERVE);
	if (trace_fd >= 0)
		close(trace_fd);
	map = NULL;
	header = NULL;
	trace_fd = -1;
	grow_spin.v = 0;
	closed = 0;
}

void writer_lock_all(void)
{
	spin_lock(&grow_spin);
}

void writer_unlock_all(void)
{
	spin_unlock(&grow_spin);
}
