/*
 * test_pprof.c — the pprof encoder decoded back: a small protobuf reader
 * (independent of the encoder's code) inflates the gzip stream and checks
 * the string table, sample types, locations, functions, mappings, and
 * that every sample type sums to the tree's total.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "calltree.h"
#include "pprof.h"

struct msg {
	const unsigned char *p, *end;
};

static uint64_t varint(struct msg *m)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		assert_true(m->p < m->end);
		unsigned char b = *m->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	fail_msg("varint too long");
	return 0;
}

/* Next field: its number, and either its varint or its bytes in *sub. */
static int field(struct msg *m, uint64_t *v, struct msg *sub)
{
	if (m->p >= m->end)
		return 0;
	uint64_t key = varint(m);
	int wire = (int)(key & 7);
	if (wire == 0) {
		*v = varint(m);
	} else {
		assert_int_equal(wire, 2);
		uint64_t n = varint(m);
		assert_true(n <= (uint64_t)(m->end - m->p));
		sub->p = m->p;
		sub->end = m->p + n;
		m->p += n;
	}
	return (int)(key >> 3);
}

struct profile {
	char *strings[256];
	int nstrings;
	int sample_types[16][2];
	int ntypes;
	uint64_t sums[16];
	int nsamples, nlocations, nfunctions, nmappings;
	int max_depth;
	uint64_t function_names[64];
	uint64_t default_type;
	uint64_t first_mapping_file; /* string index */
};

static void decode_sample(struct profile *pr, struct msg s)
{
	uint64_t v;
	struct msg sub;
	int f;
	while ((f = field(&s, &v, &sub))) {
		if (f == 1) { /* packed location ids */
			int depth = 0;
			while (sub.p < sub.end) {
				uint64_t id = varint(&sub);
				assert_true(id >= 1);
				depth++;
			}
			if (depth > pr->max_depth)
				pr->max_depth = depth;
		} else if (f == 2) { /* packed values */
			for (int i = 0; sub.p < sub.end; i++)
				pr->sums[i] += varint(&sub);
		}
	}
}

static void decode(struct profile *pr, const unsigned char *buf, size_t len)
{
	struct msg m = {buf, buf + len}, sub;
	uint64_t v;
	int f;

	memset(pr, 0, sizeof *pr);
	while ((f = field(&m, &v, &sub))) {
		switch (f) {
		case 1: { /* sample_type */
			struct msg s = sub;
			uint64_t x;
			struct msg y;
			int g;
			while ((g = field(&s, &x, &y)))
				pr->sample_types[pr->ntypes][g - 1] = (int)x;
			pr->ntypes++;
			break;
		}
		case 2:
			decode_sample(pr, sub);
			pr->nsamples++;
			break;
		case 3: {
			struct msg s = sub;
			uint64_t x;
			struct msg y;
			int g;
			while ((g = field(&s, &x, &y)))
				if (g == 5 && !pr->nmappings)
					pr->first_mapping_file = x;
			pr->nmappings++;
			break;
		}
		case 4:
			pr->nlocations++;
			break;
		case 5: {
			struct msg s = sub;
			uint64_t x;
			struct msg y;
			int g;
			while ((g = field(&s, &x, &y)))
				if (g == 2)
					pr->function_names[pr->nfunctions] = x;
			pr->nfunctions++;
			break;
		}
		case 6:
			assert_true(pr->nstrings < 256);
			pr->strings[pr->nstrings] =
			        strndup((const char *)sub.p, (size_t)(sub.end - sub.p));
			pr->nstrings++;
			break;
		case 14:
			pr->default_type = v;
			break;
		}
	}
}

static unsigned char *gunzip(const char *in, size_t len, size_t *outlen)
{
	z_stream z = {0};
	size_t cap = 1 << 20;
	unsigned char *out = malloc(cap);

	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
}

static void test_roundtrip(void **state)
{
	ct_tree *t = ct_new();
	ct_frame a[] = {{"main", "main.c", 10, "/bin/prog"},
	                {"<T>&\"'", "t.h", 3, "/bin/prog"},
	                {"malloc", NULL, 0, "/lib/libc.so.6"}};
	ct_frame b[] = {{"main", "main.c", 10, "/bin/prog"}, {"main", "main.c", 12, "/bin/prog"}};
	uint64_t v1[CT_NMETRICS] = {3, 300, 30, 100, 50, 1, 0};
	uint64_t v2[CT_NMETRICS] = {2, 20, 7, 20, 0, 0, 4096};
	ct_add(t, a, 3, v1);
	ct_add(t, b, 2, v2);
	ct_add(t, a, 2, v2);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(pprof_write(f, t, NULL, 1700000000000000000LL, 5000000), 0);
	fclose(f);
	assert_true(len > 18);
	assert_int_equal((unsigned char)buf[0], 0x1f); /* gzip magic */
	assert_int_equal((unsigned char)buf[1], 0x8b);

	size_t plen;
	unsigned char *plain = gunzip(buf, len, &plen);
	struct profile pr;
	decode(&pr, plain, plen);

	assert_string_equal(pr.strings[0], "");
	assert_int_equal(pr.ntypes, 7);
	const char *types[][2] = {{"alloc_objects", "count"},    {"alloc_space", "bytes"},
	                          {"inuse_objects", "count"},    {"inuse_space", "bytes"},
	                          {"alloc_cost", "nanoseconds"}, {"peak_space", "bytes"},
	                          {"stack_space", "bytes"}};
	enum ct_metric metrics[] = {CT_COUNT, CT_BYTES, CT_LEAKS, CT_LEAKED,
	                            CT_COST,  CT_PEAK,  CT_STACK};
	for (int i = 0; i < 7; i++) {
		assert_string_equal(pr.strings[pr.sample_types[i][0]], types[i][0]);
		assert_string_equal(pr.strings[pr.sample_types[i][1]], types[i][1]);
		/* every column sums to the tree's total */
		assert_int_equal(pr.sums[i], ct_node_at(t, 0)->total[metrics[i]]);
	}
	assert_string_equal(pr.strings[pr.default_type], "alloc_space");
	assert_int_equal(pr.nsamples, 3);   /* three nodes with self values */
	assert_int_equal(pr.max_depth, 3);  /* leaf first, root excluded */
	assert_int_equal(pr.nlocations, 4); /* main:10 main:12 <T>:3 malloc */
	assert_int_equal(pr.nfunctions, 3); /* main (one, two lines) <T> malloc */
	assert_int_equal(pr.nmappings, 2);
	int found = 0;
	for (int i = 0; i < pr.nfunctions; i++)
		found += strcmp(pr.strings[pr.function_names[i]], "<T>&\"'") == 0;
	assert_int_equal(found, 1);
	for (int i = 0; i < pr.nstrings; i++)
		free(pr.strings[i]);
	free(plain);
	free(buf);
	ct_free(t);
}

/* pprof takes the first mapping as the main binary ("File:"): the
 * program's, even when the first frame the tree met was libc's. */
static void test_program_mapping_first(void **state)
{
	(void)state;
	ct_tree *t = ct_new();
	ct_frame a[] = {{"start_thread", NULL, 0, "/lib/libc.so.6"},
	                {"work", "w.c", 4, "/bin/prog"}};
	uint64_t v[CT_NMETRICS] = {1, 8};
	ct_add(t, a, 2, v);
	char *buf = NULL;
	size_t len = 0, plen;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(pprof_write(f, t, "/bin/prog", 0, 0), 0);
	fclose(f);
	unsigned char *plain = gunzip(buf, len, &plen);
	struct profile pr;
	decode(&pr, plain, plen);
	assert_int_equal(pr.nmappings, 2);
	assert_string_equal(pr.strings[pr.first_mapping_file], "/bin/prog");
	for (int i = 0; i < pr.nstrings; i++)
		free(pr.strings[i]);
	free(plain);
	free(buf);
	ct_free(t);
}

static void test_empty_and_bad_utf8(void **state)
{
	ct_tree *t = ct_new();
	const char *names[] = {"bad\xff"};
	uint64_t v[CT_NMETRICS] = {1, 8};
	ct_add_names(t, names, 1, v);
	char *buf = NULL;
	size_t len = 0, plen;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(pprof_write(f, t, NULL, 0, 0), 0);
	fclose(f);
	unsigned char *plain = gunzip(buf, len, &plen);
	struct profile pr;
	decode(&pr, plain, plen);
	int found = 0;
	for (int i = 0; i < pr.nstrings; i++) {
		found += strcmp(pr.strings[i], "bad\xef\xbf\xbd") == 0;
		free(pr.strings[i]);
	}
	assert_int_equal(found, 1);
	assert_int_equal(pr.nmappings, 0);
	free(plain);
	free(buf);
	ct_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_roundtrip),
	        cmocka_unit_test(test_empty_and_bad_utf8),
	        cmocka_unit_test(test_program_mapping_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
