#!/bin/sh
# tests/tracer/frames-gort.sh — `record --frames` in a gort program.
# tests/tracer/prog_gort_frames (built -finstrument-functions, gort linked
# statically: gort's own __cyg_profile_func_* forward to the tracer's frame
# probes) runs two goroutines that each recurse ten levels into down(), a
# 1000-byte frame per level, interleaved.  The trace must hold frame
# records; folded --metric stack must show each level's path rooted at
# worker, weighing one frame -- the frames that start a new stack segment
# too, sized by the stack grow record before them (their caller's stack
# pointer lies on another segment); the flame graph of that metric must
# parse.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/e2e/lib.sh"
prog=$top_builddir/tests/tracer/prog_gort_frames
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/g.trace
"$ESCAPADE" record --frames -o "$t" -- "$prog" >/dev/null 2>"$scratch/err" ||
	fail "record --frames failed ($(cat "$scratch/err"))"
"$ESCAPADE" dump "$t" >"$scratch/dump" || fail "dump failed"
enters=$(grep -c '^frame_enter' "$scratch/dump")
[ "$enters" -ge 20 ] || fail "only $enters frame_enter records"
grep -q '^stack_grow.*goid=[23] ' "$scratch/dump" || fail "the goroutines never grew their stacks"
"$ESCAPADE" folded "$t" --metric stack >"$scratch/f.folded" || fail "folded --metric stack failed"
python3 - "$scratch/f.folded" <<'PY' || fail "stack bytes per path are wrong: $(cat "$scratch/f.folded")"
import sys
paths = {}
for line in open(sys.argv[1]):
    stack, v = line.rsplit(" ", 1)
    paths[stack] = int(v)
downs = {s: v for s, v in paths.items() if s.endswith("down")}
# Both goroutines took the same paths: each weighs two frames.
assert len(downs) == 10, downs
for s, v in downs.items():
    frames = s.split(";")
    assert "worker" in frames, s
    assert frames[frames.index("worker") + 1:] == ["down"] * (len(frames) - frames.index("worker") - 1), s
    assert 2000 <= v <= 2400, (s, v)
assert max(s.count("down") for s in downs) == 10, downs
PY
"$ESCAPADE" flame "$t" --metric stack -o "$scratch/f.svg" 2>/dev/null || fail "flame --metric stack failed"
python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$scratch/f.svg" ||
	fail "the stack flame graph is not valid XML"
grep -q down "$scratch/f.svg" || fail "no down() in the SVG"
exit 0
