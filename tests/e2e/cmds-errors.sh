#!/bin/sh
# tests/e2e/cmds-errors.sh — the output commands on bad input: --help,
# unknown options and metrics, missing and corrupt traces fail with a
# message; a truncated trace (cut with head -c) still yields output and a
# warning; no command writes over its trace; hostile names survive the
# HTML page and the timeline.
. "$(dirname "$0")/lib.sh"
prog=$top_builddir/tests/e2e/cmds_sizes
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/s.trace
record "$t" "$prog" 40

for cmd in folded flame html pprof timeline diff; do
	"$ESCAPADE" $cmd --help >"$scratch/h" || fail "$cmd --help failed"
	grep -q "usage: escapade $cmd" "$scratch/h" || fail "$cmd --help has no usage line"
	"$ESCAPADE" $cmd --no-such-flag "$t" >/dev/null 2>"$scratch/err"
	[ $? = 2 ] && [ -s "$scratch/err" ] || fail "$cmd --no-such-flag: no exit 2 with a message"
	second=
	[ $cmd = diff ] && second=$t
	"$ESCAPADE" $cmd "$scratch/missing.trace" $second >/dev/null 2>"$scratch/err"
	[ $? != 0 ] && grep -q 'missing.trace' "$scratch/err" ||
		fail "$cmd on a missing trace: no failure naming it"
done
"$ESCAPADE" folded "$t" --metric nonsense >/dev/null 2>"$scratch/err"
[ $? = 2 ] && grep -q "unknown metric" "$scratch/err" || fail "folded --metric nonsense accepted"
"$ESCAPADE" folded >/dev/null 2>&1 && fail "folded without a trace succeeded"
"$ESCAPADE" pprof "$t" --reverse >/dev/null 2>&1 && fail "pprof accepted --reverse"

# Not a trace, a damaged one.
echo "hello" >"$scratch/text"
"$ESCAPADE" flame "$scratch/text" -o "$scratch/x.svg" 2>"$scratch/err" &&
	fail "flame accepted a text file"
grep -q 'not an Escapade trace' "$scratch/err" || fail "no message for a text file: $(cat "$scratch/err")"

# Never over the input trace.
"$ESCAPADE" flame "$t" -o "$t" 2>"$scratch/err" && fail "flame -o TRACE succeeded"
grep -q refusing "$scratch/err" || fail "flame -o TRACE: no message"
"$ESCAPADE" report "$t" >/dev/null || fail "flame -o TRACE damaged the trace"

# Truncated: output of what could be read, and a warning.
size=$(wc -c <"$t")
head -c $((size * 2 / 3)) "$t" >"$scratch/cut.trace"
for cmd in folded flame html pprof timeline; do
	"$ESCAPADE" $cmd "$scratch/cut.trace" -o "$scratch/cut.$cmd" 2>"$scratch/err" ||
		fail "$cmd on a truncated trace exited $? ($(cat "$scratch/err"))"
	grep -q 'warning: .*truncated' "$scratch/err" || fail "$cmd gave no truncation warning"
	[ -s "$scratch/cut.$cmd" ] || fail "$cmd wrote nothing for a truncated trace"
done
[ "$(wc -l <"$scratch/cut.folded")" -ge 1 ] || fail "folded of the truncated trace is empty"

# Hostile names in the HTML page and the timeline-free outputs.
"$ESCAPADE" html "$t" -o "$scratch/s.html" || fail "html failed"
python3 - "$scratch/s.html" <<'PY' || fail "names did not survive the HTML page"
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(convert_charrefs=True); s.text = []
    def handle_data(s, d):
        s.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read()); p.close()
text = " ".join(p.text)
for n in ("grow_me<Box<int>&>", "odd<&>'quote;fn\"", "escaped"):
    assert n in text, n
PY
exit 0
