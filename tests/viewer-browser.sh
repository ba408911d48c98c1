#!/bin/sh
# viewer-browser.sh — the flame SVG and the HTML page in a real browser
# (headless Chromium): a click zooms, a search marks the matches and shows
# their share, the HTML metric switch changes graphs.
#
# How: the page's script replays actions from the URL fragment
# (#zoom=NAME dispatches a real click event on the frame's <g>,
# #search=REGEX runs the search, #metric=NAME switches the HTML graph), and
# `chromium --dump-dom` prints the DOM after the scripts ran; the test reads
# the state the handlers left in it (classes, widths, data-* attributes).
# Chosen over driving the browser with --remote-debugging-pipe or
# playwright-core: no extra package, and the hook doubles as a way to link
# to a zoomed or searched view.
# Skips (77) when chromium is not installed.
set -eu

browser=
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
[ -n "$browser" ] || { echo "chromium not installed: skipping"; exit 77; }

bin="${top_builddir:-.}/viewer/folded2out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dump() { # URL -> DOM on stdout
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile" --dump-dom "$1" 2>/dev/null
}

cat > "$tmp/in.folded" <<'EOF2'
main;parse;malloc 30
main;parse;lex;malloc 10
main;parse;lex 5
main;render;malloc 50
main;render;draw 7
EOF2
"$bin" -f svg -o "$tmp/g.svg" "$tmp/in.folded"
"$bin" -f svg -m count -o "$tmp/c.svg" "$tmp/in.folded"
cat > "$tmp/count.folded" <<'EOF2'
main;parse;lex 9
main;render;draw 4
main;render;malloc 1
EOF2
"$bin" -f html -a count="$tmp/count.folded" -o "$tmp/p.html" "$tmp/in.folded"

fail=0
has() { # what pattern file
	if grep -qE -- "$2" "$3"; then echo "ok: $1"; else echo "FAIL: $1"; fail=1; fi
}
hasnt() {
	if grep -qE -- "$2" "$3"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi
}

# Before any action: nothing hidden, nothing matched.
dump "file://$tmp/g.svg" > "$tmp/plain.dom"
has "svg loads and runs" '<svg[^>]*data-w="1200"' "$tmp/plain.dom"
hasnt "no frame hidden without a zoom" 'class="f hide"' "$tmp/plain.dom"

# Click on "parse": it fills the width, "render" hides, ancestors stay.
dump "file://$tmp/g.svg#zoom=parse&search=%5Emalloc%24" > "$tmp/zoom.dom"
has "zoomed on parse" 'data-zoomed="parse"' "$tmp/zoom.dom"
has "parse fills the width" '<title>parse
[^<]*</title><rect x="10(\.0)?" y="[0-9]+" width="1180(\.0)?"' "$tmp/zoom.dom"
has "lex scaled with parse (15 of 45)" '<title>lex
[^<]*</title><rect x="[0-9.]+" y="[0-9]+" width="393\.3"' "$tmp/zoom.dom"
has "render hidden" '<g class="f hide"><title>render' "$tmp/zoom.dom"
has "main kept above" '<g class="f up"><title>main' "$tmp/zoom.dom"
has "reset button shown" 'class="btn reset"' "$tmp/zoom.dom"
# Search ^malloc$: three frames, 90 of 102 bytes.
has "three matches" 'data-matches="3"' "$tmp/zoom.dom"
has "matched share" 'data-share="88.24"' "$tmp/zoom.dom"
has "share shown" 'Matched: 88.2% \(3 frames\)' "$tmp/zoom.dom"
n=$(grep -cF 'fill="rgb(230,0,230)"' "$tmp/zoom.dom" || true)
[ "$n" = 3 ] && echo "ok: three frames painted" || { echo "FAIL: $n frames painted"; fail=1; }

# A regex that is not one reports it instead of failing.
dump "file://$tmp/g.svg#search=%28" > "$tmp/bad.dom"
has "bad regex reported" 'bad regex' "$tmp/bad.dom"

# HTML: the first metric (count) shows by default; the switch moves to bytes.
dump "file://$tmp/p.html" > "$tmp/page0.dom"
has "html: count graph shown first" '<div class="graph on" data-metric="count">' "$tmp/page0.dom"
has "html: bytes graph hidden" '<div class="graph" data-metric="bytes">' "$tmp/page0.dom"
dump "file://$tmp/p.html#metric=bytes&search=lex" > "$tmp/page.dom"
has "html: bytes graph shown" '<div class="graph on" data-metric="bytes">' "$tmp/page.dom"
has "html: count graph hidden" '<div class="graph" data-metric="count">' "$tmp/page.dom"
has "html: search in the graph" 'data-matches="1" data-share="14.71"' "$tmp/page.dom"
has "html: table present" 'id="sites-table"' "$tmp/page.dom"

# HTML: a click on a column header sorts the table (descending first); the
# default order is by bytes.
order() { # DOM -> the function column of the sites table, in order
	sed -n '/id="sites-table"/,/<\/table>/p' "$1" | grep -o '<tr><td data-v="[^"]*"' |
		sed 's/.*data-v="//; s/"$//' | tr '\n' ' '
}
dump "file://$tmp/p.html" > "$tmp/sort0.dom"
dump "file://$tmp/p.html#sort=function" > "$tmp/sort1.dom"
dump "file://$tmp/p.html#sort=allocations" > "$tmp/sort2.dom"
for f in sort0 sort1 sort2; do echo "$f: $(order "$tmp/$f.dom")"; done
[ "$(order "$tmp/sort0.dom")" = "malloc draw lex " ] || { echo "FAIL: default order (bytes)"; fail=1; }
[ "$(order "$tmp/sort1.dom")" = "malloc lex draw " ] || { echo "FAIL: sort by function"; fail=1; }
[ "$(order "$tmp/sort2.dom")" = "lex draw malloc " ] || { echo "FAIL: sort by allocations"; fail=1; }
has "html: sorted column marked" '<th class="desc">function</th>' "$tmp/sort1.dom"
exit $fail
