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
# Both goroutines took the same paths: each weighs two frames.
check_down_stacks "$t" '
for s, v in downs.items():
    frames = s.split(";")
    assert "worker" in frames, s
    w = frames.index("worker")
    assert frames[w + 1:] == ["down"] * (len(frames) - w - 1), s
    assert 2000 <= v <= 2400, (s, v)
'
exit 0
