#!/bin/sh
# tests/e2e/cmds-frames.sh — the stack metric of a `record --frames` trace:
# tests/tracer/prog_frames recurses ten levels, each keeping a 1000-byte
# buffer in its frame; folded --metric stack must show ten call paths of
# down(), each weighing one frame (1000 bytes and a little more), and the
# flame graph of that metric must parse.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/tracer/prog_frames
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/f.trace
"$ESCAPADE" record --frames -o "$t" -- "$prog" >/dev/null 2>"$scratch/err" ||
	fail "record --frames failed ($(cat "$scratch/err"))"
"$ESCAPADE" folded "$t" --metric stack >"$scratch/f.folded" || fail "folded --metric stack failed"
python3 - "$scratch/f.folded" <<'PY' || fail "stack bytes per path are wrong: $(cat "$scratch/f.folded")"
import sys
paths = {}
for line in open(sys.argv[1]):
    stack, v = line.rsplit(" ", 1)
    paths[stack] = int(v)
downs = {s: v for s, v in paths.items() if s.endswith("down")}
assert len(downs) == 10, downs
assert all(1000 <= v <= 1200 for v in downs.values()), downs
assert max(s.count("down") for s in downs) == 10
PY
"$ESCAPADE" flame "$t" --metric stack -o "$scratch/f.svg" 2>/dev/null || fail "flame --metric stack failed"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$scratch/f.svg" ||
	fail "the stack flame graph is not valid XML"
grep -q down "$scratch/f.svg" || fail "no down() in the SVG"
exit 0
