#!/bin/sh
# tests/e2e/cmds-diff.sh — `escapade diff` on two traces of one program run
# with two sizes: the growing site is reported with its change, the
# steady one is not; --fail-on-increase trips (exit 1) below the growth
# and passes above it; -o writes a differential flame graph.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/cmds_sizes
[ -x "$prog" ] || fail "$prog is not built"
record "$scratch/a.trace" "$prog" 20
record "$scratch/b.trace" "$prog" 80

"$ESCAPADE" diff "$scratch/a.trace" "$scratch/b.trace" -o "$scratch/d.svg" \
	>"$scratch/d.txt" 2>"$scratch/err" || fail "diff exited $? ($(cat "$scratch/err"))"
grep -q '^  +60000 (+300.0%)  20000 -> 80000  void grow_me<Box<int>&>(int)' "$scratch/d.txt" ||
	fail "diff does not show grow_me growing 20000 -> 80000: $(cat "$scratch/d.txt")"
grep -q '^total: .* (+60000, ' "$scratch/d.txt" || fail "diff total is not +60000"
grep -q 'steady' "$scratch/d.txt" && fail "diff lists the unchanged site steady"
grep -q '^stacks that changed most:' "$scratch/d.txt" || fail "diff has no per-stack section"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$scratch/d.svg" ||
	fail "the differential flame graph is not valid XML"
grep -q 'grow_me&lt;Box' "$scratch/d.svg" || fail "the differential flame graph lacks grow_me"

# Count metric: 20 -> 80 allocations of grow_me.
"$ESCAPADE" diff "$scratch/a.trace" "$scratch/b.trace" --metric count >"$scratch/c.txt" ||
	fail "diff --metric count failed"
grep -q '+60 (+300.0%)  20 -> 80  void grow_me' "$scratch/c.txt" || fail "count diff: $(cat "$scratch/c.txt")"

# CI: a 300% growth trips 50 and 299, not 1000; shrinking never trips.
for pct in 50 299; do
	"$ESCAPADE" diff "$scratch/a.trace" "$scratch/b.trace" --fail-on-increase $pct >/dev/null
	[ $? = 1 ] || fail "--fail-on-increase $pct did not exit 1 on a 300% growth"
done
"$ESCAPADE" diff "$scratch/a.trace" "$scratch/b.trace" --fail-on-increase 1000 >/dev/null ||
	fail "--fail-on-increase 1000 failed on a 300% growth"
"$ESCAPADE" diff "$scratch/b.trace" "$scratch/a.trace" --fail-on-increase 0 >"$scratch/s.txt" ||
	fail "--fail-on-increase 0 failed when everything shrank"
grep -q '^  -60000 (-75.0%)' "$scratch/s.txt" || fail "reverse diff: $(cat "$scratch/s.txt")"

# Two builds of one program (other addresses, lines and module path) match
# stack for stack and site for site: the same run shows no change at all.
shifted=$top_builddir/tests/e2e/cmds_sizes_shifted
[ -x "$shifted" ] || fail "$shifted is not built"
record "$scratch/s.trace" "$shifted" 20
"$ESCAPADE" diff "$scratch/a.trace" "$scratch/s.trace" >"$scratch/x.txt" || fail "diff of two builds failed"
grep -q '^total: .* (+0, ' "$scratch/x.txt" || fail "two builds: total changed: $(cat "$scratch/x.txt")"
grep -q '^stacks that changed most:' "$scratch/x.txt" &&
	fail "two builds of one program differ by stack: $(cat "$scratch/x.txt")"
grep -q '^sites that' "$scratch/x.txt" && fail "two builds differ by site: $(cat "$scratch/x.txt")"
"$ESCAPADE" diff "$scratch/s.trace" "$scratch/b.trace" >"$scratch/y.txt" || fail "diff b/s failed"
grep -q '^  +60000  20000 -> 80000  .*;void grow_me<Box<int>&>' "$scratch/y.txt" ||
	fail "two builds: grow_me's stack is not matched 20000 -> 80000: $(cat "$scratch/y.txt")"

# Usage errors and unreadable traces exit 2.
"$ESCAPADE" diff "$scratch/a.trace" 2>/dev/null
[ $? = 2 ] || fail "diff with one trace did not exit 2"
"$ESCAPADE" diff "$scratch/a.trace" "$scratch/missing" 2>"$scratch/err"
[ $? = 2 ] && grep -q missing "$scratch/err" || fail "diff of a missing trace: no exit 2 with a message"
"$ESCAPADE" diff "$scratch/a.trace" "$scratch/b.trace" --fail-on-increase x 2>/dev/null
[ $? = 2 ] || fail "--fail-on-increase x did not exit 2"
"$ESCAPADE" diff "$scratch/a.trace" "$scratch/b.trace" -o "$scratch/a.trace" >/dev/null 2>&1
[ $? = 2 ] || fail "diff -o BASE was not refused"
"$ESCAPADE" report "$scratch/a.trace" >/dev/null || fail "diff -o BASE damaged the base trace"
exit 0
