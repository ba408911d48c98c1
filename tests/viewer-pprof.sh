#!/bin/sh
# viewer-pprof.sh — the pprof output read by the real `go tool pprof`:
# every sample type's total must equal the call tree's, and names with
# XML/shell/folded metacharacters must come through whole.
# Skips (77) when go is not installed.
set -eu

command -v go >/dev/null 2>&1 || { echo "go not installed: skipping"; exit 77; }
go tool pprof -h >/dev/null 2>&1 || { echo "go tool pprof unavailable: skipping"; exit 77; }

bin="${top_builddir:-.}/viewer/folded2out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="${HOME:-$tmp}"

# 2000 stacks over a few hundred functions, values chosen so that sums are
# not round; a few nasty names.
awk 'BEGIN {
	for (i = 0; i < 2000; i++) {
		printf "main;worker_%d;step_%d;leaf_%d %d\n", i % 7, i % 41, i % 300, (i * 7919) % 10007 + 1
	}
	print "main;<templ<int>>::op&\"q\x27;malloc 12345"
	print "main;semi colon;new 1"
}' > "$tmp/in.folded"
want=$(awk '{ s += $NF } END { print s }' "$tmp/in.folded")

# The sum of a -raw sample column (1-based) of a profile.
column_sum() {
	go tool pprof -raw "$1" 2>/dev/null | awk -v c="$2" '
		/^Samples:/ { on = 1; next }
		/^Locations/ { on = 0 }
		on && /:/ && $1 ~ /^[0-9]+$/ { s += $c }
		END { print s + 0 }'
}

"$bin" -f pprof -m bytes -o "$tmp/bytes.pb.gz" "$tmp/in.folded"
"$bin" -f pprof -m count -o "$tmp/count.pb.gz" "$tmp/in.folded"
"$bin" -f pprof -m leaked -o "$tmp/leaked.pb.gz" "$tmp/in.folded"

fail=0
check() { # name got want
	if [ "$2" = "$3" ]; then echo "ok: $1 = $2"; else echo "FAIL: $1 = $2, want $3"; fail=1; fi
}
# columns: alloc_objects alloc_space inuse_objects inuse_space cost peak stack
check alloc_space "$(column_sum "$tmp/bytes.pb.gz" 2)" "$want"
check alloc_objects "$(column_sum "$tmp/bytes.pb.gz" 1)" 0
check alloc_objects "$(column_sum "$tmp/count.pb.gz" 1)" "$want"
check inuse_space "$(column_sum "$tmp/leaked.pb.gz" 4)" "$want"

# -top agrees on the total (pprof prints it with units: compare in bytes)
top=$(go tool pprof -top -unit=B -sample_index=alloc_space "$tmp/bytes.pb.gz" 2>/dev/null)
echo "$top" | head -3
echo "$top" | grep -q "of ${want}B total" || { echo "FAIL: -top total is not ${want}B"; fail=1; }
# the tree's fan-out: 7 workers under main, each with its own cum
n=$(echo "$top" | grep -c ' worker_[0-9]$' || true)
check workers "$n" 7

# names survive whole (pprof shows the full name in the symbol column)
raw=$(go tool pprof -raw "$tmp/bytes.pb.gz" 2>/dev/null)
echo "$raw" | grep -qF "<templ<int>>::op&\"q'" || { echo "FAIL: nasty name lost"; fail=1; }
echo "$raw" | grep -qF "semi colon" || { echo "FAIL: name with a blank lost"; fail=1; }
exit $fail
