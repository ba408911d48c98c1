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
#define _GNU_SOURCE /* memmem */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* ---- version 3: every output command ---------------------------------------- */

/* The length of the valid UTF-8 sequence at p (before end), 0 if none. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n = p[0] < 0x80                    ? 1
	           : p[0] >= 0xC2 && p[0] <= 0xDF ? 2
	           : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
	           : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
	                                          : 0;
	if (!n || (size_t)(end - p) < n)
		return 0;
	uint32_t c = n == 1 ? p[0] : p[0] & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return n;
}

/* A strict JSON reader (RFC 8259) that only checks, and keeps the decoded
 * values of every "wait" key in order. */
struct json {
	const unsigned char *p, *end;
	int depth;
	char waits[8][256];
	size_t nwaits;
};

static void j_ws(struct json *j)
{
	while (j->p < j->end && strchr(" \t\n\r", *j->p) && *j->p)
		j->p++;
}

static bool j_lit(struct json *j, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
		return false;
	j->p += n;
	return true;
}

static int j_hex4(struct json *j)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++, j->p++) {
		if (j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p) || !*j->p)
			return -1;
		v = v << 4 | (unsigned)(*j->p <= '9' ? *j->p - '0' : (*j->p | 0x20) - 'a' + 10);
	}
	return (int)v;
}

/* Appends code point c as UTF-8 to out (of cap bytes, NUL-terminated). */
static void put_utf8(char *out, size_t cap, uint32_t c)
{
	size_t len = strlen(out);
	char b[5] = {0};
	if (c < 0x80)
		b[0] = (char)c;
	else if (c < 0x800)
		b[0] = (char)(0xC0 | c >> 6), b[1] = (char)(0x80 | (c & 0x3F));
	else if (c < 0x10000)
		b[0] = (char)(0xE0 | c >> 12), b[1] = (char)(0x80 | (c >> 6 & 0x3F)),
		b[2] = (char)(0x80 | (c & 0x3F));
	else
		b[0] = (char)(0xF0 | c >> 18), b[1] = (char)(0x80 | (c >> 12 & 0x3F)),
		b[2] = (char)(0x80 | (c >> 6 & 0x3F)), b[3] = (char)(0x80 | (c & 0x3F));
	if (len + strlen(b) < cap)
		strcat(out, b);
}

static bool j_string(struct json *j, char *out, size_t cap)
{
	out[0] = '\0';
	if (!j_lit(j, "\""))
		return false;
	while (j->p < j->end && *j->p != '"') {
		uint32_t c = *j->p;
		if (c < 0x20)
			return false; /* control characters must be escaped */
		if (c == '\\') {
			if (++j->p >= j->end)
				return false;
			const char *e = strchr("\"\\/bfnrtu", *j->p);
			if (!e || !*j->p)
				return false;
			if (*j->p++ != 'u') {
				put_utf8(out, cap, (uint32_t) "\"\\/\b\f\n\r\t"[e - "\"\\/bfnrtu"]);
				continue;
			}
			int hi = j_hex4(j), lo;
			if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF))
				return false;
			c = (uint32_t)hi;
			if (hi >= 0xD800 && hi <= 0xDBFF) {
				if (!j_lit(j, "\\u") || (lo = j_hex4(j)) < 0xDC00 || lo > 0xDFFF)
					return false;
				c = 0x10000 + ((uint32_t)(hi - 0xD800) << 10) +
				    (uint32_t)(lo - 0xDC00);
			}
			put_utf8(out, cap, c);
			continue;
		}
		size_t n = utf8_len(j->p, j->end);
		if (!n)
			return false;
		size_t len = strlen(out);
		if (len + n < cap)
			memcpy(out + len, j->p, n), out[len + n] = '\0';
		j->p += n;
	}
	return j_lit(j, "\"");
}

static bool j_number(struct json *j)
{
	const unsigned char *start = j->p;
	j_lit(j, "-");
	if (j_lit(j, "0"))
		;
	else if (j->p < j->end && *j->p >= '1' && *j->p <= '9')
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	else
		return false;
	if (j_lit(j, ".")) {
		const unsigned char *f = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == f)
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (!j_lit(j, "+"))
			j_lit(j, "-");
		const unsigned char *e = j->p;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
		if (j->p == e)
			return false;
	}
	return j->p > start;
}

static bool j_value(struct json *j);

/* An object or an array (open is '{' or '['). */
static bool j_compound(struct json *j, char open)
{
	char key[256];
	const char *close = open == '{' ? "}" : "]";

	if (++j->depth > 64)
		return false;
	j_ws(j);
	if (j_lit(j, close))
		return j->depth--, true;
	do {
		j_ws(j);
		bool wait = false;
		if (open == '{') {
			if (!j_string(j, key, sizeof key))
				return false;
			j_ws(j);
			if (!j_lit(j, ":"))
				return false;
			j_ws(j);
			wait = !strcmp(key, "wait") && j->nwaits < 8 && j->p < j->end &&
			       *j->p == '"';
		}
		if (wait ? !j_string(j, j->waits[j->nwaits++], sizeof j->waits[0]) : !j_value(j))
			return false;
		j_ws(j);
	} while (j_lit(j, ","));
	j->depth--;
	return j_lit(j, close);
}

static bool j_value(struct json *j)
{
	char scratch[256];

	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{':
	case '[':
		return j_compound(j, (char)*j->p++);
	case '"':
		return j_string(j, scratch, sizeof scratch);
	case 't':
		return j_lit(j, "true");
	case 'f':
		return j_lit(j, "false");
	case 'n':
		return j_lit(j, "null");
	default:
		return j_number(j);
	}
}

static bool json_valid(const char *data, size_t len, struct json *j)
{
	memset(j, 0, sizeof *j);
	j->p = (const unsigned char *)data;
	j->end = j->p + len;
	j_ws(j);
	if (!j_value(j))
		return false;
	j_ws(j);
	return j->p == j->end;
}

/* The checker itself: a reader that accepts anything proves nothing. */
static void json_checker(void **state)
{
	struct json j;
	static const char *const bad[] = {
	        "",        "{",           "{\"a\":}",  "[1,]",  "\"\x01\"",  "\"\xff\"",
	        "\"\\x\"", "\"\\ud800\"", "01",        "[1] 2", "{\"a\" 1}", "\"\xc0\xaf\"",
	        "tru",     "1.",          "\"\\u12\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (json_valid(bad[i], strlen(bad[i]), &j))
			fail_msg("the JSON checker accepts \"%s\"", bad[i]);
	const char *good =
	        "{\"a\": [1, -2.5e3, true, null, {}], \"wait\": \"q\\\"\\u003c\\ud83d\\ude00\\n\"}";
	assert_true(json_valid(good, strlen(good), &j));
	assert_int_equal(j.nwaits, 1);
	assert_string_equal(j.waits[0], "q\"<\xf0\x9f\x98\x80\n");
}

/* make-corpus.py's HOSTILE_STATE as the report's JSON must give it back:
 * every invalid byte one U+FFFD (viewer/escape.c). */
#define FFFD "\xef\xbf\xbd"
static const char hostile_json[] =
        "q\"b\\s</td><script>&'x\x01\x1f\x7f\t\n" FFFD FFFD "(" FFFD FFFD FFFD FFFD;
/* ... and as the HTML page must show it: markup escaped, controls replaced. */
static const char hostile_html[] =
        "q&quot;b\\s&lt;/td&gt;&lt;script&gt;&amp;&#39;x" FFFD FFFD FFFD FFFD FFFD FFFD FFFD
        "(" FFFD FFFD FFFD FFFD;

static char escapade[4096], scratch_out[64], scratch_err[64];

/* A sanitizer's report must not pass for escapade's own clean failure
 * (both exit 1 by default): in a sanitizer build it exits 86. */
static void sanitizers_exit_86(void)
{
	static const char *const vars[] = {"ASAN_OPTIONS", "UBSAN_OPTIONS"};
	for (int i = 0; i < 2; i++) {
		const char *old = getenv(vars[i]);
		char v[1024];
		snprintf(v, sizeof v, "%s%sexitcode=86", old ? old : "", old && *old ? ":" : "");
		setenv(vars[i], v, 1);
	}
}

/* Runs `escapade CMD TRACE ARGS...` with its output in scratch_out; fails
 * on a signal, on an exit status other than 0 or 1 (its standard error
 * shown), and beyond 512 MB. */
static int run_escapade(const char *const *cmd, const char *trace)
{
	const char *argv[8] = {escapade, cmd[0], trace};
	for (int i = 1; cmd[i]; i++)
		argv[2 + i] = cmd[i];
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int out = open(scratch_out, O_WRONLY | O_TRUNC),
		    err = open(scratch_err, O_WRONLY | O_TRUNC);
		if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		sanitizers_exit_86();
		execv(escapade, (char *const *)argv);
		_exit(127);
	}
	int status;
	struct rusage ru;
	assert_int_equal(wait4(pid, &status, 0, &ru), pid);
	if (WIFSIGNALED(status) || WEXITSTATUS(status) > 1) {
		size_t len;
		char *err = slurp(scratch_err, &len);
		fprintf(stderr, "%.*s", (int)len, err);
		free(err);
		if (WIFSIGNALED(status))
			fail_msg("escapade %s %s: killed by signal %d", cmd[0], trace,
			         WTERMSIG(status));
		fail_msg("escapade %s %s: exit %d", cmd[0], trace, WEXITSTATUS(status));
	}
	if (ru.ru_maxrss > 512 * 1024)
		fail_msg("escapade %s %s: %ld kB of memory", cmd[0], trace, ru.ru_maxrss);
	return WEXITSTATUS(status);
}

/* The report's "wait" values of the traces whose states say something. */
static void expect_waits(const char *name, const struct json *j)
{
	static const struct {
		const char *name;
		size_t n;
		const char *waits[6];
	} want[] = {
	        {"valid-v3-raw",
	         6,
	         {"running", "chan receive", "select", "sync.Mutex.Lock", "runnable",
	          "select (no cases)"}},
	        {"mutated-v3-state-escapes", 1, {hostile_json}},
	        {"mutated-v3-state-empty", 1, {""}},
	        {"mutated-v3-state-nul", 1, {"chan"}},
	        {"mutated-v3-goid-0", 1, {"chan receive"}},
	        {"mutated-v3-state-len-64",
	         1,
	         {"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"}},
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		if (strcmp(name, want[i].name))
			continue;
		if (j->nwaits != want[i].n)
			fail_msg("%s: %zu \"wait\" values, expected %zu", name, j->nwaits,
			         want[i].n);
		for (size_t k = 0; k < j->nwaits; k++)
			if (strcmp(j->waits[k], want[i].waits[k]))
				fail_msg("%s: \"wait\" %zu is \"%s\", expected \"%s\"", name, k,
				         j->waits[k], want[i].waits[k]);
	}
}

/* The text report: the hostile state on its goroutine's line, control
 * characters replaced (viewer/escape.c, esc_folded). */
static void check_text(const char *name, const char *data, size_t len)
{
	static const char line[] = "  goroutine 2 [q\"b\\s</td><script>&'x???  " FFFD FFFD
	                           "(" FFFD FFFD FFFD FFFD "] ";

	if (!strcmp(name, "mutated-v3-state-escapes") && !memmem(data, len, line, strlen(line)))
		fail_msg("%s: text report: the state is not on one line, escaped", name);
}

/* An HTML page: UTF-8 throughout, no control character but tab and
 * newlines, and the hostile state escaped where it is shown. */
static void check_html(const char *name, const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	while (p < end) {
		size_t n = utf8_len(p, end);
		if (!n || (*p < 0x20 && !strchr("\t\n\r", *p)) || !*p)
			fail_msg("%s: html: byte 0x%02x at %zu", name, *p,
			         (size_t)(p - (const unsigned char *)data));
		p += n;
	}
	if (!strcmp(name, "mutated-v3-state-escapes")) {
		if (!memmem(data, len, hostile_html, strlen(hostile_html)))
			fail_msg("%s: html: the state is not escaped as expected", name);
		if (memmem(data, len, "q\"b", 3))
			fail_msg("%s: html: the state's quote is not escaped", name);
	}
}

/* Every output command on every version 3 trace: no crash, bounded memory,
 * a clean failure or exit 0 (always 0 for the valid and truncated ones),
 * the same answer from every command, and the outputs that carry the state
 * valid. */
static void v3_outputs(void **state)
{
	static const char *const cmds[][5] = {
	        {"report", NULL},           {"report", "--format", "json", NULL},
	        {"html", "-o", "-", NULL},  {"folded", "-o", "-", NULL},
	        {"flame", "-o", "-", NULL}, {"timeline", "-o", "-", NULL},
	        {"pprof", "-o", "-", NULL},
	};
	int fd = mkstemp(strcpy(scratch_out, "/tmp/test_corpus.XXXXXX"));
	assert_true(fd >= 0);
	close(fd);
	fd = mkstemp(strcpy(scratch_err, "/tmp/test_corpus.XXXXXX"));
	assert_true(fd >= 0);
	close(fd);
	DIR *d = opendir(corpus);
	assert_non_null(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d))) {
		if (!strstr(e->d_name, "-v3-"))
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", corpus, e->d_name);
		bool must_load = !prefixed(e->d_name, "mutated-");
		int accepted = -1; /* every command reads a trace the same way */
		for (size_t c = 0; c < sizeof cmds / sizeof *cmds; c++) {
			int rc = run_escapade(cmds[c], path);
			if (rc && must_load)
				fail_msg("escapade %s %s: exit %d", cmds[c][0], e->d_name, rc);
			if (accepted >= 0 && accepted != !rc)
				fail_msg("escapade %s %s: exit %d, unlike the commands before it",
				         cmds[c][0], e->d_name, rc);
			accepted = !rc;
			if (rc)
				continue;
			size_t len;
			char *out = slurp(scratch_out, &len);
			struct json j;
			if ((c == 1 || c == 5) && !json_valid(out, len, &j))
				fail_msg("escapade %s %s: invalid JSON", cmds[c][0], e->d_name);
			if (c == 1)
				expect_waits(e->d_name, &j);
			if (c == 0)
				check_text(e->d_name, out, len);
			if (c == 2)
				check_html(e->d_name, out, len);
			free(out);
		}
		files++;
	}
	closedir(d);
	unlink(scratch_out);
	unlink(scratch_err);
	assert_true(files >= 30);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	const char *build = getenv("top_builddir");
	snprintf(corpus, sizeof corpus, "%s/tests/fuzz/corpus", top ? top : ".");
	snprintf(escapade, sizeof escapade, "%s/viewer/escapade", build ? build : ".");
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(every_file),           cmocka_unit_test(valid_raw_figures),
	        cmocka_unit_test(valid_cxx_figures),    cmocka_unit_test(valid_v3_states),
	        cmocka_unit_test(valid_v3_states_full), cmocka_unit_test(json_checker),
	        cmocka_unit_test(v3_outputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
