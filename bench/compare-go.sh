#!/bin/sh
# compare-go.sh — gort's heap benchmarks and their Go counterparts, in one run.
#
# Runs, one after the other and each pair back to back (the machines are
# shared: only ratios measured in the same run mean anything):
#   Newobject/SIZE and AllIn/SIZE  bench/bench_newobject   vs go (bench/go)
#   Mallocx/SIZE, Malloc/SIZE      bench/bench_mallocx, bench/bench_malloc
#   BinaryTrees/depth=D            bench/bench_binarytrees vs go, alone in
#                                  their processes (their peak RSS is theirs)
#   GC/live=MMB                    bench/bench_gc          vs go
#   A_ReturnPointer/... O_Large/...  bench/bench_escape (the escape cases a..o,
#                                  heap and stack forms)   vs go, then the C
#                                  allocators' forms (bench_escape_malloc[x])
# prints every line, then the ratios gort/Go of ns/op and peak-RSS-KB and of
# gort's Newobject to jemalloc's Mallocx.  The raw lines are kept in
# bench-out/gort.txt and bench-out/go.txt for benchstat.  GOMAXPROCS is 1 for
# both sides (gort runs one P).
#
# Usage: compare-go.sh [-depth N] [-benchtime T] [-live-mb N] [-rounds N]
# Environment: top_srcdir, top_builddir (set by `make bench-go`), GO.
set -eu

usage() {
	cat <<USAGE
usage: compare-go.sh [-depth N] [-benchtime T] [-live-mb N] [-rounds N]
  -depth N      binary-trees depth (default 21)
  -benchtime T  per-benchmark time for the allocation benchmarks (default 1s)
  -live-mb N    live heap of the collection benchmark, in MB (default 100)
  -rounds N     rounds of the allocation and collection benchmarks, gort and
                Go alternating; the ratios use medians (default 1)
Runs gort's heap benchmarks and Go's counterparts back to back and prints the
ratios.  Needs top_srcdir and top_builddir (make bench-go sets them) and Go.
USAGE
}

depth=21
benchtime=1s
live_mb=100
rounds=1
while [ $# -gt 0 ]; do
	case "$1" in
	-depth | --depth) depth=${2:?-depth needs a value}; shift 2 ;;
	-benchtime | --benchtime) benchtime=${2:?-benchtime needs a value}; shift 2 ;;
	-live-mb | --live-mb) live_mb=${2:?-live-mb needs a value}; shift 2 ;;
	-rounds | --rounds) rounds=${2:?-rounds needs a value}; shift 2 ;;
	-h | -help | --help) usage; exit 0 ;;
	*) echo "compare-go.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
for n in "$depth" "$live_mb" "$rounds"; do
	case "$n" in
	'' | *[!0-9]*) echo "compare-go.sh: not a number: $n" >&2; exit 2 ;;
	esac
done

# shellcheck source=bench/go-common.sh
. "${top_srcdir:?top_srcdir is not set (run make bench-go)}/bench/go-common.sh"
go_setup compare-go.sh bench-go bench/go bench.test
b="$builddir/bench"
: >"$out/gort.txt"
: >"$out/go.txt"

# gort LABEL PROGRAM ARGS... / gorun ARGS...: run one side, keep its lines.
gort() {
	"$@" | tee -a "$out/gort.txt"
}
gorun() {
	"$gotest" -test.benchmem "$@" | tee -a "$out/go.txt"
}

# The allocation and collection benchmarks run in -rounds rounds, gort and Go
# alternating, so that a burst of load elsewhere hits both; the ratios use
# the medians.  Binary-trees runs once (a whole run is the op).
r=0
while [ "$r" -lt "$rounds" ]; do
	r=$((r + 1))
	gort "$b/bench_newobject" -benchtime "$benchtime"
	gorun -test.bench 'Newobject|AllIn' -test.benchtime "$benchtime"
	gort "$b/bench_mallocx" -benchtime "$benchtime"
	gort "$b/bench_malloc" -benchtime "$benchtime"
done
gort "$b/bench_binarytrees" -depth "$depth" -benchtime 1x
gorun -test.bench BinaryTrees -test.benchtime 1x -depth "$depth"
r=0
while [ "$r" -lt "$rounds" ]; do
	r=$((r + 1))
	gort "$b/bench_gc" -live-mb "$live_mb"
	gorun -test.bench '^BenchmarkGC$' -live-mb "$live_mb"
done
gort "$b/bench_escape" -benchtime "$benchtime"
gorun -test.bench '^Benchmark[A-O]_' -test.benchtime "$benchtime"
gort "$b/bench_escape_mallocx" -benchtime "$benchtime"
gort "$b/bench_escape_malloc" -benchtime "$benchtime"

# The ratios.  Names are compared without the -P suffix (go test omits it
# when GOMAXPROCS is 1; the C harness always prints it).
echo
echo "# ratios in this run, medians of $rounds round(s) (gort / Go; gort Newobject / jemalloc Mallocx)"
awk '
function key(name) { sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name); return name }
function t(ns) {
	if (ns >= 1e6) return sprintf("%11.1f ms", ns / 1e6)
	if (ns >= 1e4) return sprintf("%11.1f us", ns / 1e3)
	return sprintf("%11.2f ns", ns)
}
function val(unit,   i) { for (i = 3; i < NF; i += 2) if ($(i + 1) == unit) return $i; return "" }
function add(v, k, x) { if (x != "") { n = ++count[v, k]; vals[v, k, n] = x } }
# The median of the values of metric v (e.g. "gort ns/op") for benchmark k.
function median(v, k,   n, i, j, a, tmp) {
	n = count[v, k]
	if (n == 0) return ""
	for (i = 1; i <= n; i++) a[i] = vals[v, k, i] + 0
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { tmp = a[j]; a[j] = a[j - 1]; a[j - 1] = tmp }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function row(label, x, y, fmt) {
	if (x == "" || y == "" || y <= 0) return
	if (fmt == "KB") printf "%-28s %11d KB %11d KB %8.2fx\n", label, x, y, x / y
	else printf "%-28s %s %s %8.2fx\n", label, t(x), t(y), x / y
}
FNR == 1 { side = (side == "" ? "gort" : "go") }
/^Benchmark/ {
	k = key($1)
	if (side == "gort" && !(k in seen)) { seen[k] = 1; order[++nk] = k }
	add(side " ns", k, val("ns/op"))
	add(side " rss", k, val("peak-RSS-KB"))
}
END {
	printf "%-28s %14s %14s %9s\n", "benchmark", "gort", "Go", "ratio"
	for (i = 1; i <= nk; i++) {
		k = order[i]
		row(k, median("gort ns", k), median("go ns", k), "ns")
		row(k " RSS", median("gort rss", k), median("go rss", k), "KB")
	}
	printf "\n%-28s %14s %14s %9s\n", "benchmark", "Newobject", "Mallocx", "ratio"
	for (i = 1; i <= nk; i++) {
		k = order[i]
		if (k !~ /^Newobject\//) continue
		m = k; sub(/^Newobject/, "Mallocx", m)
		row(k, median("gort ns", k), median("gort ns", m), "ns")
	}
}' "$out/gort.txt" "$out/go.txt"
