#!/bin/sh
# viewer-names.sh — names made of every metacharacter the outputs know
# (<>&"'; a blank, a backslash, invalid UTF-8) go through folded, SVG,
# HTML, timeline JSON and pprof, and each output is parsed by a real parser
# (Python's XML, HTML and JSON parsers, go tool pprof) to find them whole.
# Skips (77) without python3; the pprof part runs only when go is there.
set -eu

command -v python3 >/dev/null 2>&1 || { echo "python3 not installed: skipping"; exit 77; }
bin="${top_builddir:-.}/viewer/folded2out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME="${HOME:-$tmp}"

# \377 is invalid UTF-8 and must become U+FFFD.  (';' cannot be in a name
# read from folded text; test_calltree checks how folded output replaces
# it, and the events file below carries one into the timeline.)
printf '%s\n' \
	"main;<T a=\"1\">&'x';back\\slash 40" \
	"main;operator<<(ostream&) 2" \
	"main;bad$(printf '\377')byte 1" > "$tmp/in.folded"
cat > "$tmp/ev.txt" <<'EOF2'
goroutine 100 5000 1 <T a="1">&'x'
grow 200 1 4096 back\slash;"q"
heap 300 65536
EOF2

"$bin" -f folded -o "$tmp/out.folded" "$tmp/in.folded"
"$bin" -f svg -t '<title & "q">' -o "$tmp/out.svg" "$tmp/in.folded"
"$bin" -f html -p '<prog & "q">' -e "$tmp/ev.txt" -o "$tmp/out.html" "$tmp/in.folded"
"$bin" -f timeline -p '<prog & "q">' -e "$tmp/ev.txt" -o "$tmp/out.json"

python3 - "$tmp" <<'EOF2'
import html.parser, json, sys, xml.etree.ElementTree as ET

d = sys.argv[1]
names = ["<T a=\"1\">&'x'", "back\\slash", "operator<<(ostream&)", "bad\ufffdbyte"]
fails = 0

def check(what, ok):
    global fails
    print(("ok: " if ok else "FAIL: ") + what)
    fails += not ok

folded = open(d + "/out.folded", encoding="utf-8").read()
for n in names:
    check("folded has " + n, n in folded)
check("folded lines are 'stack count'", all(l.rsplit(" ", 1)[1].isdigit() for l in folded.splitlines()))

svg = ET.parse(d + "/out.svg").getroot()  # well-formed XML or it throws
ns = "{http://www.w3.org/2000/svg}"
titles = [t.text.split("\n")[0] for t in svg.iter(ns + "title")]
for n in names:
    check("svg frame titled " + n, n in titles)
texts = [t.text or "" for t in svg.iter(ns + "text")]
check("svg title text", "<title & \"q\">" in texts)

class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.data, self.tags = [], []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
    def handle_data(self, data):
        self.data.append(data)
p = Collect()
p.feed(open(d + "/out.html", encoding="utf-8").read())
text = "\n".join(p.data)
for n in names:
    check("html shows " + n, n in text)
check("html title", "Escapade: <prog & \"q\">" in text)
check("html has no injected T tag", "t" not in [t for t in p.tags if t == "t"])
check("html has one script", p.tags.count("script") == 1)

tl = json.load(open(d + "/out.json", encoding="utf-8"))
ev = tl["traceEvents"]
check("timeline goroutine name", any(e.get("name") == "<T a=\"1\">&'x'" and e["ph"] == "X" for e in ev))
check("timeline grow function", any(e.get("args", {}).get("function") == "back\\slash;\"q\"" for e in ev))
check("timeline program", tl["otherData"]["program"] == "<prog & \"q\">")
sys.exit(1 if fails else 0)
EOF2

if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then
	"$bin" -f pprof -o "$tmp/out.pb.gz" "$tmp/in.folded"
	raw=$(go tool pprof -raw "$tmp/out.pb.gz" 2>/dev/null)
	for n in "<T a=\"1\">&'x'" 'back\slash' 'operator<<(ostream&)' "bad$(printf '\357\277\275')byte"; do
		if printf '%s' "$raw" | grep -qF -- "$n"; then echo "ok: pprof has $n"; else echo "FAIL: pprof lost $n"; exit 1; fi
	done
fi
