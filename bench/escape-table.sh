#!/bin/sh
# escape-table.sh — the escape bench's results as a table: gort's heap and
# stack forms of every case, their cost ratio, and Go's figures for the same
# benchmarks, medians over -count runs, all measured in one session.
#
# Runs bench_escape (gort), bench_escape_mallocx and bench_escape_malloc (the
# C allocators) and Go's bench/go escape benchmarks (GOMAXPROCS=1, as gort
# runs one P) case after case, keeps the raw lines in bench-out/escape-*.txt (benchstat reads
# them), then prints a Markdown table: for every form of a case, its median
# ns/op, B/op, allocs/op, and its ns/op over the case's stack form (/stack, or
# /value for n) in the same run; Go's columns likewise.
#
# Usage: escape-table.sh [-count N] [-benchtime T] [-bench REGEX] [-no-go]
# Environment: top_srcdir, top_builddir (set by `make bench-escape-table`), GO.
set -eu

usage() {
	cat <<USAGE
usage: escape-table.sh [-count N] [-benchtime T] [-bench REGEX] [-no-go]
  -count N      runs of every benchmark; the table shows medians (default 3)
  -benchtime T  per-run time (default 1s)
  -bench REGEX  only the benchmarks whose names match (default: all)
  -no-go        leave Go's columns empty (no Go toolchain)
Needs top_srcdir and top_builddir (make bench-escape-table sets them).
USAGE
}

count=3
benchtime=1s
regex=.
use_go=1
while [ $# -gt 0 ]; do
	case "$1" in
	-count | --count) count=${2:?-count needs a value}; shift 2 ;;
	-benchtime | --benchtime) benchtime=${2:?-benchtime needs a value}; shift 2 ;;
	-bench | --bench) regex=${2:?-bench needs a value}; shift 2 ;;
	-no-go | --no-go) use_go=0; shift ;;
	-h | -help | --help) usage; exit 0 ;;
	*) echo "escape-table.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
	esac
done
case "$count" in
'' | *[!0-9]*) echo "escape-table.sh: not a number: $count" >&2; exit 2 ;;
esac

srcdir=${top_srcdir:?top_srcdir is not set (run make bench-escape-table)}
builddir=${top_builddir:?top_builddir is not set (run make bench-escape-table)}
out="$builddir/bench-out"
b="$builddir/bench"
mkdir -p "$out"

GOMAXPROCS=1
export GOMAXPROCS
if [ "$use_go" = 1 ]; then
	GO=${GO:-go}
	gotest="$builddir/bench/go/bench.test"
	mkdir -p "$builddir/bench/go"
	(cd "$srcdir/bench/go" && "$GO" test -c -o "$gotest" .)
fi
: >"$out/escape-gort.txt"
: >"$out/escape-go.txt"
# Case by case, gort then the C allocators then Go, so that both sides of a
# row are measured minutes apart at most, under the same load.
# A -bench REGEX is go test's (one pattern per /-separated level) and
# replaces the case loop.
cases="A B C D E F G H I J K L M N O"
[ "$regex" = . ] || cases=-
for c in $cases; do
	sel="^Benchmark${c}_"
	[ "$c" != - ] || sel=$regex
	for p in bench_escape bench_escape_mallocx bench_escape_malloc; do
		"$b/$p" -count "$count" -benchtime "$benchtime" -bench "$sel" |
			grep '^Benchmark' >>"$out/escape-gort.txt" || true
	done
	if [ "$use_go" = 1 ]; then
		"$gotest" -test.run '^$' -test.benchmem -test.count "$count" \
			-test.benchtime "$benchtime" -test.bench "$sel" |
			grep '^Benchmark' >>"$out/escape-go.txt" || true
	fi
done

awk '
function key(name) { sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name); return name }
function val(unit,   i) { for (i = 3; i < NF; i += 2) if ($(i + 1) == unit) return $i; return "" }
# median of the values list "a b c"
function median(list,   n, v, i, j, t) {
	n = split(list, v, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function fmt_ns(x) { return x == "" ? "" : (x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x)) }
function ratio(a, s) { return (a == "" || s == "" || s + 0 == 0) ? "" : sprintf("%.1fx", a / s) }
function group(k) { sub(/\/[^\/]*$/, "", k); sub(/\/var$/, "", k); return k }
function stackof(k,   g) { g = group(k); return ((1, g "/stack") in ns) ? g "/stack" : g "/value" }
FNR == 1 { side++ }
/^Benchmark/ {
	k = key($1); s = side == 1 ? 1 : 2
	ns[s, k] = ns[s, k] " " val("ns/op"); bop[s, k] = val("B/op"); aop[s, k] = val("allocs/op")
	if (s == 1 && !(k in seen)) { seen[k] = 1; order[++n] = k }
}
END {
	print "| benchmark | gort ns/op | B/op | allocs/op | vs stack | Go ns/op | B/op | allocs/op | vs stack |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		k = order[i]; st = stackof(k)
		g = median(ns[1, k]); gs = median(ns[1, st]); go = ((2, k) in ns)
		o = go ? median(ns[2, k]) : ""; os = ((2, st) in ns) ? median(ns[2, st]) : ""
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k, fmt_ns(g), bop[1, k], aop[1, k],
			k == st ? "1" : ratio(g, gs), fmt_ns(o), go ? bop[2, k] : "", go ? aop[2, k] : "",
			!go ? "" : (k == st ? "1" : ratio(o, os))
	}
}' "$out/escape-gort.txt" "$out/escape-go.txt"
