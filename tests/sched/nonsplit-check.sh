#!/bin/sh
# nonsplit-check.sh — the runtime's hot paths are split-to-split.
#
# gold rewrites a split-stack function that calls non-split code (libc) so
# that it goes through __morestack_non_split, on every call for small
# frames.  The functions goroutines call all the time must not be among
# them: their libc calls live in separate cold functions or run on the
# system stack.  This reads the linked test program's code with objdump.
# Skipped (77) without objdump.
set -eu
command -v objdump >/dev/null 2>&1 || { echo "objdump not installed"; exit 77; }
prog=${top_builddir:-.}/tests/sched/test_chan
hot="gort_newobject gort_chansend gort_chanrecv gort_selectgo gort_closechan gort_gosched
gort_go gort_sleep gort_nanotime gort_wg_add gort_wg_wait gort_mutex_lock gort_mutex_unlock
gopark goready schedule findrunnable goexit1 chan_trysend chan_tryrecv mallocgc"
bad=$(objdump -d --no-show-raw-insn "$prog" | awk '
	/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
	/call.*<__morestack_non_split>/ { print fn }' | sort -u)
status=0
checked=0
for f in $hot; do
	if objdump -d "$prog" | grep -q "^[0-9a-f]* <$f>:"; then
		checked=$((checked + 1))
		if printf '%s\n' "$bad" | grep -qx "$f"; then
			echo "FAIL: $f goes through __morestack_non_split"
			status=1
		fi
	fi
done
[ "$checked" -ge 15 ] || { echo "FAIL: only $checked hot functions found in $prog"; exit 1; }
echo "$checked hot functions checked: none goes through __morestack_non_split"
exit $status
