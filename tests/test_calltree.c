/*
 * test_calltree.c — the call tree and the folded format: prefixes merge,
 * totals and self values add up, strings and frames are interned once,
 * walks visit in name order, folded text round-trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "calltree.h"
#include "folded.h"

static uint64_t *vals(uint64_t count, uint64_t bytes)
{
	static uint64_t v[CT_NMETRICS];
	memset(v, 0, sizeof v);
	v[CT_COUNT] = count;
	v[CT_BYTES] = bytes;
	return v;
}

static void test_merge_and_totals(void **state)
{
	ct_tree *t = ct_new();
	const char *a[] = {"main", "parse", "malloc"};
	const char *b[] = {"main", "parse", "newobject"};
	const char *c[] = {"main", "render"};

	assert_non_null(t);
	uint32_t la = ct_add_names(t, a, 3, vals(1, 100));
	uint32_t lb = ct_add_names(t, b, 3, vals(2, 30));
	uint32_t lc = ct_add_names(t, c, 2, vals(4, 7));
	assert_int_equal(ct_add_names(t, a, 3, vals(1, 100)), la); /* same stack, same leaf */
	/* an empty stack gets a frame of its own, not the root */
	uint32_t none = ct_add_names(t, NULL, 0, vals(1, 0));
	assert_int_not_equal(none, 0);
	assert_string_equal(ct_name(t, none), CT_NO_STACK);
	assert_int_equal(ct_self(t, 0, CT_COUNT), 0);
	assert_int_equal(ct_nodes(t), 7); /* all main parse malloc newobject render, no stack */
	assert_int_equal(ct_node_at(t, 0)->total[CT_BYTES], 237);
	assert_int_equal(ct_node_at(t, 0)->total[CT_COUNT], 9);
	uint32_t parse = ct_node_at(t, la)->parent;
	assert_int_equal(ct_node_at(t, lb)->parent, parse);
	assert_string_equal(ct_name(t, parse), "parse");
	assert_int_equal(ct_node_at(t, parse)->total[CT_BYTES], 230);
	assert_int_equal(ct_self(t, parse, CT_BYTES), 0);
	assert_int_equal(ct_self(t, la, CT_BYTES), 200);
	assert_int_equal(ct_self(t, lc, CT_COUNT), 4);
	uint32_t main_node = ct_node_at(t, parse)->parent;
	assert_int_equal(ct_node_at(t, lc)->parent, main_node);
	assert_int_equal(ct_node_at(t, main_node)->parent, 0);
	ct_free(t);
}

static void test_interning(void **state)
{
	ct_tree *t = ct_new();
	ct_frame s1[] = {{"main", "m.c", 3, "a.out"}, {"f", "f.c", 10, "a.out"}};
	ct_frame s2[] = {{"main", "m.c", 3, "a.out"}, {"f", "f.c", 11, "a.out"}};
	ct_frame s3[] = {{"g", NULL, 0, NULL}, {"f", "f.c", 10, "a.out"}};

	ct_add(t, s1, 2, vals(1, 1));
	ct_add(t, s2, 2, vals(1, 1));
	ct_add(t, s3, 2, vals(1, 1));
	/* frames: all, main, f:10, f:11, g (f:10 shared by two paths) */
	assert_int_equal(ct_frames(t), 5);
	assert_int_equal(ct_nodes(t), 6);
	uint32_t m = ct_find_child(t, 0, &s1[0]);
	assert_int_not_equal(m, 0);
	uint32_t f10 = ct_find_child(t, m, &s1[1]);
	uint32_t f10b = ct_find_child(t, ct_find_child(t, 0, &s3[0]), &s3[1]);
	assert_int_not_equal(f10, 0);
	assert_int_equal(ct_node_at(t, f10)->frame, ct_node_at(t, f10b)->frame);
	/* one copy of each string */
	assert_ptr_equal(ct_frame_at(t, ct_node_at(t, f10)->frame)->file,
	                 ct_frame_at(t, ct_node_at(t, ct_find_child(t, m, &s2[1]))->frame)->file);
	ct_frame missing = {"f", "f.c", 12, "a.out"};
	assert_int_equal(ct_find_child(t, m, &missing), 0);
	ct_frame unknown = {"nowhere", NULL, 0, NULL};
	assert_int_equal(ct_find_child(t, 0, &unknown), 0);
	ct_free(t);
}

struct order {
	char buf[256];
};

static bool record(void *ctx, const ct_tree *t, uint32_t node, uint32_t depth)
{
	struct order *o = ctx;
	size_t n = strlen(o->buf);
	snprintf(o->buf + n, sizeof o->buf - n, "%s%u%s", n ? " " : "", depth, ct_name(t, node));
	return strcmp(ct_name(t, node), "skip") != 0;
}

static void test_sort_and_walk(void **state)
{
	ct_tree *t = ct_new();
	const char *s[][3] = {
	        {"b", "y", "z"}, {"a", "x", NULL}, {"b", "skip", "hidden"}, {"b", "w", NULL}};
	for (int i = 0; i < 4; i++)
		ct_add_names(t, s[i], s[i][2] ? 3 : 2, vals(1, 1));
	ct_sort(t);
	struct order o = {""};
	ct_walk(t, record, &o);
	assert_string_equal(o.buf, "0all 1a 2x 1b 2skip 2w 2y 3z");
	ct_free(t);
}

static void test_many_children(void **state)
{
	ct_tree *t = ct_new();
	char name[32];
	const char *stack[2] = {"root", name};

	for (int i = 0; i < 50000; i++) {
		snprintf(name, sizeof name, "child%d", i);
		assert_int_not_equal(ct_add_names(t, stack, 2, vals(1, (uint64_t)i)), 0);
	}
	assert_int_equal(ct_nodes(t), 50002);
	assert_int_equal(ct_node_at(t, 0)->total[CT_COUNT], 50000);
	snprintf(name, sizeof name, "child%d", 4242);
	uint32_t leaf = ct_add_names(t, stack, 2, vals(0, 0));
	assert_int_equal(ct_node_at(t, leaf)->total[CT_BYTES], 4242);
	ct_free(t);
}

static void test_metric_names(void **state)
{
	for (int m = 0; m < CT_NMETRICS; m++)
		assert_int_equal(ct_metric_parse(ct_metric_name(m)), m);
	assert_int_equal(ct_metric_parse("bytes"), CT_BYTES);
	assert_int_equal(ct_metric_parse("nope"), -1);
	assert_string_equal(ct_metric_unit(CT_COST), "nanoseconds");
}

static char *folded_of(const ct_tree *t, enum ct_metric m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(folded_write(f, t, m), 0);
	fclose(f);
	return buf;
}

static long read_str(ct_tree *t, const char *text, char *err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	long n = folded_read(t, f, CT_BYTES, err, 128);
	fclose(f);
	return n;
}

static void test_folded_roundtrip(void **state)
{
	ct_tree *t = ct_new();
	char err[128];
	/* unsorted, a duplicate, a prefix that is itself a stack, CRLF, blanks */
	const char *in = "main;b;c 5\nmain;a 3\r\n\nmain;b;c 2\nmain;b 1\nmain;a;deep;er 7.0\n";

	assert_int_equal(read_str(t, in, err), 5);
	ct_sort(t);
	char *out = folded_of(t, CT_BYTES);
	assert_string_equal(out, "main;a 3\nmain;a;deep;er 7\nmain;b 1\nmain;b;c 7\n");
	assert_int_equal(ct_node_at(t, 0)->total[CT_BYTES], 18);
	/* reading the output back gives the same tree */
	ct_tree *t2 = ct_new();
	assert_int_equal(read_str(t2, out, err), 4);
	ct_sort(t2);
	char *out2 = folded_of(t2, CT_BYTES);
	assert_string_equal(out, out2);
	assert_int_equal(ct_nodes(t), ct_nodes(t2));
	/* other metrics are zero: nothing to print */
	char *none = folded_of(t, CT_COUNT);
	assert_string_equal(none, "");
	free(out);
	free(out2);
	free(none);
	ct_free(t);
	ct_free(t2);
}

static void test_folded_errors(void **state)
{
	ct_tree *t = ct_new();
	char err[128];

	assert_int_equal(read_str(t, "a;b 1\nno value here\n", err), -1);
	assert_non_null(strstr(err, "line 2"));
	assert_int_equal(read_str(t, "a;b -4\n", err), -1);
	assert_int_equal(read_str(t, "a;b 12x\n", err), -1);
	assert_int_equal(read_str(t, "a;b\n", err), -1);
	ct_free(t);
}

static void test_folded_sanitises_names(void **state)
{
	ct_tree *t = ct_new();
	const char *s[] = {"ma;in", "new\nline", "<&\"'>"};

	ct_add_names(t, s, 3, vals(1, 9));
	char *out = folded_of(t, CT_BYTES);
	assert_string_equal(out, "ma:in;new line;<&\"'> 9\n");
	ct_tree *t2 = ct_new();
	char err[128];
	assert_int_equal(read_str(t2, out, err), 1);
	assert_int_equal(ct_nodes(t2), 4);
	free(out);
	ct_free(t);
	ct_free(t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_merge_and_totals),
	        cmocka_unit_test(test_interning),
	        cmocka_unit_test(test_sort_and_walk),
	        cmocka_unit_test(test_many_children),
	        cmocka_unit_test(test_metric_names),
	        cmocka_unit_test(test_folded_roundtrip),
	        cmocka_unit_test(test_folded_errors),
	        cmocka_unit_test(test_folded_sanitises_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
