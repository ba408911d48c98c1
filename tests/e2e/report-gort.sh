#!/bin/sh
# tests/e2e/report-gort.sh — gort_newobject through the tracer's probes.
#
# tests/e2e/gort_objects prints gort's MemStats after a forced collection;
# the report of its trace must have exactly Mallocs newobject events and
# Frees sweeps (before the print, the program allocates nothing from gort),
# the collection(s), and its allocation sites on the program's lines.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/gort_objects
src=$top_srcdir/tests/e2e/gort_objects.c
[ -x "$prog" ] || fail "$prog is not built"

record "$scratch/g.trace" "$prog"
report_json "$scratch/g.trace" "$scratch/g.json"
set -- $(cat "$scratch/g.trace.stdout")
[ "$1" = mallocs ] && [ "$3" = frees ] || fail "unexpected output: $*"
mallocs=$2 frees=$4 num_gc=$6
[ "$mallocs" = 1051 ] || fail "gort counts $mallocs mallocs, the program makes 1051"

got=$(jq_py "$scratch/g.json" '(r["totals"]["gort_objects"], r["totals"]["gort_frees"], r["totals"]["gc_cycles"])')
[ "$got" = "($mallocs, $frees, $num_gc)" ] ||
	fail "trace has (newobject, swept, GC cycles) = $got; gort's MemStats say ($mallocs, $frees, $num_gc)"

line() { grep -n "$1" "$src" | head -1 | cut -d: -f1; }
small=$(line 'gort_newobject(48)')
arrays=$(line 'gort_newarray(16, 20)')
big=$(line 'gort_newobject(100000)')
sites=$(jq_py "$scratch/g.json" "sorted((s['line'], s['allocations'], s['bytes']) for s in r['sites'] if s['file'].endswith('gort_objects.c'))")
want="[($small, 1000, 48000), ($arrays, 50, 16000), ($big, 1, 100000)]"
[ "$sites" = "$(python3 -c "print(sorted($want))")" ] || fail "gort sites are $sites, expected $want"
exit 0
