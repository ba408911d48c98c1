# tests/e2e/lib.sh — shared by the end-to-end scripts of `escapade report`.
#
# Sourced, not run.  Finds the escapade program of the build tree, makes a
# scratch directory that is removed on exit, and gives small helpers:
#   fail MSG        print "FAIL: MSG" and exit 1
#   skip MSG        print "SKIP: MSG" and exit 77 (a tool truly missing)
#   need TOOL       skip unless TOOL is on PATH
#   record OUT PROG ARGS...   trace PROG into OUT (fails on a bad exit)
#   report_json TRACE OUT     escapade report --format json into OUT
#   jq_py FILE EXPR           evaluate a Python expression over the JSON
#                             object `r` of FILE and print the result
#   check_down_stacks TRACE PY  the --frames programs' shape: ten nested
#                             down() paths in `folded --metric stack`, then
#                             the Python statements PY over `downs` (path ->
#                             bytes); the stack flame graph must parse
set -u

top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
ESCAPADE=${ESCAPADE:-$top_builddir/viewer/escapade}
TESTNAME=$(basename "$0" .sh)

fail() {
	echo "FAIL: $TESTNAME: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $TESTNAME: $*" >&2
	exit 77
}

need() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"
}

need python3
[ -x "$ESCAPADE" ] || fail "no escapade program at $ESCAPADE (build it first)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/escapade-$TESTNAME.XXXXXX") || fail "mktemp"
trap 'rm -rf "$scratch"' EXIT

record() {
	local out=$1
	shift
	"$ESCAPADE" record -o "$out" -- "$@" >"$out.stdout" 2>"$out.stderr" ||
		fail "escapade record -- $* exited $? ($(tail -3 "$out.stderr"))"
	[ -s "$out" ] || fail "escapade record -- $* wrote no trace at $out"
}

report_json() {
	"$ESCAPADE" report "$1" --format json >"$2" 2>"$2.stderr" ||
		fail "escapade report $1 --format json exited $? ($(tail -3 "$2.stderr"))"
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$2" ||
		fail "escapade report $1 --format json printed invalid JSON"
}

jq_py() {
	python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

check_down_stacks() {
	"$ESCAPADE" folded "$1" --metric stack >"$scratch/f.folded" || fail "folded --metric stack failed"
	python3 - "$scratch/f.folded" "$2" <<'PY' || fail "stack bytes per path are wrong: $(cat "$scratch/f.folded")"
import sys
paths = {}
for line in open(sys.argv[1]):
    stack, v = line.rsplit(" ", 1)
    paths[stack] = int(v)
downs = {s: v for s, v in paths.items() if s.endswith("down")}
assert len(downs) == 10, downs
assert max(s.count("down") for s in downs) == 10, downs
exec(sys.argv[2])
PY
	"$ESCAPADE" flame "$1" --metric stack -o "$scratch/f.svg" 2>/dev/null || fail "flame --metric stack failed"
	python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$scratch/f.svg" ||
		fail "the stack flame graph is not valid XML"
	grep -q down "$scratch/f.svg" || fail "no down() in the SVG"
}
