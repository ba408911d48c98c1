#!/bin/sh
# sched-instructions.sh — instructions per op of the scheduler's benchmarks
# (bench/bench_sched), counted by valgrind's callgrind: figures the load of a
# shared machine cannot move, beside the ns/op that make bench-sched-go
# prints.
#
# Each benchmark runs twice under callgrind, n and 2n ops (-benchtime Nx);
# the difference divided by n is the cost of one op, with the program's
# start, the harness and the calibration run cancelled out.  Prints go test
# lines with an instr/op column (Gosched also instr/switch: one op is two
# switches), then the ratios the targets of issue 3 are judged by: a call at
# a segment boundary / the same call with room, and one pool grow + release
# (Call/touch-2boundaries - Call/touch-boundary), and the floor any
# crossing pays under GCC's split-stack ABI (Call/touch-floor: the same
# call with a __morestack that only moves the stack pointer).  Parked1M is a memory
# figure and is left out.
#
# Usage: sched-instructions.sh [-n N] [-bench REGEX]
# Environment: top_builddir (set by `make bench-sched-instr`), VALGRIND.
set -eu

n=200000
filter=.
while [ $# -gt 0 ]; do
	case "$1" in
	-n | --n) n=${2:?-n needs a value}; shift 2 ;;
	-bench | --bench) filter=${2:?-bench needs a value}; shift 2 ;;
	-h | -help | --help)
		echo "usage: sched-instructions.sh [-n N] [-bench REGEX]"
		echo "  -n N          ops of the shorter run (default 200000; the other runs 2N)"
		echo "  -bench REGEX  only the benchmarks whose name matches (grep -E)"
		echo "Counts the instructions per op of bench/bench_sched's benchmarks under callgrind."
		exit 0 ;;
	*) echo "sched-instructions.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
case "$n" in '' | *[!0-9]* | 0) echo "sched-instructions.sh: -n wants a positive integer" >&2; exit 2 ;; esac

builddir=${top_builddir:?top_builddir is not set (run make bench-sched-instr)}
VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "sched-instructions.sh: valgrind not found (install valgrind, or set VALGRIND)" >&2
	exit 1
fi
out="$builddir/bench-out"
mkdir -p "$out"
prog="$builddir/bench/bench_sched"

# total NAME OPS: instructions of the whole program running OPS ops of NAME.
total() {
	cg="$out/callgrind.sched.$$"
	pat="^Benchmark${1%%/*}\$"
	case "$1" in */*) pat="$pat/^${1#*/}\$" ;; esac
	"$VALGRIND" -q --tool=callgrind --callgrind-out-file="$cg" "$prog" -bench "$pat" \
		-benchtime "${2}x" >/dev/null
	sed -n 's/^summary: //p' "$cg"
	rm -f "$cg"
}

lines="$out/sched-instructions.txt"
: >"$lines"
for name in GoCreate Gosched ChanRoundTrip Call/touch Call/touch-boundary Call/touch-2boundaries \
	Call/touch-floor Call/fill Call/fill-boundary; do
	echo "$name" | grep -Eq -- "$filter" || continue
	a=$(total "$name" "$n")
	b=$(total "$name" $((2 * n)))
	awk -v name="$name" -v n="$n" -v a="$a" -v b="$b" 'BEGIN {
		per = (b - a) / n
		printf "Benchmark%s-1\t%8d\t%10.1f instr/op", name, n, per
		if (name == "Gosched") printf "\t%10.1f instr/switch", per / 2
		printf "\n" }' | tee -a "$lines"
done

echo
echo "# instruction ratios"
awk '{ v[$1] = $3 }
function get(k) { return v["Benchmark" k "-1"] }
END {
	for (i = 1; i <= 2; i++) {
		c = i == 1 ? "touch" : "fill"
		w = get("Call/" c "-boundary"); p = get("Call/" c)
		if (w != "" && p != "")
			printf "Call/%-5s at a boundary %7.1f / with room %7.1f = %.2fx (%.1f extra per crossing)\n",
				c, w, p, w / p, w - p
	}
	t = get("Call/touch-2boundaries"); o = get("Call/touch-boundary")
	if (t != "" && o != "")
		printf "pool grow + release: %.1f instructions (%.1f per event)\n", t - o, (t - o) / 2
	f = get("Call/touch-floor"); p = get("Call/touch")
	if (f != "" && p != "")
		printf "the floor (a null __morestack) %7.1f / with room %7.1f = %.2fx\n", f, p, f / p
}' "$lines"
