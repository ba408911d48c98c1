/*
 * tests/test_corpus.c — every trace of the fuzz corpus through the reader.
 *
 * Replays tests/fuzz/corpus/ (written by tests/fuzz/make-corpus.py from the
 * format document, plus anything the fuzzer found and was kept) through the
 * same pass as `escapade report`: the reader, the aggregation and the
 * sites.  No file may crash it (the test runs under the sanitizers in CI's
 * sanitizer build), and the name of each file says what it must give:
 *   valid-*      loads, not truncated, with its events aggregated;
 *   truncated-*  loads, truncated, with a reason;
 *   mutated-*    loads or fails cleanly, with a message when it fails.
 * Each file is also read from memory (esc_reader_open_mem), as the fuzzer
 * does, and both readings must agree.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "viewer/load.h"
#include "viewer/sites.h"

static char corpus[4096];

static bool prefixed(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char *buf = NULL;
	size_t cap = 0;
	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* Loads one file both ways; returns the status from the file. */
static enum load_status replay(const char *name, struct loaded_trace *t)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", corpus, name);
	enum load_status st = trace_load(path, false, t);

	size_t len;
	char *data = slurp(path, &len);
	char err[256] = "";
	esc_reader *r = esc_reader_open_mem(data, len, err, sizeof err);
	struct loaded_trace m;
	enum load_status mst = r ? trace_load_reader(r, NULL, &m) : LOAD_UNREADABLE;
	if (r)
		esc_reader_close(r);
	if (mst != st)
		fail_msg("%s: read from the file: %d, from memory: %d", name, st, mst);
	if (mst == LOAD_OK) {
		const agg_totals *a = agg_totals_of(m.agg);
		const agg_totals *b = st == LOAD_OK ? agg_totals_of(t->agg) : NULL;
		assert_non_null(b);
		assert_memory_equal(a, b, sizeof *a);
		size_t n;
		free(sites_build(m.agg, NULL, SORT_BYTES, &n));
		trace_unload(&m);
	}
	free(data);
	return st;
}

static void every_file(void **state)
{
	DIR *d = opendir(corpus);
	if (!d)
		fail_msg("cannot open the corpus %s", corpus);
	struct dirent *e;
	int valid = 0, truncated = 0, mutated = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		struct loaded_trace t;
		enum load_status st = replay(e->d_name, &t);
		if (prefixed(e->d_name, "valid-")) {
			if (st != LOAD_OK)
				fail_msg("%s: %s", e->d_name, t.message);
			if (t.truncated)
				fail_msg("%s: reported truncated: %s", e->d_name, t.message);
			valid++;
		} else if (prefixed(e->d_name, "truncated-")) {
			if (st != LOAD_OK)
				fail_msg("%s: %s", e->d_name, t.message);
			if (!t.truncated || !t.message[0])
				fail_msg("%s: not reported truncated", e->d_name);
			truncated++;
		} else {
			if (st != LOAD_OK && !t.message[0])
				fail_msg("%s: failed without a message", e->d_name);
			mutated++;
		}
		if (st == LOAD_OK)
			trace_unload(&t);
	}
	closedir(d);
	assert_true(valid >= 4);
	assert_true(truncated >= 4);
	assert_true(mutated >= 10);
}

/* The richest valid trace gives the figures make-corpus.py wrote into it. */
static void valid_raw_figures(void **state)
{
	struct loaded_trace t;
	assert_int_equal(replay("valid-raw", &t), LOAD_OK);
	const agg_totals *a = agg_totals_of(t.agg);
	/* malloc 1000, calloc 64, realloc -> 2000, newobject 48, thread 2: 300 */
	assert_int_equal(a->allocations, 5);
	assert_int_equal(a->bytes_allocated, 1000 + 64 + 2000 + 48 + 300);
	/* calloc'd block, the realloc's old block, 2000 B by thread 2, its own
	 * 300 B, one unknown block, the swept object */
	assert_int_equal(a->frees, 6);
	assert_int_equal(a->unknown_frees, 1);
	assert_int_equal(a->leaked_bytes, 0);
	/* thread 2 runs after thread 1 swept its object */
	assert_int_equal(a->peak_bytes, 2000 + 300);
	assert_int_equal(a->gort_objects, 1);
	assert_int_equal(a->gort_frees, 1);
	assert_int_equal(a->gc_cycles, 1);
	assert_int_equal(a->stack_grows, 1);
	assert_int_equal(a->goroutines, 2); /* one exits, one is alive at the end */
	assert_int_equal(a->lost, 2);
	assert_int_equal(a->temporary, 3); /* calloc, thread 2 300 B, swept */
	assert_int_equal(t.pid, 4242);
	assert_string_equal(t.exe, "/usr/bin/corpus");
	trace_unload(&t);
}

/* C++ operator new, new[] and delete, freed while their frame was live. */
static void valid_cxx_figures(void **state)
{
	struct loaded_trace t;
	assert_int_equal(replay("valid-cxx", &t), LOAD_OK);
	const agg_totals *a = agg_totals_of(t.agg);
	assert_int_equal(a->allocations, 2);
	assert_int_equal(a->frees, 2);
	assert_int_equal(a->bytes_allocated, 24 + 3001);
	assert_int_equal(a->peak_bytes, 24 + 3001);
	assert_int_equal(agg_nstacks(t.agg), 1);
	assert_int_equal(agg_stack_at(t.agg, 0)->frame_local, 2);
	trace_unload(&t);
}

/* ---- version 3: the goroutines left blocked ------------------------------- */

static void expect_goroutines(const char *name, const agg_goroutine *want, size_t nwant)
{
	struct loaded_trace t;
	size_t n;

	assert_int_equal(replay(name, &t), LOAD_OK);
	agg_goroutine *g = agg_goroutines_alive(t.agg, &n);
	if (n != nwant)
		fail_msg("%s: %zu goroutines alive, expected %zu", name, n, nwant);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(g[i].goid, want[i].goid);
		if (!want[i].state)
			assert_null(g[i].state);
		else if (!g[i].state || strcmp(g[i].state, want[i].state))
			fail_msg("%s: goroutine %" PRIu64 " \"%s\", expected \"%s\"", name,
			         g[i].goid, g[i].state ? g[i].state : "(unknown)", want[i].state);
	}
	free(g);
	trace_unload(&t);
}

/* make-corpus.py's program_v3: the last state of each goroutine alive at
 * the end; none for the one that exited or the one never created. */
static void valid_v3_states(void **state)
{
	static const agg_goroutine want[] = {
	        {.goid = 1, .state = "running"},  {.goid = 2, .state = "chan receive"},
	        {.goid = 4, .state = "select"},   {.goid = 5, .state = "sync.Mutex.Lock"},
	        {.goid = 6, .state = "runnable"}, {.goid = 7, .state = "select (no cases)"},
	};
	struct loaded_trace t;

	expect_goroutines("valid-v3-raw", want, 6);
	expect_goroutines("valid-v3-compact", want, 6);
	assert_int_equal(replay("valid-v3-raw", &t), LOAD_OK);
	assert_int_equal(agg_totals_of(t.agg)->goroutines, 7);
	assert_int_equal(agg_totals_of(t.agg)->allocations, 1);
	trace_unload(&t);
}

/* More distinct states than the viewer keeps: the goroutine whose later
 * state did not fit is unknown, not left with its earlier state. */
static void valid_v3_states_full(void **state)
{
	agg_goroutine want[64];
	static char names[64][16];

	for (int i = 0; i < 64; i++) {
		snprintf(names[i], sizeof names[i], "reason %d", i + 2);
		want[i] = (agg_goroutine){.goid = (uint64_t)i + 2, .state = names[i]};
	}
	want[0].state = NULL;
	expect_goroutines("valid-v3-states-full", want, 64);
}

/* ---- version 3: every output command ---------------------------------------- */

int main(void)
{
	const char *top = getenv("top_srcdir");
	snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus", top ? top : ".");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(every_file),           cmocka_unit_test(valid_raw_figures),
	        cmocka_unit_test(valid_cxx_figures),    cmocka_unit_test(valid_v3_states),
	        cmocka_unit_test(valid_v3_states_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
