/*
 * test_outputs.c — the escaping module, the timeline and the HTML page on
 * synthetic input: every name escaped for its format, every section there,
 * nothing fetched from the network.
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
#include "escape.h"
#include "html.h"
#include "timeline.h"

typedef void (*esc_fn)(FILE *, const char *);

static char *capture_xml(const char *s, size_t max)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	esc_xml(f, s, max);
	fclose(f);
	return buf;
}

static char *capture(esc_fn fn, const char *s)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	fn(f, s);
	fclose(f);
	return buf;
}

#define CHECK(got, want)                                                                           \
	do {                                                                                       \
		char *g_ = (got);                                                                  \
		assert_string_equal(g_, want);                                                     \
		free(g_);                                                                          \
	} while (0)

static void test_escape_xml(void **state)
{
	CHECK(capture_xml("a<b>&\"c'd", 0), "a&lt;b&gt;&amp;&quot;c&#39;d");
	CHECK(capture_xml("tab\there\x01", 0), "tab\xef\xbf\xbdhere\xef\xbf\xbd");
	CHECK(capture_xml("h\xc3\xa9llo", 0), "h\xc3\xa9llo");         /* valid UTF-8 kept */
	CHECK(capture_xml("\xc0\xaf", 0), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong '/' */
	CHECK(capture_xml("\xed\xa0\x80", 0),
	      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");                 /* surrogate */
	CHECK(capture_xml("\xe2\x82", 0), "\xef\xbf\xbd\xef\xbf\xbd"); /* truncated */
	CHECK(capture_xml("abcdef", 4), "abcd..");
	CHECK(capture_xml("ab<def", 3), "ab&lt;..");
	CHECK(capture_xml("\xc3\xa9\xc3\xa9\xc3\xa9", 2), "\xc3\xa9\xc3\xa9..");
	CHECK(capture_xml("abc", 3), "abc");
	assert_int_equal(esc_width("\xc3\xa9t\xc3\xa9"), 3);
}

static void test_escape_json_folded(void **state)
{
	CHECK(capture(esc_json, "q\"b\\s\n\t\x01</script>&"),
	      "q\\\"b\\\\s\\n\\t\\u0001\\u003c/script\\u003e\\u0026");
	CHECK(capture(esc_json, "bad\xff"), "bad\xef\xbf\xbd");
	CHECK(capture(esc_folded, "a;b\nc\rd\x02"), "a:b c d?");
	CHECK(capture(esc_folded, "<>&\"' ok"), "<>&\"' ok");
	char out[32];
	size_t n = esc_utf8("x\xff", out);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "x\xef\xbf\xbd", 4);
	assert_int_equal(esc_utf8("x\xff", NULL), 4);
}

static char *timeline(void)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	tl_writer *w = tl_open(f, "prog<\"1\">", 42);
	assert_non_null(w);
	tl_event evs[] = {
	        {.kind = TL_GOROUTINE,
	         .ts_ns = 1500,
	         .dur_ns = 2000250,
	         .goid = 7,
	         .name = "worker<\"x\">"},
	        {.kind = TL_GOROUTINE,
	         .ts_ns = 1600,
	         .dur_ns = 1000,
	         .goid = 8,
	         .name = "waiter",
	         .state = "chan receive <\"nil\">"},
	        {.kind = TL_GC, .ts_ns = 3000, .dur_ns = 999},
	        {.kind = TL_STACK_GROW,
	         .ts_ns = 4000,
	         .goid = 7,
	         .value = 8192,
	         .name = "deep\\fn"},
	        {.kind = TL_HEAP, .ts_ns = 5000, .value = 65536},
	        {.kind = TL_STACK, .ts_ns = 5001, .value = 4096},
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		assert_int_equal(tl_add(w, &evs[i]), 0);
	tl_event bad = {.kind = (enum tl_kind)99};
	assert_int_equal(tl_add(w, &bad), -1);
	assert_int_equal(tl_close(w), 0);
	fclose(f);
	return buf;
}

static void test_timeline(void **state)
{
	char *j = timeline();

	assert_non_null(strstr(j, "\"traceEvents\":["));
	assert_non_null(strstr(j, "\"name\":\"prog\\u003c\\\"1\\\"\\u003e\""));
	assert_non_null(strstr(j,
	                       "\"name\":\"worker\\u003c\\\"x\\\"\\u003e\",\"cat\":\"goroutine\","
	                       "\"ph\":\"X\",\"ts\":1.500,\"pid\":42,\"tid\":1007,"
	                       "\"dur\":2000.250"));
	assert_non_null(strstr(j, "\"args\":{\"name\":\"goroutine 7\"}"));
	/* an exited goroutine has no state; one alive at the end has it in its
	 * args and as an instant where its slice ends */
	assert_non_null(strstr(j, "\"tid\":1007,\"dur\":2000.250,\"args\":{\"goid\":7}}"));
	assert_non_null(strstr(j, "\"args\":{\"goid\":8,\"state_at_end\":"
	                          "\"chan receive \\u003c\\\"nil\\\"\\u003e\"}}"));
	assert_non_null(strstr(j, "{\"name\":\"chan receive \\u003c\\\"nil\\\"\\u003e\","
	                          "\"cat\":\"goroutine\",\"ph\":\"i\",\"ts\":2.600,\"pid\":42,"
	                          "\"tid\":1008,\"s\":\"t\"}"));
	assert_non_null(strstr(j, "\"name\":\"GC\",\"cat\":\"gc\",\"ph\":\"X\",\"ts\":3.000"));
	assert_non_null(strstr(j, "\"ph\":\"i\""));
	assert_non_null(strstr(j, "\"function\":\"deep\\\\fn\""));
	assert_non_null(strstr(j, "\"name\":\"heap in use\",\"cat\":\"memory\",\"ph\":\"C\""));
	assert_non_null(strstr(j, "{\"bytes\":65536}"));
	assert_non_null(strstr(j, "\"name\":\"stack in use\""));
	/* no trailing comma before the closing bracket */
	assert_null(strstr(j, ",\n]"));
	assert_non_null(strstr(j, "\n]}\n"));
	free(j);
}

static void add(ct_tree *t, const char *a, const char *b, enum ct_metric m, uint64_t v)
{
	const char *names[] = {a, b};
	uint64_t vals[CT_NMETRICS] = {0};
	vals[m] = v;
	assert_int_not_equal(ct_add_names(t, names, 2, vals), 0);
}

/* noinline: gcc's -Wdangling-pointer takes the memstream's &buf for a
 * pointer kept past page()'s return */
__attribute__((noinline)) static char *page(const html_summary *s, const ct_tree *t)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(html_write(f, t, s), 0);
	fclose(f);
	return buf;
}

static void test_html(void **state)
{
	ct_tree *t = ct_new();
	add(t, "main", "<evil>&\"'", CT_BYTES, 100);
	add(t, "main", "other", CT_COUNT, 3);
	ct_sort(t);
	html_site sites[] = {
	        {"<evil>&\"'", "a<b>.c", 12, 3, 100, 50, 10, 1000, "escaped"},
	        {"small", NULL, 0, 1, 5, 5, 90, 1, "frame-local"},
	        {"odd", "x.c", 1, 1, 1, 1, 0, 0, "<script>"},
	};
	html_point pts[] = {{0, 0, 2048}, {1000000, 4096, 2048}, {2000000, 1024, 8192}};
	uint64_t gcs[] = {1500000};
	html_blocked bl[] = {{9, "chan receive", "spawn<T>", "s.c", 7}};
	html_summary s = {.program = "prog<&>",
	                  .pid = 77,
	                  .allocations = 5,
	                  .bytes_allocated = 106,
	                  .truncated = true,
	                  .sites = sites,
	                  .nsites = 3,
	                  .series = pts,
	                  .nseries = 3,
	                  .gc_ts_ns = gcs,
	                  .ngc = 1,
	                  .blocked = bl,
	                  .nblocked = 1};
	char *h = page(&s, t);

	assert_non_null(strstr(h, "<title>Escapade: prog&lt;&amp;&gt;</title>"));
	assert_non_null(strstr(h, "&lt;evil&gt;&amp;&quot;&#39;"));
	assert_null(strstr(h, "<evil>"));
	assert_null(strstr(h, "<script>\"")); /* the odd verdict is text, not markup */
	assert_non_null(strstr(h, ">&lt;script&gt;</td>"));
	assert_non_null(strstr(h, "a&lt;b&gt;.c:12"));
	assert_non_null(strstr(h, "trace is truncated"));
	/* sortable table with raw numbers to sort by */
	assert_non_null(strstr(h, "class=\"sortable\" id=\"sites-table\""));
	assert_non_null(strstr(h, "data-v=\"1000\">1,000</td>"));
	assert_non_null(strstr(h, "class=\"escaped\""));
	assert_non_null(strstr(h, "class=\"frame-local\""));
	/* one graph per metric with values: count and bytes */
	assert_int_equal(count(h, "<svg class=\"flame\""), 2);
	assert_non_null(strstr(h, "<option selected>count</option><option>bytes</option>"));
	assert_int_equal(count(h, "function escFlame"), 1);
	/* memory plot with the GC marked */
	assert_non_null(strstr(h, "<polyline class=\"heap\""));
	assert_non_null(strstr(h, "<polyline class=\"stack\""));
	assert_int_equal(count(h, "<line class=\"gc\""), 1);
	/* leaks: sorted by leaked bytes, only the sites that leaked */
	const char *leaks = strstr(h, "id=\"leaks\"");
	assert_non_null(leaks);
	const char *small = strstr(leaks, ">small<"), *evil = strstr(leaks, "&lt;evil");
	assert_true(small && evil && small < evil);
	/* blocked goroutines */
	assert_non_null(strstr(h, "spawn&lt;T&gt;"));
	assert_non_null(strstr(h, "chan receive"));
	/* self-contained: no external reference, only the SVG namespace */
	assert_int_equal(count(h, "http"), count(h, "http://www.w3.org/2000/svg"));
	assert_null(strstr(h, " src="));
	assert_null(strstr(h, " href="));
	free(h);

	/* an empty run still gives a page */
	html_summary empty = {.program = "p"};
	ct_tree *none = ct_new();
	h = page(&empty, none);
	assert_non_null(strstr(h, "No stacks."));
	assert_non_null(strstr(h, "No memory samples."));
	assert_non_null(strstr(h, "No goroutine was blocked"));
	assert_non_null(strstr(h, "</html>"));
	free(h);
	ct_free(none);
	ct_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_escape_xml),
	        cmocka_unit_test(test_escape_json_folded),
	        cmocka_unit_test(test_timeline),
	        cmocka_unit_test(test_html),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
