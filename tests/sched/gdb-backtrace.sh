#!/bin/sh
# gdb-backtrace.sh — gdb's backtrace from deep inside a goroutine crosses
# every stack segment (through __morestack's CFI) back to the goroutine's
# entry function.  Skipped (77) when gdb is not installed.
set -eu
command -v gdb >/dev/null 2>&1 || { echo "gdb not installed"; exit 77; }
prog=${top_builddir:-.}/tests/sched/gdb_target
out=$(gdb -nx -batch -ex 'set backtrace limit 0' -ex 'break stop_here' -ex run -ex bt "$prog" 2>&1)
if ! printf '%s\n' "$out" | grep -q 'Breakpoint 1,'; then
	printf '%s\n' "$out" | tail -5
	echo "gdb cannot run programs here (ptrace not permitted?)"
	exit 77
fi
segments=$(printf '%s\n' "$out" | grep -c ' in __morestack ' || true)
if ! printf '%s\n' "$out" | grep -q ' in goroutine_entry '; then
	printf '%s\n' "$out" | tail -20
	echo "FAIL: gdb's backtrace does not reach goroutine_entry"
	exit 1
fi
if [ "$segments" -lt 10 ]; then
	echo "FAIL: only $segments segment boundaries in gdb's backtrace (want >= 10)"
	exit 1
fi
if printf '%s\n' "$out" | grep -q 'previous frame inner\|corrupt stack'; then
	echo "FAIL: gdb stopped early"
	exit 1
fi
echo "gdb backtrace crosses $segments segment boundaries to goroutine_entry"
