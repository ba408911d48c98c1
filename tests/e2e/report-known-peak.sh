#!/bin/sh
# tests/e2e/report-known-peak.sh — the figures of a program whose heap is known.
#
# tests/e2e/known_peak allocates a fixed malloc/free pattern (see its
# source): the report must give exactly its allocations, frees, bytes, its
# true peak (20000 B: none of the tracer's own bytes) and its one leak, and
# split them over the three malloc lines of its source.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/known_peak
src=$top_srcdir/tests/e2e/known_peak.c
[ -x "$prog" ] || fail "$prog is not built"

record "$scratch/kp.trace" "$prog"
grep -q 'known_peak: done' "$scratch/kp.trace.stdout" || fail "known_peak did not run to its end"
report_json "$scratch/kp.trace" "$scratch/kp.json"

totals=$(jq_py "$scratch/kp.json" '[r["totals"][k] for k in ("allocations", "frees", "bytes_allocated", "peak_bytes", "leaked_bytes", "leaked_allocations", "truncated")]')
[ "$totals" = "[14, 13, 25123, 20000, 123, 1, False]" ] ||
	fail "totals [allocations, frees, bytes, peak, leaked, leaked allocations, truncated] are $totals, expected [14, 13, 25123, 20000, 123, 1, False]"

site() { # SIZE -> "allocations bytes peak leaked" of the site that mallocs SIZE
	line=$(grep -n "malloc($1)" "$src" | cut -d: -f1)
	[ -n "$line" ] || fail "no malloc($1) in $src"
	jq_py "$scratch/kp.json" "' '.join(str(s[k]) for s in r['sites'] if s['file'].endswith('known_peak.c') and s['line'] == $line for k in ('allocations', 'bytes', 'peak_bytes', 'leaked_bytes'))"
}
[ "$(site 1000)" = "10 10000 5000 0" ] || fail "malloc(1000) site: '$(site 1000)', expected '10 10000 5000 0'"
[ "$(site 5000)" = "3 15000 15000 0" ] || fail "malloc(5000) site: '$(site 5000)', expected '3 15000 15000 0'"
[ "$(site 123)" = "1 123 0 123" ] || fail "malloc(123) site: '$(site 123)', expected '1 123 0 123'"
[ "$(jq_py "$scratch/kp.json" "[s['function'] for s in r['sites']][:3]")" = "['main', 'main', 'main']" ] ||
	fail "sites are not all in main: $(jq_py "$scratch/kp.json" "[s['function'] for s in r['sites']]")"
# Without --cost the allocator is not timed: the report says so instead of
# a cost of 0, and the JSON keeps cost_ns 0 with "cost_measured": false.
"$ESCAPADE" report "$scratch/kp.trace" >"$scratch/kp.txt" || fail "report (text) failed"
grep -q '^  allocator time   not measured (record with --cost)$' "$scratch/kp.txt" ||
	fail "an untimed trace does not say its cost is not measured: $(cat "$scratch/kp.txt")"
grep -q 'cost 0.0 us' "$scratch/kp.txt" && fail "an untimed trace shows site cost 0.0 us"
grep -q '; cost not measured (record with --cost); ' "$scratch/kp.txt" ||
	fail "sites of an untimed trace do not say their cost is not measured"
[ "$(jq_py "$scratch/kp.json" '(r["totals"]["cost_measured"], r["totals"]["cost_ns"])')" = "(False, 0)" ] ||
	fail "JSON of an untimed trace: cost_measured/cost_ns are not false/0"
"$ESCAPADE" record --cost -o "$scratch/c.trace" -- "$prog" >/dev/null 2>&1 || fail "record --cost failed"
report_json "$scratch/c.trace" "$scratch/c.json"
[ "$(jq_py "$scratch/c.json" 'r["totals"]["cost_measured"] and r["totals"]["cost_ns"] > 0')" = True ] ||
	fail "JSON of a --cost trace: cost not measured or 0"
"$ESCAPADE" report "$scratch/c.trace" | grep -q '^  allocator time   [0-9.]* ms$' ||
	fail "a --cost trace does not show its allocator time"
exit 0
