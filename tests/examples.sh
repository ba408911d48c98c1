#!/bin/sh
# examples.sh — run every example program (examples/, the escape cases a..q)
# and check its exit status, its output, and the heap allocations each form
# made (MemStats.Mallocs growth, printed by the example) against the case's
# row of escape-cases.md.
#
# Expected lines are "FORM FUNCTION PER_RUN": the example must print
# "FORM: FUNCTION runs=R mallocs=M" with M = R * PER_RUN.  For the escaping
# forms PER_RUN is the table's "heap allocs/run" column wherever gort models
# Go's allocation; where it cannot (case e: gort has no stack allocation for
# make, so 8191 and 8192 cost 1 where Go's stack costs 0) the comment says so.
set -u

builddir=${top_builddir:-.}
fail=0
tmp=${TMPDIR:-/tmp}/examples.$$
trap 'rm -f "$tmp" "$tmp.lines"' EXIT

# check PROGRAM EXPECTED_LINES [GREP_PATTERNS...]
check() {
	prog=$1
	expected=$2
	shift 2
	bin="$builddir/examples/$prog"
	if [ ! -x "$bin" ]; then
		echo "FAIL: $prog: $bin not built"
		fail=1
		return
	fi
	"$bin" >"$tmp" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: $prog: exit status $rc"
		sed 's/^/    /' "$tmp"
		fail=1
		return
	fi
	bad=0
	echo "$expected" | while read -r form fn per_run; do
		[ -n "$form" ] || continue
		# Every line of the form must match (q repeats its forms per round).
		grep -F "$form: $fn runs=" "$tmp" >"$tmp.lines"
		if [ ! -s "$tmp.lines" ]; then
			echo "FAIL: $prog: no line '$form: $fn runs=...'"
			exit 1
		fi
		while read -r line; do
			runs=$(echo "$line" | sed -n 's/.* runs=\([0-9]*\) mallocs=[0-9]*$/\1/p')
			got=$(echo "$line" | sed -n 's/.* runs=[0-9]* mallocs=\([0-9]*\)$/\1/p')
			if [ -z "$runs" ] || [ "$got" != $((runs * per_run)) ]; then
				echo "FAIL: $prog: '$line': want $per_run mallocs per run"
				exit 1
			fi
		done <"$tmp.lines" || exit 1
	done || bad=1
	for pattern in "$@"; do
		if ! grep -q -- "$pattern" "$tmp"; then
			echo "FAIL: $prog: output lacks '$pattern'"
			bad=1
		fi
	done
	if [ $bad -ne 0 ]; then
		sed 's/^/    /' "$tmp"
		fail=1
	else
		echo "ok: $prog"
	fi
}

check a_return_pointer "escaping create_demo_escapes 1
frame-local create_demo_local 1
value create_demo_value 0" "kept 10 demos, last id 9"

check b_closure_counter "escaping increase_escapes 2
frame-local count_local 2" "each kept counter called 3 times: 3"

check c_goroutine_capture "escaping spawn_modify_escapes 3
frame-local spawn_copy_local 1" "captured sum 55, copied sum 55"

check d_interface_param "escaping print_escapes 1
frame-local print_local 1
static print_small_int 0" "logged 20 values"

# Go: 0/0/1/1 — gort's make is always the heap (1); the stack form is make_on_stack.
check e_make_slice "escaping make_escapes(8191) 1
frame-local make_local(8191) 1
escaping make_escapes(8192) 1
frame-local make_local(8192) 1
escaping make_escapes(8193) 1
frame-local make_local(8193) 1
escaping make_escapes(n) 1
frame-local make_local(n) 1
stack make_on_stack 0" "kept 40 arrays"

check f_slice_interface "escaping fill_constants_escapes 0
escaping fill_values_escapes 2
frame-local fill_values_local 2" "data = {100, 200}"

check g_map_interface_value "escaping store_constant 0
escaping store_value_escapes 1
frame-local store_value_local 1" 'data\["key"\] = 200'

check h_map_interface_key "escaping store_constants 0
escaping store_values_escapes 2
frame-local store_values_local 2" "data\[100\] = 200"

check i_map_slice_value "escaping store_slice_escapes 1
frame-local store_slice_local 1
value store_array_value 0" 'data\["key"\] = \[value\]'

check j_slice_of_pointers "escaping point_escapes 1
frame-local point_local 1
value index_value 0" "data\[9\] = 9"

check k_func_value_call "escaping call_unknown_escapes 1
frame-local call_direct_local 1" "remembered 10 pointers"

check l_chan_of_slice "escaping recv_slice_escapes 3
frame-local recv_copy_local 1" "received 10 slices (\[value\]) and 10 copies"

check m_new_int "escaping new_int_escapes 1
frame-local new_int_local 1" "kept\[9\] = 9"

check n_small_struct "escaping store_global_escapes 1
frame-local by_pointer_local 1
value by_value 0" "10 points in the global"

check o_large_object "escaping large_escapes(33KB) 1
frame-local large_local(33KB) 1
escaping large_escapes(1MB) 1
frame-local large_local(1MB) 1" "kept bytes: yes"

# p: the channel and the closure stay with the parked goroutine; exit 0 anyway.
check p_goroutine_leak "escaping leak_goroutine_escapes 2
frame-local join_goroutine_local 2" "goroutines still alive: 2" "received 55"

check q_growing_cache "escaping cache_put_escapes 1
frame-local render_local 1" "round 2: cache has 30 entries" "live heap objects include the cache" \
	"at exit the cache still holds"

# GODEBUG=leakcheck=1: gort itself names the leaked goroutine's creator.
if [ -x "$builddir/examples/p_goroutine_leak" ]; then
	if GODEBUG=leakcheck=1 "$builddir/examples/p_goroutine_leak" 2>&1 >/dev/null |
		grep -q "created by leak_goroutine_escapes"; then
		echo "ok: p_goroutine_leak names leak_goroutine_escapes under GODEBUG=leakcheck=1"
	else
		echo "FAIL: p_goroutine_leak: leakcheck does not name leak_goroutine_escapes"
		fail=1
	fi
fi

exit $fail
