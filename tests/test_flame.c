/*
 * test_flame.c — the flame SVG renderer on synthetic trees: layout, escaping,
 * pruning under the size budget, icicle and reversed graphs, colours by
 * name and by kind, and the differential colouring.
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
#include "viewer-testutil.h"
#include "flame.h"

static void add(ct_tree *t, const char *folded, enum ct_metric m, uint64_t v)
{
	const char *names[32];
	char *copy = strdup(folded), *save = NULL;
	size_t n = 0;
	uint64_t vals[CT_NMETRICS] = {0};

	for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		names[n++] = tok;
	vals[m] = v;
	assert_int_not_equal(ct_add_names(t, names, n, vals), 0);
	free(copy);
}

static char *render(const ct_tree *t, const flame_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(flame_write(f, t, o), 0);
	fclose(f);
	return buf;
}

/* The <g> of the frame named name (its title starts with it), or NULL. */
static const char *frame_of(const char *svg, const char *name)
{
	char key[128];
	snprintf(key, sizeof key, "<g class=\"f\"><title>%s\n", name);
	return strstr(svg, key);
}

static double attr(const char *from, const char *name)
{
	char key[32];
	snprintf(key, sizeof key, " %s=\"", name);
	const char *p = strstr(from, key);
	assert_non_null(p);
	return strtod(p + strlen(key), NULL);
}

static void test_layout(void **state)
{
	ct_tree *t = ct_new();
	add(t, "main;a", CT_BYTES, 300);
	add(t, "main;b;c", CT_BYTES, 100);
	ct_sort(t);
	flame_opts o;
	flame_defaults(&o, CT_BYTES);
	char *svg = render(t, &o);

	assert_int_equal(count(svg, "<g class=\"f\">"), 5); /* all main a b c */
	const char *a = frame_of(svg, "a"), *b = frame_of(svg, "b"), *c = frame_of(svg, "c");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	/* widths proportional to totals, b right after a, c on top of b */
	assert_true(attr(a, "width") > 2.99 * attr(b, "width") &&
	            attr(a, "width") < 3.01 * attr(b, "width"));
	assert_true(attr(b, "x") > attr(a, "x"));
	assert_true(attr(c, "x") == attr(b, "x"));
	assert_true(attr(c, "y") < attr(b, "y")); /* flames grow upwards */
	assert_non_null(strstr(a, "300 bytes (75.00%)"));
	assert_non_null(strstr(svg, "<script>"));
	assert_non_null(strstr(svg, "function escFlame"));
	/* icicle: children below parents */
	o.inverted = true;
	char *ice = render(t, &o);
	assert_true(attr(frame_of(ice, "c"), "y") > attr(frame_of(ice, "b"), "y"));
	assert_non_null(strstr(ice, "Icicle Graph"));
	/* embedded: no prolog, no script */
	o.embedded = true;
	char *emb = render(t, &o);
	assert_null(strstr(emb, "<?xml"));
	assert_null(strstr(emb, "<script"));
	free(svg);
	free(ice);
	free(emb);
	ct_free(t);
}

static void test_escaping(void **state)
{
	ct_tree *t = ct_new();
	add(t, "main;<T>&\"q'", CT_BYTES, 10);
	add(t, "main;bad\xff\x01utf8", CT_BYTES, 10);
	ct_sort(t);
	flame_opts o;
	flame_defaults(&o, CT_BYTES);
	o.title = "a<b & \"c\"";
	char *svg = render(t, &o);

	assert_non_null(strstr(svg, "&lt;T&gt;&amp;&quot;q&#39;"));
	assert_non_null(strstr(svg, "a&lt;b &amp; &quot;c&quot;"));
	assert_non_null(strstr(svg, "bad\xef\xbf\xbd\xef\xbf\xbdutf8"));
	assert_null(strstr(svg, "<T>"));
	assert_null(strstr(svg, "\xff"));
	assert_null(strchr(svg, '\x01'));
	free(svg);
	ct_free(t);
}

static void test_pruning(void **state)
{
	ct_tree *t = ct_new();
	char name[64];
	/* one wide frame and 20000 thin ones */
	add(t, "main;wide", CT_BYTES, 1000000000);
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof name, "main;thin;leaf_function_number_%d", i);
		add(t, name, CT_BYTES, (uint64_t)i + 1);
	}
	ct_sort(t);
	flame_opts o;
	flame_defaults(&o, CT_BYTES);
	char *svg = render(t, &o);
	/* 0.1 px of 1180 px is ~100000 units: all thin leaves pruned, their
	 * parent (200 million units) kept */
	assert_non_null(frame_of(svg, "thin"));
	assert_null(frame_of(svg, "leaf_function_number_7"));
	assert_non_null(strstr(svg, "20000 narrow frames not drawn"));
	free(svg);

	/* with no minimum width, the size budget does the pruning */
	o.minwidth = 0;
	o.max_bytes = 100 * 1024;
	svg = render(t, &o);
	size_t len = strlen(svg);
	assert_true(len < 100 * 1024 + 8000); /* + header and script */
	assert_non_null(frame_of(svg, "wide"));
	assert_true(count(svg, "<g class=\"f\">") > 100);
	/* the widest leaves are the ones kept */
	assert_non_null(frame_of(svg, "leaf_function_number_19999"));
	assert_null(frame_of(svg, "leaf_function_number_7"));
	free(svg);
	ct_free(t);
}

static const char *fill_of(const char *g)
{
	static char fill[8];
	const char *p = strstr(g, "fill=\"");
	assert_non_null(p);
	memcpy(fill, p + 6, 7);
	fill[7] = 0;
	return fill;
}

static void test_colours(void **state)
{
	ct_tree *t1 = ct_new(), *t2 = ct_new();
	add(t1, "main;parse", CT_BYTES, 5);
	add(t2, "other;x;parse", CT_BYTES, 50);
	add(t2, "other;x;parse", CT_STACK, 50);
	flame_opts o;
	flame_defaults(&o, CT_BYTES);
	char *s1 = render(t1, &o), *s2 = render(t2, &o);
	char c1[8];
	strcpy(c1, fill_of(frame_of(s1, "parse")));
	assert_string_equal(c1, fill_of(frame_of(s2, "parse")));
	assert_string_not_equal(c1, fill_of(frame_of(s1, "main")));
	/* heap palette is warm (red high), stack palette is cool (blue high) */
	unsigned r, g, b;
	sscanf(c1, "#%2x%2x%2x", &r, &g, &b);
	assert_true(r >= 205);
	o.metric = CT_STACK;
	char *s3 = render(t2, &o);
	sscanf(fill_of(frame_of(s3, "parse")), "#%2x%2x%2x", &r, &g, &b);
	assert_true(b >= 180 && r <= 110);
	free(s1);
	free(s2);
	free(s3);
	ct_free(t1);
	ct_free(t2);
}

static void test_reverse(void **state)
{
	ct_tree *t = ct_new();
	add(t, "main;a;malloc", CT_BYTES, 3);
	add(t, "main;b;malloc", CT_BYTES, 4);
	add(t, "main;b", CT_BYTES, 1);
	ct_tree *r = ct_reverse(t);
	assert_non_null(r);
	ct_frame m = {.name = "malloc"}, b = {.name = "b"}, mn = {.name = "main"};
	uint32_t rm = ct_find_child(r, 0, &m);
	assert_int_not_equal(rm, 0);
	assert_int_equal(ct_node_at(r, rm)->total[CT_BYTES], 7);
	uint32_t rb = ct_find_child(r, 0, &b);
	assert_int_equal(ct_node_at(r, rb)->total[CT_BYTES], 1);
	assert_int_not_equal(ct_find_child(r, rb, &mn), 0);
	assert_int_equal(ct_node_at(r, 0)->total[CT_BYTES], 8);
	ct_free(r);
	ct_free(t);
}

static void test_diff(void **state)
{
	ct_tree *before = ct_new(), *after = ct_new();
	add(before, "main;grows", CT_BYTES, 100);
	add(before, "main;shrinks", CT_BYTES, 100);
	add(before, "main;same", CT_BYTES, 50);
	add(after, "main;grows", CT_BYTES, 300);
	add(after, "main;shrinks", CT_BYTES, 20);
	add(after, "main;same", CT_BYTES, 50);
	add(after, "main;fresh", CT_BYTES, 10);
	ct_sort(after);
	flame_opts o;
	flame_defaults(&o, CT_BYTES);
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(flame_write_diff(f, after, before, &o), 0);
	fclose(f);
	unsigned r, g, b;
	sscanf(fill_of(frame_of(buf, "grows")), "#%2x%2x%2x", &r, &g, &b);
	assert_true(r == 255 && g < 100 && b < 100); /* the biggest growth: deep red */
	sscanf(fill_of(frame_of(buf, "shrinks")), "#%2x%2x%2x", &r, &g, &b);
	assert_true(b == 255 && r < 255);
	assert_string_equal(fill_of(frame_of(buf, "same")), "#dcdcdc");
	sscanf(fill_of(frame_of(buf, "fresh")), "#%2x%2x%2x", &r, &g, &b);
	assert_true(r == 255 && g > 200); /* small growth: pale red */
	assert_non_null(strstr(frame_of(buf, "grows"), "+200 (+200.0%)"));
	assert_non_null(strstr(frame_of(buf, "shrinks"), "-80 (-80.0%)"));
	assert_non_null(strstr(frame_of(buf, "fresh"), "+10 (new)"));
	assert_non_null(strstr(buf, "Differential Flame Graph"));
	free(buf);
	ct_free(before);
	ct_free(after);
}

static void test_empty(void **state)
{
	ct_tree *t = ct_new();
	flame_opts o;
	flame_defaults(&o, CT_BYTES);
	char *svg = render(t, &o);
	assert_int_equal(count(svg, "<g class=\"f\">"), 0);
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
	ct_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_layout),  cmocka_unit_test(test_escaping),
	        cmocka_unit_test(test_pruning), cmocka_unit_test(test_colours),
	        cmocka_unit_test(test_reverse), cmocka_unit_test(test_diff),
	        cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
