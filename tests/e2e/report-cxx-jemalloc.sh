#!/bin/sh
# tests/e2e/report-cxx-jemalloc.sh — C++ new/new[] and jemalloc's own API.
#
# tests/e2e/cxx_new and tests/e2e/jemalloc_api print one line per
# allocating call: "CALL LINE SIZE".  Each call must appear in the report as
# its own site (file and line of the call, never operator new or the
# allocator), with exactly that size and one allocation, and the programs'
# frees (delete, delete[], dallocx, sdallocx) must all be seen.
. "$(dirname "$0")/lib.sh"

check_calls() { # PROG SOURCE-BASENAME FREES
	prog=$top_builddir/tests/e2e/$1
	[ -x "$prog" ] || fail "$prog is not built"
	record "$scratch/$1.trace" "$prog"
	report_json "$scratch/$1.trace" "$scratch/$1.json"
	[ -s "$scratch/$1.trace.stdout" ] || fail "$1 printed no calls"
	while read -r call line size; do
		got=$(jq_py "$scratch/$1.json" "[(s['allocations'], s['bytes']) for s in r['sites'] if s['file'].endswith('/$2') and s['line'] == $line]")
		[ "$got" = "[(1, $size)]" ] ||
			fail "$1: $call at $2:$line of $size bytes: report has $got (allocations, bytes), expected [(1, $size)]"
	done <"$scratch/$1.trace.stdout"
	frees=$(jq_py "$scratch/$1.json" "sum(s.get('frees', 0) for s in r['sites'] if s['file'].endswith('/$2'))")
	[ "$frees" = "$3" ] || fail "$1: $frees frees of its own blocks, expected $3"
}

check_calls cxx_new cxx_new.cc 3
fn=$(jq_py "$scratch/cxx_new.json" "sorted(s['function'] for s in r['sites'] if s['file'].endswith('/cxx_new.cc'))")
[ "$fn" = "['escapade_test::make_buffer(unsigned long)', 'escapade_test::make_nothrow()', 'escapade_test::make_widget()']" ] ||
	fail "cxx_new: site functions are $fn"

# mallocx x3, rallocx, xallocx.  Frees: rallocx from 100 to 200 bytes moves
# the block (another size class), xallocx stays in place (not a free), then
# dallocx x2 and sdallocx release the three blocks left.
check_calls jemalloc_api jemalloc_api.c 4
exit 0
