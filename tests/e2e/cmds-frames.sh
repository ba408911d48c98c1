#!/bin/sh
# tests/e2e/cmds-frames.sh — the stack metric of a `record --frames` trace:
# tests/tracer/prog_frames recurses ten levels, each keeping a 1000-byte
# buffer in its frame; folded --metric stack must show ten call paths of
# down(), each weighing one frame (1000 bytes and a little more), and the
# flame graph of that metric must parse.  Then report's stack frames
# section, on tests/e2e/frames_heap (frames beside heap bytes): each
# function's frame, calls, stack bytes, deepest stack and the heap bytes and
# verdict of its own allocations, in text and JSON.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/tracer/prog_frames
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/f.trace
"$ESCAPADE" record --frames -o "$t" -- "$prog" >/dev/null 2>"$scratch/err" ||
	fail "record --frames failed ($(cat "$scratch/err"))"
check_down_stacks "$t" 'assert all(1000 <= v <= 1200 for v in downs.values()), downs'

heap=$top_builddir/tests/e2e/frames_heap
h=$scratch/h.trace
"$ESCAPADE" record --frames -o "$h" -- "$heap" >/dev/null 2>"$scratch/err" ||
	fail "record --frames of frames_heap failed ($(cat "$scratch/err"))"
report_json "$h" "$scratch/h.json"
"$ESCAPADE" report "$h" >"$scratch/h.txt" 2>"$scratch/err" || fail "report failed ($(cat "$scratch/err"))"
python3 - "$scratch/h.json" "$scratch/h.txt" <<'PY' || fail "report's stack frames are wrong: $(cat "$scratch/h.txt")"
import json, re, sys
r = json.load(open(sys.argv[1]))
fr = {f["function"]: f for f in r["frames"]}
p, b, n = fr["parse"], fr["build"], fr["nest"]
# parse: 10 calls of a frame holding a 2000-byte buffer, 100 heap bytes each, freed in it
assert p["calls"] == p["measured_calls"] == 10, p
assert 2000 <= p["frame_bytes_max"] <= 2100 and p["frame_bytes_mean"] == p["frame_bytes_max"], p
assert p["stack_bytes"] == 10 * p["frame_bytes_max"], p
assert (p["heap_bytes"], p["heap_allocations"], p["verdict"]) == (1000, 10, "frame-local"), p
# build: 5 small frames, 64 heap bytes each, kept past the frame
assert b["calls"] == 5 and b["frame_bytes_max"] < 200 and b["stack_bytes"] == 5 * b["frame_bytes_max"], b
assert (b["heap_bytes"], b["escaped"], b["verdict"]) == (320, 5, "escaped"), b
# nest: 6 levels of 300-byte buffers; the deepest call has all six on the stack
assert n["calls"] == 6 and 300 <= n["frame_bytes_max"] <= 400, n
assert n["deepest_stack_bytes"] == 6 * n["frame_bytes_max"] == n["stack_bytes"], n
assert (n["heap_bytes"], n["verdict"]) == (0, "-"), n
# mixed: 4 allocations of 32 bytes, two freed in its frame, two returned
m = fr["mixed"]
assert (m["heap_bytes"], m["frame_local"], m["escaped"], m["verdict"]) == (128, 2, 2, "escaped"), m
# main: the outermost traced function, its own frame unmeasured
assert fr["main"]["measured_calls"] == 0 and fr["main"]["calls"] == 1
assert [f["function"] for f in r["frames"]][:3] == ["parse", "nest", "build"], r["frames"]
text = open(sys.argv[2]).read()
assert "stack frames (record --frames)" in text
section = text.split("stack frames (record --frames)", 1)[1]
line = next(l for l in section.splitlines() if re.search(r"  parse \(", l))
assert line.split()[:3] == [str(p["frame_bytes_max"]), str(p["frame_bytes_mean"]), "10"], line
assert "1000 B" in line and "frame-local" in line, line
line = next(l for l in section.splitlines() if re.search(r"  mixed \(", l))
assert "128 B" in line and "escaped 2/4" in line, line
PY
# A trace without --frames has no such section, and an empty "frames".
"$ESCAPADE" record -o "$scratch/nf.trace" -- "$heap" >/dev/null 2>&1 || fail "record of frames_heap failed"
report_json "$scratch/nf.trace" "$scratch/nf.json"
[ "$(jq_py "$scratch/nf.json" 'r["frames"]')" = "[]" ] || fail "frames without --frames"
"$ESCAPADE" report "$scratch/nf.trace" 2>/dev/null | grep -q "stack frames" && fail "a stack frames section without --frames"
exit 0
