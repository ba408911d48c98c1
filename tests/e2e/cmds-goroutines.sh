#!/bin/sh
# tests/e2e/cmds-goroutines.sh — `escapade timeline` and `escapade html` on
# a gort program with goroutines, stack growth and gort_gc(): the timeline
# is valid Chrome trace JSON with one slice per goroutine (named after its
# function), the collection, stack growths and memory counters; the HTML
# page parses and has its sections, the program's functions and a series.
# The goroutines left blocked carry Go's wait reasons (tests/e2e/cmds_waits:
# one per reason, left at main's return and at a deadlock) in report's text,
# JSON, the HTML page and the timeline.  On a terminal, reading shows a percentage.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/cmds_goroutines
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/g.trace
record "$t" "$prog"
report_json "$t" "$scratch/r.json"
blocked=$(jq_py "$scratch/r.json" "[(g['created_by'], g['function']) for g in r['goroutines_blocked']]")
[ "$blocked" = "[('mainfn', 'blocked')]" ] ||
	fail "blocked goroutines are $blocked, expected one created by mainfn running blocked"
wait=$(jq_py "$scratch/r.json" "[g['wait'] for g in r['goroutines_blocked']]")
[ "$wait" = "['chan receive']" ] || fail "the blocked goroutine waits on $wait, not ['chan receive']"

# Case p of the examples: the leaked goroutine waits on its channel.
leak=$top_builddir/examples/p_goroutine_leak
record "$scratch/p.trace" "$leak"
report_json "$scratch/p.trace" "$scratch/p.json"
pw=$(jq_py "$scratch/p.json" "[(g['function'], g['wait']) for g in r['goroutines_blocked']]")
[ "$pw" = "[('wait_for_value', 'chan receive')]" ] || fail "case p's blocked goroutines are $pw"

# Every wait reason, with Go's strings: the goroutines main leaves behind
# when it returns, then those a deadlock (fatal error, exit 2) leaves.
waits=$top_builddir/tests/e2e/cmds_waits
"$ESCAPADE" record -o "$scratch/w.trace" -- "$waits" >/dev/null 2>&1 || fail "cmds_waits failed"
"$ESCAPADE" record -o "$scratch/d.trace" -- "$waits" deadlock >/dev/null 2>"$scratch/d.err"
[ $? -eq 2 ] && grep -q "all goroutines are asleep" "$scratch/d.err" ||
	fail "cmds_waits deadlock did not die of a deadlock ($(tail -2 "$scratch/d.err"))"
for w in w d; do
	report_json "$scratch/$w.trace" "$scratch/$w.json"
	"$ESCAPADE" report "$scratch/$w.trace" >"$scratch/$w.txt" 2>/dev/null || fail "report $w"
	"$ESCAPADE" html "$scratch/$w.trace" -o "$scratch/$w.html" 2>/dev/null || fail "html $w"
	"$ESCAPADE" timeline "$scratch/$w.trace" -o "$scratch/$w.tl.json" 2>/dev/null ||
		fail "timeline $w"
done
python3 - "$scratch" <<'PY' || fail "the wait reasons are wrong"
import json, sys, html
d = sys.argv[1]
common = {"recv_forever": "chan receive", "send_forever": "chan send",
          "recv_nil": "chan receive (nil chan)", "select_forever": "select",
          "select_empty": "select (no cases)", "wait_group": "sync.WaitGroup.Wait",
          "lock_held": "sync.Mutex.Lock"}
want = {"w": dict(common, sleep_long="sleep", never_ran="runnable"),
        "d": dict(common, mainfn="chan receive")}
for w, expect in want.items():
    r = json.load(open(f"{d}/{w}.json"))
    got = {g["function"]: g["wait"] for g in r["goroutines_blocked"]}
    assert got == expect, (w, got)
    text = open(f"{d}/{w}.txt").read()
    page = open(f"{d}/{w}.html").read()
    ev = json.load(open(f"{d}/{w}.tl.json"))["traceEvents"]
    slices = {e["name"]: e for e in ev if e.get("cat") == "goroutine" and e["ph"] == "X"}
    marks = {(e["tid"], e["name"]) for e in ev if e.get("cat") == "goroutine" and e["ph"] == "i"}
    for fn, why in expect.items():
        assert f"[{why}] {fn}," in text, (w, fn, why)
        assert f">{html.escape(why)}<" in page, (w, why)
        # the timeline: the state in the slice's args, and an instant named
        # after it on the goroutine's track
        assert slices[fn]["args"].get("state_at_end") == why, (w, fn, slices[fn])
        assert (slices[fn]["tid"], why) in marks, (w, fn, why)
    ended = [e for e in slices.values() if "state_at_end" not in e["args"]]
    assert all(e["name"] not in expect for e in ended), (w, ended)
    assert r["totals"]["truncated"] is False, w
PY

"$ESCAPADE" timeline "$t" 2>"$scratch/err" || fail "timeline exited $? ($(cat "$scratch/err"))"
python3 - "$t.json" "$scratch/r.json" <<'PY' || fail "timeline JSON is not what the trace holds"
import json, sys, collections
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"] if isinstance(d, dict) else d
r = json.load(open(sys.argv[2]))["totals"]
gs = [e for e in ev if e.get("cat") == "goroutine" and e["ph"] == "X"]
names = collections.Counter(e["name"] for e in gs)
assert names["worker"] == 4 and names["blocked"] == 1 and names["mainfn"] == 1, names
assert len(gs) == r["goroutines"] + 1 or len(gs) == r["goroutines"], (len(gs), r)
assert all(e["dur"] >= 0 for e in gs)
gcs = [e for e in ev if e.get("cat") == "gc"]
assert len(gcs) == r["gc_cycles"] >= 1, (gcs, r)
grows = [e for e in ev if e.get("cat") == "stack"]
assert len(grows) == r["stack_grows"] > 0, (len(grows), r)
heap = [e for e in ev if e["ph"] == "C" and e["name"] == "heap in use"]
assert heap and max(list(e["args"].values())[0] for e in heap) > 0, heap[:3]
PY

"$ESCAPADE" html "$t" -o "$scratch/g.html" 2>"$scratch/err" ||
	fail "html exited $? ($(cat "$scratch/err"))"
python3 - "$scratch/g.html" <<'PY' || fail "the HTML page is incomplete"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.text = []; s.ids = set()
    def handle_starttag(s, tag, attrs):
        s.ids.update(v for k, v in attrs if k == "id")
    def handle_data(s, d):
        s.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read()); p.close()
text = " ".join(p.text)
for sec in ("sites", "flame", "memory", "leaks", "blocked"):
    assert sec in p.ids, (sec, p.ids)
for name in ("worker", "cmds_goroutines.c", "escaped", "mainfn"):
    assert name in text, name
PY

# A long run: the memory series stays within 4096 points (neighbours
# merge) and keeps the peak that report finds.
sizes=$top_builddir/tests/e2e/cmds_sizes
record "$scratch/long.trace" "$sizes" 300000
report_json "$scratch/long.trace" "$scratch/long.json"
"$ESCAPADE" timeline "$scratch/long.trace" -o "$scratch/long.tl" 2>/dev/null ||
	fail "timeline of the long run failed"
python3 - "$scratch/long.tl" "$scratch/long.json" <<'PY' || fail "the series of a long run is not bounded or lost the peak"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"] if isinstance(d, dict) else d
heap = [list(e["args"].values())[0] for e in ev if e["ph"] == "C" and e["name"] == "heap in use"]
peak = json.load(open(sys.argv[2]))["totals"]["peak_bytes"]
assert 100 < len(heap) <= 4096, len(heap)
assert max(heap) == peak, (max(heap), peak)
PY

# Progress: on a terminal (script(1) gives one), the share of the trace file
# read, then erased; nothing when stderr is not a terminal.
"$ESCAPADE" report "$scratch/long.trace" >/dev/null 2>"$scratch/quiet" || fail "report of the long run"
[ -s "$scratch/quiet" ] && fail "progress without a terminal: $(cat "$scratch/quiet")"
if command -v script >/dev/null 2>&1; then
	script -qc "'$ESCAPADE' report '$scratch/long.trace' >/dev/null" /dev/null >"$scratch/tty" ||
		fail "report on a terminal failed"
	python3 - "$scratch/tty" <<'PY' || fail "no percentage on a terminal: $(od -c "$scratch/tty" | head -5)"
import re, sys
s = open(sys.argv[1], "rb").read().decode()
pcts = [int(x) for x in re.findall(r"escapade report: reading \S+: +(\d+)%", s)]
assert pcts and all(0 <= x <= 100 for x in pcts) and pcts == sorted(pcts), pcts
assert s.endswith("\r\x1b[K"), repr(s[-20:])
PY
fi
exit 0
