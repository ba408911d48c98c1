#!/bin/sh
# escape-callgrind.sh — instructions per op of every escape benchmark on
# gort, counted by valgrind's callgrind: a figure the machine's load does not
# move (DESIGN.md, "Benchmarks").
#
# Each benchmark runs twice under callgrind, with -benchtime N1x and N2x; the
# difference of the two instruction totals over N2 - N1 is the cost of one op
# (start-up, calibration and printing cancel out; the collections the pacer
# starts are amortized in, as in the timed runs).  Prints one Markdown row per
# benchmark: instructions/op and the ratio to the case's stack form.
#
# Usage: escape-callgrind.sh [-bench REGEX] [-n N1]   (N2 = 2 * N1; N1 is large
# enough, 1000000 by default, for both runs to contain several collections)
# Environment: top_builddir (set by `make bench-escape-callgrind`).
set -eu

regex=.
n1=1000000
while [ $# -gt 0 ]; do
	case "$1" in
	-bench | --bench) regex=${2:?-bench needs a value}; shift 2 ;;
	-n) n1=${2:?-n needs a value}; shift 2 ;;
	-h | -help | --help)
		echo "usage: escape-callgrind.sh [-bench REGEX] [-n N1]"
		exit 0 ;;
	*) echo "escape-callgrind.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
case "$n1" in
'' | *[!0-9]*) echo "escape-callgrind.sh: not a number: $n1" >&2; exit 2 ;;
esac
command -v valgrind >/dev/null 2>&1 || { echo "escape-callgrind.sh: valgrind not found" >&2; exit 1; }
prog="${top_builddir:?top_builddir is not set}/bench/bench_escape"
tmp=${TMPDIR:-/tmp}/escape-callgrind.$$
trap 'rm -f "$tmp".*' EXIT

# instructions NAME N: total Ir of one run of benchmark NAME with n = N.
instructions() {
	# Anchor every level of the name (go test's -bench matches per level).
	pattern=$(echo "Benchmark$1" | sed 's,[^/]*,^&$,g')
	valgrind --tool=callgrind --callgrind-out-file="$tmp.out" "$prog" -bench "$pattern" \
		-benchtime "${2}x" >/dev/null 2>"$tmp.err"
	sed -n 's/^==[0-9]*== Collected : //p' "$tmp.err"
}

echo "| benchmark | instructions/op | vs stack |"
echo "|---|---:|---:|"
"$prog" -list -bench "$regex" | sed -n 's/^Benchmark//p' >"$tmp.names"
while read -r name; do
	# The large-object cases (64 KiB to 1 MB an op) run 5000 times fewer ops.
	case "$name" in
	E_* | O_*) m1=$((n1 / 5000)) ;;
	*) m1=$n1 ;;
	esac
	[ "$m1" -gt 0 ] || m1=1
	a=$(instructions "$name" "$m1")
	b=$(instructions "$name" "$((2 * m1))")
	echo "$name $(((b - a) / m1))"
done <"$tmp.names" | awk '
function group(k) { sub(/\/[^\/]*$/, "", k); sub(/\/var$/, "", k); return k }
{ ir[$1] = $2; order[++n] = $1 }
END {
	for (i = 1; i <= n; i++) {
		k = order[i]; g = group(k); st = (g "/stack") in ir ? g "/stack" : g "/value"
		r = (st in ir && ir[st] > 0) ? sprintf("%.1fx", ir[k] / ir[st]) : ""
		printf "| %s | %d | %s |\n", k, ir[k], k == st ? "1" : r
	}
}'
