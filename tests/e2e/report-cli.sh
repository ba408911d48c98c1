#!/bin/sh
# tests/e2e/report-cli.sh — `escapade report` on good and bad input.
#
# --help, usage errors, a missing file, a file that is not a trace and a
# damaged trace must each give a clear message and the right exit status; a
# truncated trace is reported with a warning, exit 0 and "truncated": true;
# a valid one gives JSON with every fixed key of DESIGN.md's Report JSON.
. "$(dirname "$0")/lib.sh"
corpus=$top_srcdir/tests/fuzz/corpus

"$ESCAPADE" report --help >"$scratch/help" || fail "report --help exited $?"
grep -q -- '--sort' "$scratch/help" || fail "report --help does not describe --sort"

expect_error() { # STATUS PATTERN ARGS...
	want=$1 pattern=$2
	shift 2
	"$ESCAPADE" report "$@" >"$scratch/out" 2>"$scratch/err"
	got=$?
	[ "$got" = "$want" ] || fail "report $*: exit $got, expected $want"
	grep -q -- "$pattern" "$scratch/err" ||
		fail "report $*: message lacks '$pattern': $(cat "$scratch/err")"
	[ ! -s "$scratch/out" ] || fail "report $*: printed a report on error"
}
expect_error 2 'which trace' 
expect_error 2 'unknown sort key' "$corpus/valid-raw" --sort size
expect_error 2 'unknown format' "$corpus/valid-raw" --format xml
expect_error 2 -- '--top' "$corpus/valid-raw" --top -3
expect_error 1 'No such file' "$scratch/missing.trace"
expect_error 1 'escapade report' "$corpus/mutated-not-a-trace"
expect_error 1 'chunk at offset' "$corpus/mutated-unknown-tag"
chmod 000 "$scratch/out" 2>/dev/null
if [ "$(id -u)" != 0 ]; then
	expect_error 1 'ermission' "$scratch/out"
fi

# Truncated: a warning, exit 0, the figures read so far.
"$ESCAPADE" report "$corpus/truncated-no-end" --format json >"$scratch/t.json" 2>"$scratch/t.err" ||
	fail "report of a truncated trace exited $?"
grep -q 'truncated' "$scratch/t.err" || fail "no warning for a truncated trace"
[ "$(jq_py "$scratch/t.json" 'r["totals"]["truncated"]')" = True ] ||
	fail "truncated trace: \"truncated\" is not true"
[ "$(jq_py "$scratch/t.json" 'r["totals"]["allocations"]')" = 1 ] ||
	fail "truncated trace: the allocation before the cut is missing"

# Every fixed key, with the right type.
report_json "$corpus/valid-raw" "$scratch/v.json"
python3 - "$scratch/v.json" <<'PY' || fail "Report JSON keys (see above)"
import json, sys
r = json.load(open(sys.argv[1]))
def need(obj, keys, where):
    for k, t in keys.items():
        if k not in obj:
            sys.exit(f"missing key {where}.{k}")
        if not isinstance(obj[k], t) or (t is int and isinstance(obj[k], bool)):
            sys.exit(f"{where}.{k} is {type(obj[k]).__name__}, not {t.__name__}")
need(r, {"version": int, "program": str, "pid": int, "totals": dict, "sites": list,
         "goroutines_blocked": list}, "report")
need(r["totals"], {k: int for k in ("allocations", "frees", "bytes_allocated", "peak_bytes",
     "leaked_bytes", "leaked_allocations", "temporary", "gc_cycles", "stack_grows",
     "goroutines")} | {"truncated": bool}, "totals")
if not r["sites"]:
    sys.exit("no sites")
for i, s in enumerate(r["sites"]):
    need(s, {"function": str, "file": str, "line": int, "module": str, "allocations": int,
             "bytes": int, "peak_bytes": int, "leaked_bytes": int, "cost_ns": int,
             "verdict": str, "stack": list}, f"sites[{i}]")
    if s["verdict"] not in ("escaped", "frame-local", "unknown"):
        sys.exit(f"sites[{i}].verdict is {s['verdict']}")
if len(r["goroutines_blocked"]) != 1:
    sys.exit(f"goroutines_blocked is {r['goroutines_blocked']}, expected goroutine 9")
need(r["goroutines_blocked"][0], {"id": int, "wait": str, "created_by": str, "file": str,
                                  "line": int}, "goroutines_blocked[0]")
if r["goroutines_blocked"][0]["id"] != 9:
    sys.exit("the goroutine alive at exit is not goroutine 9")
t = r["totals"]
if (t["allocations"], t["frees"], t["bytes_allocated"], t["peak_bytes"]) != (5, 6, 3412, 2300):
    sys.exit(f"valid-raw totals are {t}")
if sum(s["allocations"] for s in r["sites"]) != t["allocations"]:
    sys.exit("site allocations do not add up to the total")
PY

# Names that need escaping come out as valid JSON and valid UTF-8, with
# every character kept (invalid bytes as U+FFFD).
report_json "$corpus/valid-odd-names" "$scratch/odd.json"
python3 - "$scratch/odd.json" <<'PY' || fail "escaping of odd names (see above)"
import sys, json
r = json.load(open(sys.argv[1], encoding="utf-8", errors="strict"))
for where, s in (("program", r["program"]), ("module", r["sites"][0]["module"])):
    for c in ('"', "\\", "\x01", "\x1f", "\ufffd", "(/prog"):
        if c not in s:
            sys.exit(f"{where} {s!r} lost {c!r}")
    if not s.startswith('/tmp/o"dd\\name\x01\x1f'):
        sys.exit(f"{where} is {s!r}")
PY

# --top and --sort
"$ESCAPADE" report "$corpus/valid-raw" --format json --top 1 --sort count >"$scratch/top.json" ||
	fail "report --top 1 --sort count exited $?"
[ "$(jq_py "$scratch/top.json" 'len(r["sites"])')" = 1 ] || fail "--top 1 gave more than one site"
"$ESCAPADE" report "$corpus/valid-raw" >"$scratch/text" || fail "text report exited $?"
grep -q 'peak in use *2300' "$scratch/text" || fail "text report lacks the peak: $(cat "$scratch/text")"
exit 0
