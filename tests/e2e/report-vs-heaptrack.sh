#!/bin/sh
# tests/e2e/report-vs-heaptrack.sh — real programs, counted by two tools.
#
# python3, gzip and sort from the machine are traced to completion (same
# exit status and output as without the tracer), and the report's count of
# allocating calls must equal heaptrack's for the same run.
#
# One known difference is measured, not assumed: heaptrack's preloaded
# library links libstdc++, whose start-up allocates its exception emergency
# pool (72704 B) through malloc, and heaptrack counts that call as the
# program's.  Escapade's tracer links no C++ runtime, so for programs that
# do not load libstdc++ themselves heaptrack counts exactly that many more
# calls.  The script measures the offset on tests/e2e/known_peak (whose
# allocations are known: 14) and applies it to each program; an offset
# other than 0 or 1 is a failure.
#
# The programs run in an empty directory that nothing writes to.  Python
# puts its working directory on sys.path and its import system re-reads a
# directory whose mtime is too recent to trust: run from the build tree
# while parallel tests write their logs there (or from the directory the
# traces go to), python3 made 10 to 30 more calls in one run than another,
# under heaptrack as under escapade.
. "$(dirname "$0")/lib.sh"
need heaptrack
need heaptrack_print

heaptrack_calls() { # NAME PROG ARGS... -> calls to allocation functions
	name=$1
	shift
	heaptrack -o "$scratch/ht-$name" "$@" >"$scratch/ht-$name.out" 2>&1 ||
		fail "heaptrack $* exited $?: $(tail -3 "$scratch/ht-$name.out")"
	file=$(ls "$scratch/ht-$name".* | grep -v '\.out$' | head -1)
	heaptrack_print "$file" 2>/dev/null | sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p'
}

escapade_calls() { # NAME PROG ARGS... -> totals.allocations
	name=$1
	shift
	record "$scratch/$name.trace" "$@"
	report_json "$scratch/$name.trace" "$scratch/$name.json"
	[ "$(jq_py "$scratch/$name.json" 'r["totals"]["truncated"]')" = False ] ||
		fail "$name: trace truncated"
	jq_py "$scratch/$name.json" 'r["totals"]["allocations"]'
}

known=$top_builddir/tests/e2e/known_peak
[ -x "$known" ] || fail "$known is not built"
offset=$(($(heaptrack_calls known "$known") - 14))
[ "$offset" = 0 ] || [ "$offset" = 1 ] ||
	fail "heaptrack counts $offset more calls than known_peak makes (expected 0 or 1)"
[ "$(escapade_calls known "$known")" = 14 ] || fail "escapade does not count known_peak's 14 calls"

# The machine's python, not a wrapper script (pyenv shims are bash), with a
# fixed hash seed so that both runs build the same dicts.
export PYTHONHASHSEED=0
py=/usr/bin/python3
[ -x "$py" ] || py=$(python3 -c 'import sys; print(sys.executable)')
seq 1 20000 | awk '{ print ($1 * 7919) % 20011 }' >"$scratch/input"

mkdir "$scratch/quiet" || fail "mkdir"
cd "$scratch/quiet" || fail "cd"

compare() { # NAME PROG ARGS...
	name=$1
	shift
	"$@" >"$scratch/$name.plain" 2>/dev/null || fail "$name: $* fails without any tracer"
	h=$(heaptrack_calls "$name" "$@")
	[ -n "$h" ] || fail "$name: no count from heaptrack_print"
	e=$(escapade_calls "$name" "$@")
	cmp -s "$scratch/$name.plain" "$scratch/$name.trace.stdout" ||
		fail "$name: output differs when traced"
	[ "$e" = $((h - offset)) ] ||
		fail "$name: escapade counts $e allocating calls, heaptrack $h (minus its own $offset)"
	echo "$name: $e allocating calls (heaptrack: $h - $offset)"
}

compare python "$py" -c 'import json; print(len(json.dumps({str(i): [i] * 3 for i in range(2000)})))'
compare gzip gzip -c -9 "$scratch/input"
compare sort sort -n "$scratch/input"
exit 0
