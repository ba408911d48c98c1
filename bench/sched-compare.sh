#!/bin/sh
# sched-compare.sh — gort's scheduler benchmarks beside Go's, in one run.
#
# Runs bench/bench_sched, then the Go counterparts (bench/go-sched, built
# with `go test -c`, offline), both with GOMAXPROCS=1, back to back (the
# machines are shared: only ratios from the same run mean anything), prints
# every line and then the ratios the scheduler's targets are judged by:
#   GoCreate, Gosched (ns/switch), ChanRoundTrip, Parked1M (RSS-B/goroutine)
#       gort / Go
#   Call/*-boundary        a 1 KB call at a segment boundary / the same call
#                          with room (the spare segment is reused)
#   pool grow + release    Call/touch-2boundaries - Call/touch-boundary: one
#                          segment from the thread's pool and back
#   the floor              Call/touch-floor / Call/touch: the same call at
#                          a boundary with a __morestack that only moves
#                          the stack pointer (bench/call_floor_amd64.S): the
#                          two call levels GCC's split-stack ABI makes every
#                          crossing pay; no real __morestack can be cheaper
# Raw lines go to bench-out/sched-gort.txt and bench-out/sched-go.txt.
#
# Usage: sched-compare.sh [-benchtime T]
# Environment: top_srcdir, top_builddir (set by `make bench-sched-go`), GO.
set -eu

usage() {
	cat <<USAGE
usage: sched-compare.sh [-benchtime T]
  -benchtime T  per-benchmark time (default 1s; Parked1M always runs once)
Runs gort's scheduler benchmarks and Go's counterparts back to back and
prints the ratios.  Needs top_srcdir and top_builddir (make bench-sched-go
sets them) and Go.
USAGE
}

benchtime=1s
while [ $# -gt 0 ]; do
	case "$1" in
	-benchtime | --benchtime) benchtime=${2:?-benchtime needs a value}; shift 2 ;;
	-h | -help | --help) usage; exit 0 ;;
	*) echo "sched-compare.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done

# shellcheck source=bench/go-common.sh
. "${top_srcdir:?top_srcdir is not set (run make bench-sched-go)}/bench/go-common.sh"
go_setup sched-compare.sh bench-sched-go bench/go-sched sched.test
{
	"$builddir/bench/bench_sched" -bench 'GoCreate|Gosched|ChanRoundTrip|Call' -benchtime "$benchtime"
	"$builddir/bench/bench_sched" -bench 'Parked1M' -benchtime 1x
} | tee "$out/sched-gort.txt"
{
	"$gotest" -test.bench 'GoCreate|Gosched|ChanRoundTrip' -test.benchtime "$benchtime"
	"$gotest" -test.bench 'Parked1M' -test.benchtime 1x
} | tee "$out/sched-go.txt"

# value FILE NAME UNIT: the number before UNIT on the line of benchmark NAME.
value() {
	awk -v name="Benchmark$2" -v unit="$3" '
		{ n = $1; sub(/-[0-9]+$/, "", n) }
		n == name { for (i = 2; i <= NF; i++) if ($i == unit) v = $(i - 1) }
		END { print v }' "$1"
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

g="$out/sched-gort.txt"
o="$out/sched-go.txt"
echo
echo "ratios (gort / Go, GOMAXPROCS=1):"
for pair in "GoCreate ns/op" "Gosched ns/switch" "ChanRoundTrip ns/op" "Parked1M RSS-B/goroutine"; do
	# shellcheck disable=SC2086 # split the pair into name and unit
	set -- $pair
	printf '  %-14s %-16s gort %-10s go %-10s ratio %s\n' "$1" "$2" "$(value "$g" "$1" "$2")" \
		"$(value "$o" "$1" "$2")" "$(ratio "$(value "$g" "$1" "$2")" "$(value "$o" "$1" "$2")")"
done
echo "segment boundaries (gort):"
for c in touch fill; do
	with=$(value "$g" "Call/$c-boundary" ns/op)
	without=$(value "$g" "Call/$c" ns/op)
	printf '  Call/%-5s boundary %s ns/op, no boundary %s ns/op: ratio %s\n' "$c" "$with" "$without" \
		"$(ratio "$with" "$without")"
done
two=$(value "$g" "Call/touch-2boundaries" ns/op)
one=$(value "$g" "Call/touch-boundary" ns/op)
awk -v a="$two" -v b="$one" 'BEGIN { if (a != "" && b != "")
	printf "  pool grow + release: %.1f ns (%.1f ns per event)\n", a - b, (a - b) / 2 }'
floor=$(value "$g" "Call/touch-floor" ns/op)
without=$(value "$g" "Call/touch" ns/op)
printf '  the floor: Call/touch with a null __morestack %s ns/op: ratio %s\n' "$floor" \
	"$(ratio "$floor" "$without")"
