#!/bin/sh
# tests/docs.sh — the manual pages keep up with the code: every command in
# viewer/main.c's table has its section in doc/escapade.1, every function
# declared in runtime/gort.h appears in doc/gort.3, and both pages render
# without a warning when groff is installed.
set -u
src=${top_srcdir:-$(dirname "$0")/..}
status=0

fail() {
	echo "docs.sh: $*" >&2
	status=1
}

# The table's rows look like {"record", cmd_record, "..."}.
cmds=$(sed -n 's/^[[:space:]]*{"\([a-z]*\)", cmd_.*/\1/p' "$src/viewer/main.c")
[ -n "$cmds" ] || fail "no command found in viewer/main.c"
for c in $cmds; do
	grep -q "^\.SS \"escapade $c " "$src/doc/escapade.1" ||
		fail "escapade $c is not described in doc/escapade.1 (.SS \"escapade $c ...\")"
done

# Declarations: gort_name( on lines outside comments.
funcs=$(grep -v '^[[:space:]]*\(/\*\|\*\)' "$src/runtime/gort.h" |
	grep -o '\bgort_[a-z_]*(' | sed 's/($//' | sort -u)
[ -n "$funcs" ] || fail "no function found in runtime/gort.h"
for f in $funcs; do
	grep -q "$f(" "$src/doc/gort.3" || fail "$f is declared in gort.h but not in doc/gort.3's synopsis"
	grep -q "^\.B.* $f\$\|^\.B.* $f " "$src/doc/gort.3" ||
		fail "$f is in doc/gort.3's synopsis but not described"
done

if command -v groff >/dev/null 2>&1; then
	for page in escapade.1 gort.3; do
		warnings=$(groff -man -Tutf8 -ww -z "$src/doc/$page" 2>&1)
		[ -z "$warnings" ] || fail "doc/$page: $warnings"
	done
fi
exit $status
