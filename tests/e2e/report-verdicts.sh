#!/bin/sh
# tests/e2e/report-verdicts.sh — escape verdicts of gort objects.
#
# tests/e2e/gort_verdicts has one gort_newobject site per case (see its
# header); recorded with `escapade record`, `escapade report --format json`
# must give each site exactly its verdict: escaped when the objects were
# still reachable after their frame returned, frame-local when not; with
# --verdict-sample 0, unknown.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/gort_verdicts
src=$top_srcdir/tests/e2e/gort_verdicts.c
[ -x "$prog" ] || fail "$prog is not built"

record "$scratch/v.trace" "$prog"
report_json "$scratch/v.trace" "$scratch/v.json"

line() { grep -n "/\* $1 \*/" "$src" | head -1 | cut -d: -f1; }
want="{$(line ESCAPES-RETURN): 'escaped', $(line ESCAPES-GLOBAL): 'escaped', $(line LOCAL-FRAME): 'frame-local', $(line LOCAL-GOROUTINE): 'frame-local', $(line ESCAPES-ENV): 'escaped'}"
got=$(jq_py "$scratch/v.json" "dict(sorted((s['line'], s['verdict']) for s in r['sites'] if s['file'].endswith('gort_verdicts.c')))")
[ "$got" = "$(python3 -c "print(dict(sorted($want.items())))")" ] ||
	fail "verdicts by line are $got, expected $want"

# With no sample, no gort object is judged: every site stays unknown.
"$ESCAPADE" record -o "$scratch/n.trace" --verdict-sample 0 -- "$prog" >/dev/null 2>&1 ||
	fail "escapade record --verdict-sample 0 failed"
report_json "$scratch/n.trace" "$scratch/n.json"
got=$(jq_py "$scratch/n.json" "sorted(set(s['verdict'] for s in r['sites'] if s['file'].endswith('gort_verdicts.c')))")
[ "$got" = "['unknown']" ] || fail "with --verdict-sample 0 the verdicts are $got"
exit 0
