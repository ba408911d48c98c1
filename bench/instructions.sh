#!/bin/sh
# instructions.sh — instructions per op of the allocation fast paths, a figure
# that the load of a shared machine cannot move.
#
# Runs each benchmark under valgrind's callgrind with collection switched on
# only inside the allocator's entry points (--toggle-collect: gort_newobject;
# mallocx and dallocx; malloc and free), so the count is the allocator's own
# work, everything it calls included (mcache refills, sweeping, and for AllIn
# the collections the pacer starts), and none of the loop's or the harness's.
# Prints go-test-style lines with an instr/op column (benchstat reads them)
# and the ratios gort / jemalloc and gort / glibc.
#
# Usage: instructions.sh [-n N] [-size 16B,64B]
# Environment: top_builddir (set by `make bench-instr`), VALGRIND.
set -eu

n=1000000
sizes=16B,64B
while [ $# -gt 0 ]; do
	case "$1" in
	-n | --n) n=${2:?-n needs a value}; shift 2 ;;
	-size | --size) sizes=${2:?-size needs a value}; shift 2 ;;
	-h | -help | --help)
		echo "usage: instructions.sh [-n N] [-size 16B,64B]"
		echo "  -n N          ops per benchmark (default 1000000)"
		echo "  -size LIST    comma-separated sizes of bench/heap_sizes.h (default 16B,64B)"
		echo "Counts the instructions per op of gort_newobject (Newobject, AllIn),"
		echo "jemalloc mallocx+dallocx and glibc malloc+free under callgrind."
		exit 0 ;;
	*) echo "instructions.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
case "$n" in '' | *[!0-9]* | 0) echo "instructions.sh: -n wants a positive integer" >&2; exit 2 ;; esac

builddir=${top_builddir:?top_builddir is not set (run make bench-instr)}
VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "instructions.sh: valgrind not found (install valgrind, or set VALGRIND)" >&2
	exit 1
fi
out="$builddir/bench-out"
mkdir -p "$out"
b="$builddir/bench"

# count NAME PROGRAM FUNCTION...: instructions per op of benchmark NAME.
count() {
	name=$1 prog=$2
	shift 2
	toggles=""
	for f in "$@"; do toggles="$toggles --toggle-collect=$f"; done
	cg="$out/callgrind.$(echo "$name" | tr '/' '_')"
	# The harness runs n=1 before n=N: N+1 ops in all.
	# shellcheck disable=SC2086
	"$VALGRIND" -q --tool=callgrind --callgrind-out-file="$cg" $toggles \
		"$b/$prog" -bench "^Benchmark${name%%/*}\$/^${name#*/}\$" -benchtime "${n}x" >/dev/null
	total=$(sed -n 's/^summary: //p' "$cg")
	awk -v name="$name" -v n="$n" -v total="$total" 'BEGIN {
		printf "Benchmark%s-1\t%8d\t%10.1f instr/op\n", name, n, total / (n + 1) }'
}

lines="$out/instructions.txt"
: >"$lines"
for size in $(echo "$sizes" | tr ',' ' '); do
	count "Newobject/$size" bench_newobject gort_newobject | tee -a "$lines"
	count "AllIn/$size" bench_newobject gort_newobject | tee -a "$lines"
	count "Mallocx/$size" bench_mallocx mallocx dallocx | tee -a "$lines"
	count "Malloc/$size" bench_malloc malloc free | tee -a "$lines"
done

echo
echo "# instruction ratios (gort Newobject / jemalloc Mallocx, / glibc Malloc)"
awk '{ split($1, p, "/"); sub(/^Benchmark/, "", p[1]); sub(/-1$/, "", p[2]); v[p[1], p[2]] = $3; if (!(p[2] in seen)) { seen[p[2]] = 1; order[++n] = p[2] } }
END {
	for (i = 1; i <= n; i++) {
		s = order[i]
		printf "Newobject/%-6s %8.1f / Mallocx %8.1f = %5.2fx   / Malloc %8.1f = %5.2fx\n", s,
			v["Newobject", s], v["Mallocx", s], v["Newobject", s] / v["Mallocx", s],
			v["Malloc", s], v["Newobject", s] / v["Malloc", s]
	}
}' "$lines"
