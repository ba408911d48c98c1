#!/bin/sh
# demo.sh — `make demo`: every escape case (examples/, a..q) recorded under
# `escapade record` and shown through every viewer output.
#
# For each case NAME it writes into OUT (default BUILDDIR/demo-out):
#   NAME.trace          the trace (escapade record)
#   NAME.out            what the example printed (its mallocs per form)
#   NAME.report.txt     escapade report (all sites)
#   NAME.report.json    escapade report --format json
#   NAME.svg            escapade flame (bytes)
#   NAME.html           escapade html
#   NAME.pb.gz          escapade pprof (go tool pprof -top OUT/NAME.pb.gz)
#   NAME.timeline.json  escapade timeline (open in https://ui.perfetto.dev)
#   NAME.log            the commands' own messages (read it when a step fails)
# and one OUT/index.html linking them all.  It builds nothing: make's
# prerequisites of `demo` build viewer/escapade, the tracer and the examples.
# A failed step is reported with its log and the demo goes on with the next
# case, then exits 1.
#
# usage: demo.sh [-b BUILDDIR] [-o OUT] [CASE...]
#   CASE is a letter (a) or a name (a_return_pointer); the default is
#   $DEMO_CASES, or every example when that is empty too.
set -u

me=demo
builddir=.
out=
while getopts b:o:h opt; do
	case $opt in
	b) builddir=$OPTARG ;;
	o) out=$OPTARG ;;
	h)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "$me: usage: demo.sh [-b BUILDDIR] [-o OUT] [CASE...]" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
out=${out:-$builddir/demo-out}
escapade=$builddir/viewer/escapade

all_cases="a_return_pointer b_closure_counter c_goroutine_capture d_interface_param
e_make_slice f_slice_interface g_map_interface_value h_map_interface_key
i_map_slice_value j_slice_of_pointers k_func_value_call l_chan_of_slice m_new_int
n_small_struct o_large_object p_goroutine_leak q_growing_cache"

# resolve CASE: a letter or a full name -> the full name, or fail.
resolve() {
	for c in $all_cases; do
		case $1 in
		"$c" | "${c%%_*}")
			echo "$c"
			return 0
			;;
		esac
	done
	echo "$me: unknown case '$1' (cases: a..q or their names: $(echo $all_cases))" >&2
	return 1
}

[ $# -gt 0 ] || set -- ${DEMO_CASES:-$all_cases}
cases=
for arg in "$@"; do
	c=$(resolve "$arg") || exit 2
	cases="$cases $c"
done

if [ ! -x "$escapade" ]; then
	echo "$me: $escapade is not built (run make demo, or make first)" >&2
	exit 1
fi
mkdir -p "$out" || {
	echo "$me: cannot create $out" >&2
	exit 1
}

# step CASE WHAT COMMAND...: run COMMAND, its messages to CASE's log; on
# failure say which step and show the log's tail.
step() {
	name=$1
	what=$2
	shift 2
	echo "== $what" >>"$out/$name.log"
	"$@" >>"$out/$name.log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "$me: $name: $what failed (exit status $rc); the log says:" >&2
		tail -n 5 "$out/$name.log" | sed 's/^/    /' >&2
		return 1
	fi
}

# summarize CASE TEXT JSON: totals, site count and each of the example's own
# sites (those in examples/) with the verdict column, as the text report
# prints them; then the goroutines blocked at exit, from the JSON report.
summarize() {
	awk '
	/^  allocations / { allocs = $2 }
	/^  bytes allocated / { bytes = $3 }
	/^  leaked at exit / { leaked = $4 }
	/^  #[0-9]+ / { sites++; fn = $2; at = $4; want = (at ~ /^examples\//); next }
	want { n = split($0, f, "; "); own[++nown] = sprintf("%-28s %-34s %s", fn, at, f[n]); want = 0 }
	END {
		printf "   %s allocations, %s bytes (%s leaked at exit), %d sites; the example'"'"'s own sites:\n",
		       allocs, bytes, leaked, sites
		for (i = 1; i <= nown; i++) print "     " own[i]
	}' "$2"
	by=$(sed -n 's/.*"created_by": "\([^"]*\)".*/\1/p' "$3")
	[ -z "$by" ] || echo "   goroutines blocked at exit, created by:" $by
}

# demo_case CASE: record it, then every output; 1 when a step failed.
demo_case() {
	n=$1
	o=$out/$n
	: >"$o.log"
	echo "[$n] recording examples/$n"
	# The example's standard output (its mallocs per form) goes to NAME.out.
	step "$n" "escapade record" sh -c '"$1" record -o "$2" -- "$3" >"$4"' sh \
		"$escapade" "$o.trace" "$builddir/examples/$n" "$o.out" || return 1
	echo "[$n] report, flame graph, html, pprof, timeline"
	step "$n" "escapade report" sh -c '"$1" report "$2" --top 0 >"$3"' sh \
		"$escapade" "$o.trace" "$o.report.txt" || return 1
	step "$n" "escapade report --format json" sh -c \
		'"$1" report "$2" --format json >"$3"' sh "$escapade" "$o.trace" "$o.report.json" ||
		return 1
	step "$n" "escapade flame" "$escapade" flame "$o.trace" --title "escape case $n: bytes" \
		-o "$o.svg" || return 1
	step "$n" "escapade html" "$escapade" html "$o.trace" -o "$o.html" || return 1
	step "$n" "escapade pprof" "$escapade" pprof "$o.trace" -o "$o.pb.gz" || return 1
	step "$n" "escapade timeline" "$escapade" timeline "$o.trace" -o "$o.timeline.json" ||
		return 1
	summarize "$n" "$o.report.txt" "$o.report.json"
}

# index: one page linking every case's outputs (failed cases say so).
write_index() {
	{
		echo '<!DOCTYPE html>'
		echo '<html><head><meta charset="utf-8"><title>Escapade demo</title>'
		echo '<style>body{font-family:sans-serif}td,th{padding:2px 10px;text-align:left}</style>'
		echo '</head><body><h1>Escapade demo: the escape cases a..q</h1>'
		echo '<p>Each case recorded with <code>escapade record</code>; '
		echo 'pprof: <code>go tool pprof -top NAME.pb.gz</code>; '
		echo 'timelines open in <a href="https://ui.perfetto.dev">Perfetto</a>.</p>'
		echo '<table><tr><th>case</th><th>outputs</th></tr>'
		for n in $cases; do
			if [ -f "$out/$n.timeline.json" ]; then
				printf '<tr><td>%s</td><td>' "$n"
				for f in report.txt report.json svg html pb.gz timeline.json trace out; do
					printf '<a href="%s.%s">%s</a> ' "$n" "$f" "$f"
				done
				echo '</td></tr>'
			else
				printf '<tr><td>%s</td><td>failed: see <a href="%s.log">%s.log</a></td></tr>\n' \
					"$n" "$n" "$n"
			fi
		done
		echo '</table></body></html>'
	} >"$out/index.html"
}

failed=
for n in $cases; do
	demo_case "$n" || failed="$failed $n"
done
write_index
echo
echo "demo: outputs in $out/ (open $out/index.html); per case NAME:"
echo "  NAME.report.txt NAME.report.json NAME.svg NAME.html NAME.pb.gz NAME.timeline.json"
if [ -n "$failed" ]; then
	echo "$me: FAILED:$failed (see their .log in $out/)" >&2
	exit 1
fi
