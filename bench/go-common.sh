# shellcheck shell=sh
# go-common.sh — what the scripts that run gort's benchmarks beside Go's
# (bench/compare-go.sh for the heap, bench/sched-compare.sh for the
# scheduler) share.  Sourced, not run:
#
#     : "${top_srcdir:?top_srcdir is not set (run make bench-go)}"
#     . "$top_srcdir/bench/go-common.sh"
#     go_setup compare-go.sh bench-go bench/go bench.test
#
# go_setup SCRIPT TARGET GODIR TESTBIN checks the environment `make TARGET`
# sets (top_srcdir, top_builddir, GO), finds Go, builds the Go benchmarks of
# $top_srcdir/GODIR offline into $top_builddir/GODIR/TESTBIN, and sets
# srcdir, builddir, out (bench-out, where the raw lines go) and gotest.
# GOMAXPROCS is 1 for both sides from then on (gort runs one P).

go_setup() {
	srcdir=${top_srcdir:?top_srcdir is not set (run make $2)}
	builddir=${top_builddir:?top_builddir is not set (run make $2)}
	GO=${GO:-go}
	if ! command -v "$GO" >/dev/null 2>&1; then
		echo "$1: Go not found (install golang-go, or set GO)" >&2
		exit 1
	fi
	out="$builddir/bench-out"
	mkdir -p "$out" "$builddir/$3"
	gotest="$builddir/$3/$4"
	(cd "$srcdir/$3" && GOFLAGS=-mod=mod GOPROXY=off "$GO" test -c -o "$gotest" .)
	GOMAXPROCS=1
	export GOMAXPROCS
}
