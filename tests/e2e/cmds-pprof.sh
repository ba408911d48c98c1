#!/bin/sh
# tests/e2e/cmds-pprof.sh — `escapade pprof` on a recorded trace, read by
# the real `go tool pprof`: its totals agree with `escapade report`, and
# the program's functions (hostile names included) are in it.
. "$(dirname "$0")/lib.sh"
command -v go >/dev/null 2>&1 || skip "go is not installed"
prog=$top_builddir/tests/e2e/cmds_sizes
[ -x "$prog" ] || fail "$prog is not built"
t=$scratch/s.trace
record "$t" "$prog" 30
report_json "$t" "$scratch/r.json"
"$ESCAPADE" pprof "$t" 2>"$scratch/err" || fail "pprof exited $? ($(cat "$scratch/err"))"
[ -s "$t.pb.gz" ] || fail "pprof did not write $t.pb.gz"
gzip -t "$t.pb.gz" || fail "$t.pb.gz is not gzip"

# go tool pprof -top prints "... of N total"; -unit=B keeps bytes exact.
total() {
	GOFLAGS= go tool pprof -top "$@" "$t.pb.gz" 2>"$scratch/gerr" |
		sed -n 's/.* of \([0-9][0-9]*\)B* total.*/\1/p' | head -1
}
for pair in alloc_space:bytes_allocated inuse_space:leaked_bytes; do
	idx=${pair%%:*} key=${pair#*:}
	got=$(total -unit=B -sample_index="$idx")
	want=$(jq_py "$scratch/r.json" "r['totals']['$key']")
	[ "$got" = "$want" ] ||
		fail "go tool pprof -top $idx total is '$got', report's $key is $want ($(cat "$scratch/gerr"))"
done
got=$(total -sample_index=alloc_objects)
want=$(jq_py "$scratch/r.json" "r['totals']['allocations']")
[ "$got" = "$want" ] || fail "alloc_objects total is '$got', report's allocations $want"

raw=$(go tool pprof -raw "$t.pb.gz" 2>/dev/null)
for n in 'grow_me<Box<int>' "odd<&>'quote;fn" main; do
	printf '%s' "$raw" | grep -qF "$n" || fail "pprof profile lacks $n"
done
printf '%s' "$raw" | grep -q 'cmds_sizes.cc:[0-9]' || fail "pprof profile has no file:line"
exit 0
