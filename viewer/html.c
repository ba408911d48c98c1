/*
 * html.c — the HTML report page (see html.h).
 *
 * Written top to bottom in one pass: each section is one function.  The
 * flame graphs are flame.c's SVG, embedded once per metric the tree has
 * values for (only one shown at a time), and share a single copy of its
 * script.  The memory plot is drawn here as an inline SVG polyline; the
 * table sorts in the page from data-v attributes, so no number is parsed
 * back from formatted text.  The URL fragment replays choices
 * (#metric=bytes&search=REGEX&sort=COLUMN): links to a view, and the hook
 * the browser test drives the page with.
 */
#include "html.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "flame.h"

static void text(FILE *f, const char *s)
{
	esc_xml(f, s ? s : "", 0);
}

/* 1.5 MiB style, for the plot's axis. */
static void human(FILE *f, double v)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	fprintf(f, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static const char style[] =
        "body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1240px;padding:0 12px;"
        "color:#222}h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid "
        "#ddd}.cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #ddd;"
        "border-radius:6px;padding:6px 12px;min-width:120px}.card b{display:block;font-size:18px}"
        "table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;border-bottom:1px solid "
        "#eee;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
        "th{cursor:pointer;background:#f4f4f4;user-select:none}th.asc:after{content:' \\25b2'}"
        "th.desc:after{content:' \\25bc'}.escaped{color:#b00}.frame-local{color:#070}"
        ".unknown{color:#777}.warn{color:#b00}.graph{display:none}.graph.on{display:block}"
        ".bar{margin:6px 0}code{font-size:13px}";

static const char page_script[] =
        "document.querySelectorAll('table.sortable').forEach(function (t) {\n"
        "  t.querySelectorAll('th').forEach(function (th, col) {\n"
        "    th.addEventListener('click', function () {\n"
        "      var desc = !th.classList.contains('desc');\n"
        "      t.querySelectorAll('th').forEach(function (h) { h.className = h.className"
        ".replace(/ ?(asc|desc)/g, ''); });\n"
        "      th.classList.add(desc ? 'desc' : 'asc');\n"
        "      var rows = [].slice.call(t.tBodies[0].rows);\n"
        "      rows.sort(function (a, b) {\n"
        "        var x = a.cells[col].getAttribute('data-v'), y = "
        "b.cells[col].getAttribute('data-v');\n"
        "        var c = isNaN(+x) || isNaN(+y) ? x.localeCompare(y) : +x - +y;\n"
        "        return desc ? -c : c;\n"
        "      });\n"
        "      rows.forEach(function (r) { t.tBodies[0].appendChild(r); });\n"
        "    });\n"
        "  });\n"
        "});\n"
        "document.querySelectorAll('svg.flame').forEach(escFlame);\n"
        "var metric = document.getElementById('metric'), find = document.getElementById('find');\n"
        "function shown() { return document.querySelector('.graph.on svg'); }\n"
        "if (metric) metric.addEventListener('change', function () {\n"
        "  document.querySelectorAll('.graph').forEach(function (g) {\n"
        "    g.classList.toggle('on', g.getAttribute('data-metric') === metric.value);\n"
        "  });\n"
        "  if (find.value) shown().escSearch(find.value);\n"
        "});\n"
        "if (find) find.addEventListener('input', function () { shown().escSearch(find.value); "
        "});\n"
        "var m = /(?:^#|&)metric=([a-z]+)/.exec(location.hash);\n"
        "if (m && metric) { metric.value = m[1]; metric.dispatchEvent(new Event('change')); }\n"
        "m = /(?:^#|&)sort=([^&]+)/.exec(location.hash);\n"
        "if (m) document.querySelectorAll('#sites-table th').forEach(function (th) {\n"
        "  if (th.textContent === decodeURIComponent(m[1])) th.click();\n"
        "});\n";

static void card(FILE *f, const char *label, uint64_t v)
{
	fputs("<div class=\"card\">", f);
	text(f, label);
	fputs("<b>", f);
	esc_num(f, v);
	fputs("</b></div>\n", f);
}

static void summary(FILE *f, const html_summary *s)
{
	fputs("<h1>Escapade: ", f);
	text(f, s->program);
	fprintf(f, " <small>(pid %llu)</small></h1>\n", (unsigned long long)s->pid);
	if (s->truncated)
		fputs("<p class=\"warn\">The trace is truncated: the figures cover the part "
		      "that was recorded.</p>\n",
		      f);
	fputs("<div class=\"cards\" id=\"summary\">\n", f);
	card(f, "allocations", s->allocations);
	card(f, "frees", s->frees);
	card(f, "bytes allocated", s->bytes_allocated);
	card(f, "peak bytes", s->peak_bytes);
	card(f, "leaked bytes", s->leaked_bytes);
	card(f, "leaked allocations", s->leaked_allocations);
	card(f, "temporary", s->temporary);
	card(f, "GC cycles", s->gc_cycles);
	card(f, "stack grows", s->stack_grows);
	card(f, "goroutines", s->goroutines);
	fputs("</div>\n", f);
}

static void cell_num(FILE *f, uint64_t v)
{
	fprintf(f, "<td class=\"n\" data-v=\"%llu\">", (unsigned long long)v);
	esc_num(f, v);
	fputs("</td>", f);
}

static void cell_text(FILE *f, const char *s, const char *cls)
{
	fputs("<td data-v=\"", f);
	text(f, s);
	fputs("\"", f);
	if (cls) {
		fputs(" class=\"", f);
		text(f, cls);
		fputs("\"", f);
	}
	fputs(">", f);
	text(f, s);
	fputs("</td>", f);
}

static void location(FILE *f, const char *file, uint32_t line)
{
	char buf[32];

	fputs("<td data-v=\"", f);
	text(f, file ? file : "");
	fputs("\"><code>", f);
	if (file) {
		text(f, file);
		snprintf(buf, sizeof buf, ":%u", line);
		fputs(line ? buf : "", f);
	}
	fputs("</code></td>", f);
}

static void sites(FILE *f, const html_summary *s)
{
	fputs("<h2 id=\"sites\">Top allocation sites</h2>\n", f);
	if (!s->nsites) {
		fputs("<p>No allocation sites.</p>\n", f);
		return;
	}
	fputs("<table class=\"sortable\" id=\"sites-table\"><thead><tr><th>function</th>"
	      "<th>location</th><th class=\"n\">allocations</th><th class=\"n\">bytes</th>"
	      "<th class=\"n\">peak bytes</th><th class=\"n\">leaked bytes</th>"
	      "<th class=\"n\">cost (ns)</th><th>verdict</th></tr></thead><tbody>\n",
	      f);
	for (size_t i = 0; i < s->nsites; i++) {
		const html_site *x = &s->sites[i];
		const char *v = x->verdict ? x->verdict : "unknown";
		fputs("<tr>", f);
		cell_text(f, x->function, NULL);
		location(f, x->file, x->line);
		cell_num(f, x->allocations);
		cell_num(f, x->bytes);
		cell_num(f, x->peak_bytes);
		cell_num(f, x->leaked_bytes);
		cell_num(f, x->cost_ns);
		cell_text(f, v, strcmp(v, "escaped") && strcmp(v, "frame-local") ? "unknown" : v);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

static int flames(FILE *f, const ct_tree *t)
{
	const ct_node *root = ct_node_at(t, 0);
	int first = -1;

	fputs("<h2 id=\"flame\">Flame graph</h2>\n", f);
	for (int m = 0; m < CT_NMETRICS && first < 0; m++)
		if (root->total[m])
			first = m;
	if (first < 0) {
		fputs("<p>No stacks.</p>\n", f);
		return 0;
	}
	fputs("<div class=\"bar\">metric <select id=\"metric\">", f);
	for (int m = 0; m < CT_NMETRICS; m++)
		if (root->total[m])
			fprintf(f, "<option%s>%s</option>", m == first ? " selected" : "",
			        ct_metric_name(m));
	fputs("</select> search <input id=\"find\" placeholder=\"regular expression\"></div>\n", f);
	for (int m = 0; m < CT_NMETRICS; m++) {
		if (!root->total[m])
			continue;
		flame_opts o;
		flame_defaults(&o, m);
		o.embedded = true;
		o.title = " ";
		o.max_bytes = 400 * 1024; /* several graphs share the page */
		fprintf(f, "<div class=\"graph%s\" data-metric=\"%s\">\n", m == first ? " on" : "",
		        ct_metric_name(m));
		if (flame_write(f, t, &o) < 0)
			return -1;
		fputs("</div>\n", f);
	}
	return 0;
}

/* Heap and stack bytes over time, GC starts as vertical lines. */
static void plot(FILE *f, const html_summary *s)
{
	const double W = 1200, H = 260, L = 70, R = 10, T = 10, B = 30;
	uint64_t tmax = 1, vmax = 1;

	fputs("<h2 id=\"memory\">Memory over time</h2>\n", f);
	if (!s->nseries) {
		fputs("<p>No memory samples.</p>\n", f);
		return;
	}
	for (size_t i = 0; i < s->nseries; i++) {
		const html_point *p = &s->series[i];
		tmax = p->ts_ns > tmax ? p->ts_ns : tmax;
		vmax = p->heap_bytes > vmax ? p->heap_bytes : vmax;
		vmax = p->stack_bytes > vmax ? p->stack_bytes : vmax;
	}
	double sx = (W - L - R) / (double)tmax, sy = (H - T - B) / (double)vmax;
	fprintf(f,
	        "<svg id=\"memplot\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n",
	        W, H, W, H);
	fprintf(f,
	        "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" "
	        "stroke=\"#ccc\"/>\n",
	        L, T, W - L - R, H - T - B);
	for (size_t i = 0; i < s->ngc; i++)
		fprintf(f,
		        "<line class=\"gc\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" "
		        "stroke=\"#999\" stroke-dasharray=\"3 3\"><title>GC %zu</title></line>\n",
		        L + (double)s->gc_ts_ns[i] * sx, L + (double)s->gc_ts_ns[i] * sx, T, H - B,
		        i + 1);
	const char *colors[2] = {"#d04000", "#2070c0"};
	for (int k = 0; k < 2; k++) {
		fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" points=\"",
		        k ? "stack" : "heap", colors[k]);
		for (size_t i = 0; i < s->nseries; i++) {
			const html_point *p = &s->series[i];
			uint64_t v = k ? p->stack_bytes : p->heap_bytes;
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", L + (double)p->ts_ns * sx,
			        H - B - (double)v * sy);
		}
		fputs("\"/>\n", f);
	}
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">", L - 4, T + 10);
	human(f, (double)vmax);
	fprintf(f, "</text><text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>\n", L - 4,
	        H - B);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%.3f ms</text>\n", W - R,
	        H - 10, (double)tmax / 1e6);
	fprintf(f,
	        "<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\">heap</text>"
	        "<text x=\"%.0f\" y=\"%.0f\" fill=\"%s\">stack</text>"
	        "<text x=\"%.0f\" y=\"%.0f\" fill=\"#999\">- - GC</text>\n",
	        L, H - 10, colors[0], L + 50, H - 10, colors[1], L + 100, H - 10);
	fputs("</svg>\n", f);
}

static int cmp_leak(const void *a, const void *b)
{
	uint64_t x = (*(const html_site *const *)a)->leaked_bytes;
	uint64_t y = (*(const html_site *const *)b)->leaked_bytes;
	return (x < y) - (x > y);
}

static int leaks(FILE *f, const html_summary *s)
{
	const html_site **l = malloc((s->nsites + 1) * sizeof *l);
	size_t n = 0;

	if (!l)
		return -1;
	for (size_t i = 0; i < s->nsites; i++)
		if (s->sites[i].leaked_bytes)
			l[n++] = &s->sites[i];
	qsort(l, n, sizeof *l, cmp_leak);
	fputs("<h2 id=\"leaks\">Leaks</h2>\n", f);
	if (!n)
		fputs("<p>Nothing was left allocated at exit.</p>\n", f);
	else
		fputs("<table class=\"sortable\"><thead><tr><th>function</th><th>location</th>"
		      "<th class=\"n\">leaked bytes</th><th class=\"n\">allocations</th></tr>"
		      "</thead><tbody>\n",
		      f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr>", f);
		cell_text(f, l[i]->function, NULL);
		location(f, l[i]->file, l[i]->line);
		cell_num(f, l[i]->leaked_bytes);
		cell_num(f, l[i]->allocations);
		fputs("</tr>\n", f);
	}
	if (n)
		fputs("</tbody></table>\n", f);
	free(l);
	return 0;
}

static void blocked(FILE *f, const html_summary *s)
{
	fputs("<h2 id=\"blocked\">Blocked goroutines</h2>\n", f);
	if (!s->nblocked) {
		fputs("<p>No goroutine was blocked at exit.</p>\n", f);
		return;
	}
	fputs("<table class=\"sortable\"><thead><tr><th class=\"n\">goroutine</th><th>waiting "
	      "on</th><th>created by</th><th>location</th></tr></thead><tbody>\n",
	      f);
	for (size_t i = 0; i < s->nblocked; i++) {
		const html_blocked *b = &s->blocked[i];
		fputs("<tr>", f);
		cell_num(f, b->id);
		cell_text(f, b->wait, NULL);
		cell_text(f, b->created_by, NULL);
		location(f, b->file, b->line);
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

int html_write(FILE *out, const ct_tree *t, const html_summary *s)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
	      "Escapade: ",
	      out);
	text(out, s->program);
	fprintf(out, "</title>\n<style>%s</style>\n</head><body>\n", style);
	summary(out, s);
	sites(out, s);
	if (flames(out, t) < 0)
		return -1;
	plot(out, s);
	if (leaks(out, s) < 0)
		return -1;
	blocked(out, s);
	fprintf(out, "<script>\n%s\n%s</script>\n</body></html>\n", flame_script, page_script);
	return ferror(out) ? -1 : 0;
}
