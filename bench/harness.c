/*
 * harness.c — calibration, filtering and Go-format output for benchmarks.
 *
 * This is go test's benchmark driver (testing/benchmark.go) rewritten for C.
 *
 * Calibration.  Every benchmark first runs once with n = 1.  With a fixed
 * count (-benchtime 100x) it then runs once with that n.  Otherwise n grows as
 * in Go: predict the n that fills -benchtime from the last run's ns/op, add
 * 20 %, grow at most 100x and at least by one, never above 1e9, until a run
 * lasts -benchtime.  Only the last run is reported.  Before every run the
 * meter "settles" (gort's collects, like go test's runtime.GC()), so one
 * run's garbage is not charged to the next.
 *
 * Timing and memory.  The timer accumulates wall time (CLOCK_MONOTONIC) and
 * the meter's counter growth between start and stop, so a benchmark can leave
 * set-up out with bench_stop_timer/bench_start_timer or bench_reset_timer.
 *
 * Names and filtering.  A name "Newobject/16" prints as
 * "BenchmarkNewobject/16-P".  -bench is matched like go test does: the
 * pattern is split at each '/' (outside brackets) and each part is a POSIX
 * extended regex, unanchored, matched against the same level of the name
 * ("BenchmarkNewobject", then "16").  A pattern with more levels than the name
 * does not match it.
 *
 * Output.  Go's line: name padded to the longest matching name, a tab, n in
 * %8d, ns/op in Go's prettyPrint widths, extra metrics sorted by unit, then
 * "%8d B/op\t%8d allocs/op" when memory is measured.  The header (goos,
 * goarch, pkg, cpu) and the PASS/ok trailer are go test's too.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LEVELS 8
#define MAX_N      1000000000ULL
#define MAX_FLAGS  16

/* What the command line asked for. */
typedef struct options {
	const char *bench; /* -bench pattern; "": run nothing, like go test */
	int64_t benchtime_ns;
	uint64_t benchtime_n; /* -benchtime Nx; 0 when given as a duration */
	long count;
	bool list;
	long defaults[MAX_FLAGS]; /* the suite's flags before parsing, for --help */
} options;

/* A compiled -bench pattern, one regex per name level. */
typedef struct matcher {
	int nlevels;
	regex_t level[MAX_LEVELS];
} matcher;

int64_t bench_nanotime(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int bench_gomaxprocs(void)
{
	const char *s = getenv("GOMAXPROCS");
	if (s == NULL || *s == '\0')
		return 1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > INT_MAX)
		return 1; /* Go ignores an invalid GOMAXPROCS too */
	return (int)v;
}

/* ---- The timer ---------------------------------------------------------- */

static void read_meter(const bench_b *b, bench_memcount *m)
{
	if (b->meter != NULL)
		b->meter->read(m);
	else
		*m = (bench_memcount){0, 0};
}

void bench_start_timer(bench_b *b)
{
	if (b->timer_on)
		return;
	read_meter(b, &b->start_mem);
	b->start_ns = bench_nanotime();
	b->timer_on = true;
}

void bench_stop_timer(bench_b *b)
{
	if (!b->timer_on)
		return;
	b->duration_ns += bench_nanotime() - b->start_ns;
	bench_memcount now;
	read_meter(b, &now);
	b->net_mem.bytes += now.bytes - b->start_mem.bytes;
	b->net_mem.allocs += now.allocs - b->start_mem.allocs;
	b->timer_on = false;
}

void bench_reset_timer(bench_b *b)
{
	if (b->timer_on) {
		read_meter(b, &b->start_mem);
		b->start_ns = bench_nanotime();
	}
	b->duration_ns = 0;
	b->net_mem = (bench_memcount){0, 0};
	b->nmetrics = 0; /* Go's ResetTimer drops reported metrics too */
}

void bench_report_metric(bench_b *b, double value, const char *unit)
{
	for (int i = 0; i < b->nmetrics; i++) {
		if (strcmp(b->metrics[i].unit, unit) == 0) {
			b->metrics[i].value = value;
			return;
		}
	}
	if (b->nmetrics == BENCH_MAX_METRICS) {
		bench_errorf(b, "too many metrics (at most %d)", BENCH_MAX_METRICS);
		return;
	}
	b->metrics[b->nmetrics].unit = unit;
	b->metrics[b->nmetrics].value = value;
	b->nmetrics++;
}

static void bench_verrorf(bench_b *b, const char *fmt, va_list ap)
{
	vsnprintf(b->message, sizeof b->message, fmt, ap);
	b->failed = true;
}

/* no_split_stack: Clang cannot split the stack of a variadic function (the
 * benchmarks are built with -fsplit-stack).  Its frame is tiny; the work, and
 * the call into libc, happen in bench_verrorf, which splits as usual. */
__attribute__((no_split_stack)) void bench_errorf(bench_b *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bench_verrorf(b, fmt, ap);
	va_end(ap);
}

/* ---- Running ------------------------------------------------------------ */

static void run_n(bench_b *b, const bench_def *def, uint64_t n)
{
	if (b->meter != NULL && b->meter->settle != NULL)
		b->meter->settle();
	b->n = n;
	b->arg = def->arg;
	bench_reset_timer(b);
	bench_start_timer(b);
	def->fn(b);
	bench_stop_timer(b);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Go's launch(): the n of the next run, from the last one. */
static uint64_t next_n(uint64_t last, int64_t last_ns, int64_t goal_ns)
{
	if (last_ns <= 0)
		last_ns = 1;
	double predicted = (double)goal_ns * (double)last / (double)last_ns;
	uint64_t n = predicted >= (double)MAX_N ? MAX_N : (uint64_t)predicted;
	n += n / 5;
	n = min_u64(n, 100 * last);
	n = max_u64(n, last + 1);
	return min_u64(n, MAX_N);
}

static void calibrate(bench_b *b, const bench_def *def, const options *o)
{
	run_n(b, def, 1);
	if (b->failed)
		return;
	if (o->benchtime_n > 0) {
		if (o->benchtime_n > 1)
			run_n(b, def, o->benchtime_n);
		return;
	}
	while (!b->failed && b->duration_ns < o->benchtime_ns && b->n < MAX_N)
		run_n(b, def, next_n(b->n, b->duration_ns, o->benchtime_ns));
}

/* ---- Output ------------------------------------------------------------- */

/* Go's prettyPrint: the width and precision depend on the magnitude. */
static void pretty_print(FILE *out, double x, const char *unit)
{
	static const struct {
		double min;
		int width, prec;
	} formats[] = {{999.95, 10, 0},   {99.995, 12, 1},    {9.9995, 13, 2},     {0.99995, 14, 3},
	               {0.099995, 15, 4}, {0.0099995, 16, 5}, {0.00099995, 17, 6}, {0, 18, 7}};
	double y = fabs(x);
	size_t i = 0;
	if (y != 0)
		while (y < formats[i].min)
			i++;
	fprintf(out, "%*.*f %s", formats[i].width, formats[i].prec, x, unit);
}

static int compare_metric_units(const void *a, const void *b)
{
	const char *const *ua = a, *const *ub = b;
	return strcmp(*ua, *ub);
}

static void print_metrics(FILE *out, const bench_b *b)
{
	const char *units[BENCH_MAX_METRICS];
	for (int i = 0; i < b->nmetrics; i++)
		units[i] = b->metrics[i].unit;
	qsort(units, (size_t)b->nmetrics, sizeof units[0], compare_metric_units);
	for (int i = 0; i < b->nmetrics; i++) {
		for (int j = 0; j < b->nmetrics; j++) {
			if (b->metrics[j].unit == units[i]) {
				fputc('\t', out);
				pretty_print(out, b->metrics[j].value, units[i]);
			}
		}
	}
}

static void print_result(FILE *out, const bench_b *b, bool memory)
{
	fprintf(out, "%8llu", (unsigned long long)b->n);
	double ns = (double)b->duration_ns / (double)b->n;
	if (ns != 0) {
		fputc('\t', out);
		pretty_print(out, ns, "ns/op");
	}
	print_metrics(out, b);
	if (memory)
		fprintf(out, "\t%8llu B/op\t%8llu allocs/op",
		        (unsigned long long)(b->net_mem.bytes / b->n),
		        (unsigned long long)(b->net_mem.allocs / b->n));
	fputc('\n', out);
}

static void full_name(char *buf, size_t len, const char *name)
{
	int procs = bench_gomaxprocs();
	snprintf(buf, len, "Benchmark%s-%d", name, procs);
}

static void print_header(FILE *out, const bench_suite *s)
{
	char cpu[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f != NULL) {
		char line[512];
		while (fgets(line, sizeof line, f) != NULL) {
			if (strncmp(line, "model name", 10) != 0)
				continue;
			char *colon = strchr(line, ':');
			if (colon != NULL) {
				snprintf(cpu, sizeof cpu, "%s", colon + 2);
				cpu[strcspn(cpu, "\n")] = '\0';
			}
			break;
		}
		fclose(f);
	}
	fprintf(out, "goos: linux\ngoarch: amd64\npkg: %s\ncpu: %s\n", s->pkg, cpu);
}

/* ---- Matching ----------------------------------------------------------- */

/* Split a -bench pattern at the slashes that separate levels: not inside
 * brackets or parentheses, not escaped. */
static int split_pattern(const char *pat, char parts[][256], int max)
{
	int n = 0, depth = 0, bracket = 0;
	size_t len = 0;
	for (const char *p = pat;; p++) {
		if (*p == '\0' || (*p == '/' && depth == 0 && !bracket)) {
			if (n == max || len >= 256)
				return -1;
			parts[n][len] = '\0';
			n++;
			len = 0;
			if (*p == '\0')
				return n;
			continue;
		}
		if (len + 2 >= 256)
			return -1;
		if (*p == '\\' && p[1] != '\0') {
			parts[n][len++] = *p++;
		} else if (*p == '[') {
			bracket = 1;
		} else if (*p == ']') {
			bracket = 0;
		} else if (*p == '(' && !bracket) {
			depth++;
		} else if (*p == ')' && !bracket && depth > 0) {
			depth--;
		}
		parts[n][len++] = *p;
	}
}

static bool matcher_compile(matcher *m, const char *pattern, FILE *err)
{
	char parts[MAX_LEVELS][256];
	m->nlevels = 0;
	if (*pattern == '\0')
		return true; /* -bench "": run nothing, as go test does */
	int n = split_pattern(pattern, parts, MAX_LEVELS);
	if (n < 0) {
		fprintf(err, "invalid regexp for -bench: %s: too long or too many levels\n",
		        pattern);
		return false;
	}
	for (int i = 0; i < n; i++) {
		int rc = regcomp(&m->level[i], parts[i], REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char msg[128];
			regerror(rc, &m->level[i], msg, sizeof msg);
			fprintf(err, "invalid regexp for -bench: %s: %s\n", pattern, msg);
			for (int j = 0; j < i; j++)
				regfree(&m->level[j]);
			return false;
		}
	}
	m->nlevels = n;
	return true;
}

static void matcher_free(matcher *m)
{
	for (int i = 0; i < m->nlevels; i++)
		regfree(&m->level[i]);
}

static bool matcher_match(const matcher *m, const char *name)
{
	char buf[512];
	snprintf(buf, sizeof buf, "Benchmark%s", name);
	char *save = NULL;
	int level = 0;
	for (char *part = strtok_r(buf, "/", &save); part != NULL && level < m->nlevels;
	     part = strtok_r(NULL, "/", &save), level++) {
		if (regexec(&m->level[level], part, 0, NULL, 0) != 0)
			return false;
	}
	return m->nlevels > 0 && level == m->nlevels;
}

/* ---- Flags -------------------------------------------------------------- */

/* Go's time.ParseDuration for what -benchtime needs: a sequence of decimal
 * numbers with units ns, us, µs, ms, s, m, h ("1s", "0.2s", "1m30s"). */
static bool parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1},  {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6},
	             {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
	double total = 0;
	if (*s == '\0')
		return false;
	while (*s != '\0') {
		char *end;
		if (!(*s >= '0' && *s <= '9') && *s != '.')
			return false;
		double v = strtod(s, &end);
		if (end == s)
			return false;
		s = end;
		size_t best = 0;
		double scale = 0;
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
			size_t l = strlen(units[i].unit);
			if (strncmp(s, units[i].unit, l) == 0 && l > best) {
				best = l;
				scale = units[i].ns;
			}
		}
		if (best == 0)
			return false;
		total += v * scale;
		s += best;
	}
	if (total > 9.2e18)
		return false;
	*ns = (int64_t)total;
	return true;
}

static bool parse_benchtime(const char *s, options *o)
{
	size_t len = strlen(s);
	if (len > 1 && s[len - 1] == 'x') {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(s, &end, 10);
		if (errno != 0 || end != s + len - 1 || n == 0 || s[0] == '-')
			return false;
		o->benchtime_n = n;
		return true;
	}
	o->benchtime_n = 0;
	return parse_duration(s, &o->benchtime_ns) && o->benchtime_ns > 0;
}

static bool parse_long(const char *s, long *v)
{
	char *end;
	errno = 0;
	long x = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	*v = x;
	return true;
}

static void usage(const bench_suite *s, const options *o, const char *prog, FILE *f)
{
	fprintf(f,
	        "usage: %s [flags]\n"
	        "Runs the benchmarks of %s and prints them in go test's format.\n\n"
	        "  -bench REGEX      run the benchmarks matching REGEX, go test style: one\n"
	        "                    POSIX extended regex per '/' level of the name\n"
	        "                    (default \".\")\n"
	        "  -benchtime T      run each benchmark for duration T (1s, 0.2s, 500ms)\n"
	        "                    or for exactly N iterations (100x) (default 1s)\n"
	        "  -count N          run each benchmark N times (default 1)\n"
	        "  -list             print the names of the matching benchmarks and exit\n"
	        "  -benchmem         accepted for go test compatibility (always on)\n"
	        "  -h, --help        print this help\n",
	        prog, s->pkg);
	for (size_t i = 0; i < s->nflags; i++)
		fprintf(f, "  -%-16s %s (default %ld)\n", s->flags[i].name, s->flags[i].usage,
		        o->defaults[i]);
	fprintf(f, "\nEnvironment: GOMAXPROCS (the -P suffix of names, default 1).\n");
}

/* Set one flag.  `value` is NULL when the argument list ran out. */
static bool set_flag(const bench_suite *s, options *o, const char *name, const char *value,
                     bool *used_value, FILE *err)
{
	*used_value = true;
	if (strcmp(name, "list") == 0 || strcmp(name, "benchmem") == 0) {
		*used_value = false;
		if (name[0] == 'l')
			o->list = true;
		return true;
	}
	if (value == NULL) {
		fprintf(err, "flag needs an argument: -%s\n", name);
		return false;
	}
	if (strcmp(name, "bench") == 0) {
		o->bench = value;
		return true;
	}
	if (strcmp(name, "benchtime") == 0) {
		if (parse_benchtime(value, o))
			return true;
		fprintf(err,
		        "invalid value \"%s\" for flag -benchtime: want a duration (1s) or a count "
		        "(100x)\n",
		        value);
		return false;
	}
	if (strcmp(name, "count") == 0) {
		if (parse_long(value, &o->count) && o->count > 0)
			return true;
		fprintf(err, "invalid value \"%s\" for flag -count: want a positive integer\n",
		        value);
		return false;
	}
	for (size_t i = 0; i < s->nflags; i++) {
		if (strcmp(name, s->flags[i].name) == 0) {
			if (parse_long(value, s->flags[i].value))
				return true;
			fprintf(err, "invalid value \"%s\" for flag -%s: want an integer\n", value,
			        name);
			return false;
		}
	}
	fprintf(err, "flag provided but not defined: -%s\n", name);
	return false;
}

/* Returns 0 to run, 1 after --help, 2 on a usage error. */
static int parse_args(const bench_suite *s, options *o, int argc, char **argv, FILE *out, FILE *err)
{
	const char *prog = argc > 0 ? argv[0] : "bench";
	*o = (options){.bench = ".", .benchtime_ns = 1000000000, .count = 1};
	if (s->nflags > MAX_FLAGS) {
		fprintf(err, "%s: too many suite flags (at most %d)\n", prog, MAX_FLAGS);
		return 2;
	}
	for (size_t i = 0; i < s->nflags; i++)
		o->defaults[i] = *s->flags[i].value;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0') {
			fprintf(err, "%s: unexpected argument \"%s\"\n", prog, a);
			usage(s, o, prog, err);
			return 2;
		}
		a += (a[1] == '-') ? 2 : 1;
		if (strncmp(a, "test.", 5) == 0)
			a += 5;
		if (strcmp(a, "h") == 0 || strcmp(a, "help") == 0) {
			usage(s, o, prog, out);
			return 1;
		}
		char name[64];
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
		if (nlen == 0 || nlen >= sizeof name) {
			fprintf(err, "%s: bad flag syntax: %s\n", prog, argv[i]);
			return 2;
		}
		memcpy(name, a, nlen);
		name[nlen] = '\0';
		bool used;
		const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
		if (!set_flag(s, o, name, value, &used, err)) {
			usage(s, o, prog, err);
			return 2;
		}
		if (eq != NULL && !used) {
			fprintf(err, "%s: flag -%s takes no value\n", prog, name);
			return 2;
		}
		if (used && eq == NULL)
			i++;
	}
	return 0;
}

/* ---- The driver --------------------------------------------------------- */

typedef struct run_ctx {
	const bench_suite *suite;
	const options *opts;
	const matcher *m;
	FILE *out;
	int status;
} run_ctx;

static size_t longest_name(const run_ctx *c)
{
	size_t longest = 0;
	for (size_t i = 0; i < c->suite->count; i++) {
		char name[512];
		if (!matcher_match(c->m, c->suite->benchmarks[i].name))
			continue;
		full_name(name, sizeof name, c->suite->benchmarks[i].name);
		if (strlen(name) > longest)
			longest = strlen(name);
	}
	return longest;
}

static void run_one(run_ctx *c, const bench_def *def, size_t width)
{
	char name[512];
	full_name(name, sizeof name, def->name);
	const bench_meter *meter = (def->flags & BENCH_NOMEM) ? NULL
	                           : def->meter != NULL       ? def->meter
	                                                      : c->suite->meter;
	for (long k = 0; k < c->opts->count; k++) {
		bench_b b = {.meter = meter};
		fprintf(c->out, "%-*s\t", (int)width, name);
		fflush(c->out);
		calibrate(&b, def, c->opts);
		if (b.failed) {
			fprintf(c->out, "--- FAIL: %s\n    %s\n", name, b.message);
			c->status = 1;
			return;
		}
		print_result(c->out, &b, meter != NULL);
		fflush(c->out);
	}
}

static void run_all(void *arg)
{
	run_ctx *c = arg;
	int64_t start = bench_nanotime();
	print_header(c->out, c->suite);
	size_t width = longest_name(c);
	for (size_t i = 0; i < c->suite->count; i++) {
		if (matcher_match(c->m, c->suite->benchmarks[i].name))
			run_one(c, &c->suite->benchmarks[i], width);
	}
	fprintf(c->out, "%s\n", c->status == 0 ? "PASS" : "FAIL");
	fprintf(c->out, "%s\t%s\t%.3fs\n", c->status == 0 ? "ok  " : "FAIL", c->suite->pkg,
	        (double)(bench_nanotime() - start) / 1e9);
	fflush(c->out);
}

int bench_main_to(const bench_suite *suite, int argc, char **argv, FILE *out, FILE *err)
{
	options o;
	int rc = parse_args(suite, &o, argc, argv, out, err);
	if (rc != 0)
		return rc == 1 ? 0 : rc;
	if (suite->flags_parsed != NULL)
		suite->flags_parsed();
	matcher m;
	if (!matcher_compile(&m, o.bench, err))
		return 2;
	run_ctx c = {.suite = suite, .opts = &o, .m = &m, .out = out};
	if (o.list) {
		for (size_t i = 0; i < suite->count; i++)
			if (matcher_match(&m, suite->benchmarks[i].name))
				fprintf(out, "Benchmark%s\n", suite->benchmarks[i].name);
	} else if (suite->runner != NULL) {
		int st = suite->runner(run_all, &c);
		if (st != 0 && c.status == 0)
			c.status = st;
	} else {
		run_all(&c);
	}
	matcher_free(&m);
	return c.status;
}

int bench_main(const bench_suite *suite, int argc, char **argv)
{
	return bench_main_to(suite, argc, argv, stdout, stderr);
}

/* ---- Programs of one benchmark named after one flag ----------------------- */

static struct {
	const char *fmt;
	const bench_flag *flag;
	char name[128];
} one;

static void name_one(void)
{
	snprintf(one.name, sizeof one.name, one.fmt, *one.flag->value);
}

int bench_main_one(const bench_suite *base, const char *name_fmt, bench_func fn,
                   const bench_flag *flag, int argc, char **argv)
{
	one.fmt = name_fmt;
	one.flag = flag;
	const bench_def def = {.name = one.name, .fn = fn};
	bench_suite suite = *base;
	suite.benchmarks = &def;
	suite.count = 1;
	suite.flags = flag;
	suite.nflags = 1;
	suite.flags_parsed = name_one;
	return bench_main(&suite, argc, argv);
}
