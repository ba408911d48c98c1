#!/bin/sh
# tests/e2e/cmds-folded-flame.sh — `escapade folded` and `escapade flame` on
# a recorded trace: folded totals of every metric equal report's totals,
# per allocating function they equal report's sites, and the SVGs (plain,
# reversed, inverted) parse as XML and carry the hostile names whole.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/cmds_sizes
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/s.trace
record "$t" "$prog" 50
report_json "$t" "$scratch/r.json"

for pair in bytes:bytes_allocated count:allocations cost:cost_ns peak:peak_bytes \
	leaked:leaked_bytes leaks:leaked_allocations; do
	m=${pair%%:*} key=${pair#*:}
	"$ESCAPADE" folded "$t" --metric "$m" >"$scratch/$m.folded" 2>"$scratch/err" ||
		fail "folded --metric $m exited $? ($(cat "$scratch/err"))"
	sum=$(awk '{ s += $NF } END { print s + 0 }' "$scratch/$m.folded")
	want=$(jq_py "$scratch/r.json" "r['totals']['$key']")
	[ "$sum" = "$want" ] || fail "folded --metric $m sums to $sum, report's $key is $want"
done
[ "$(wc -l <"$scratch/bytes.folded")" -gt 2 ] || fail "folded printed too few lines"

# One root for the program: the C start-up frames above main are dropped
# however deep each stack's walk went (printf's buffer reached _start).
grep -q '^main;' "$scratch/bytes.folded" || fail "no stack is rooted at main"
grep -E '(^|;)(_start|__libc_start_main[a-z_]*|__libc_start_call_main);' "$scratch/bytes.folded" &&
	fail "start-up frames above main remain: $(cat "$scratch/bytes.folded")"

# Per leaf function, folded bytes are report's site bytes (';' is folded's
# separator: it becomes ':' in a frame name).
python3 - "$scratch/bytes.folded" "$scratch/r.json" <<'PY' || fail "folded and report sites differ"
import json, sys, collections
fold = collections.Counter()
for line in open(sys.argv[1]):
    stack, v = line.rstrip("\n").rsplit(" ", 1)
    fold[stack.split(";")[-1]] += int(v)
rep = collections.Counter()
for s in json.load(open(sys.argv[2]))["sites"]:
    rep[s["function"].replace(";", ":")] += s["bytes"]
if fold != rep:
    print("folded:", dict(fold), "\nreport:", dict(rep))
    sys.exit(1)
names = " ".join(fold)
assert "grow_me<Box<int>" in names and "odd<&>'quote:fn" in names and '"' in names, names
assert fold[[n for n in fold if "grow_me" in n][0]] == 50 * 1000
PY

# Flame graphs: default name TRACE.svg, plus --reverse/--inverted/--title.
"$ESCAPADE" flame "$t" 2>"$scratch/err" || fail "flame exited $? ($(cat "$scratch/err"))"
[ -s "$t.svg" ] || fail "flame did not write $t.svg"
"$ESCAPADE" flame "$t" --reverse --inverted --metric count --title 'T<&>' -o "$scratch/r.svg" \
	2>"$scratch/err" || fail "flame --reverse --inverted exited $? ($(cat "$scratch/err"))"
"$ESCAPADE" flame "$t" -o - --metric leaked >"$scratch/l.svg" || fail "flame -o - failed"
for svg in "$t.svg" "$scratch/r.svg" "$scratch/l.svg"; do
	python3 - "$svg" <<'PY' || fail "$svg is not valid SVG with the program's names"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
text = " ".join(t for e in root.iter() for t in (e.text, e.get("title"), e.get("data-name")) if t)
need = ["odd<&>'quote;fn"] if "l.svg" in sys.argv[1] else ["grow_me<Box<int>", "odd<&>'quote;fn", "main"]
for n in need:
    assert n in text, (n, sys.argv[1])
PY
done
grep -q 'T&lt;&amp;&gt;' "$scratch/r.svg" || fail "flame --title was not used (escaped)"
exit 0
