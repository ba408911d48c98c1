#!/bin/sh
# demo.sh — runs `make demo`'s script (examples/demo.sh) on a few escape cases
# into a temporary directory and checks every output it promises: present,
# and valid (the SVG and the index parse as XML/HTML, each pprof profile reads
# under `go tool pprof -top`, the timeline and report JSON parse), the JSON
# report names the case's escaping and frame-local functions among its sites,
# case p's leaked goroutine is blocked with its creator named, and case q's
# cache site has leaked bytes.  Also: its usage errors and a missing build.
#
# DEMO_CASES picks the cases (default below: a representative few, about 5 s;
# DEMO_CASES="a b c d e f g h i j k l m n o p q" checks them all, about 15 s).
set -u

srcdir=${top_srcdir:-.}
builddir=${top_builddir:-.}
cases=${DEMO_CASES:-a c e l p q}
script=$srcdir/examples/demo.sh

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is needed to parse the outputs"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/demo-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# Usage errors exit 2 and say why; a build without the viewer exits 1.
sh "$script" -b "$builddir" -o "$tmp/x" zz >"$tmp/err" 2>&1
rc=$?
if [ $rc -ne 2 ] || ! grep -q "unknown case 'zz'" "$tmp/err"; then
	echo "FAIL: an unknown case: exit $rc, want 2 and a message"
	cat "$tmp/err"
	fail=1
fi
mkdir "$tmp/empty"
sh "$script" -b "$tmp/empty" -o "$tmp/x" a >"$tmp/err" 2>&1
rc=$?
if [ $rc -ne 1 ] || ! grep -q "is not built" "$tmp/err"; then
	echo "FAIL: no viewer: exit $rc, want 1 and a message"
	cat "$tmp/err"
	fail=1
fi

# The demo itself.
out=$tmp/out
if ! DEMO_CASES="$cases" sh "$script" -b "$builddir" -o "$out" >"$tmp/log" 2>&1; then
	echo "FAIL: examples/demo.sh exited non-zero:"
	cat "$tmp/log"
	exit 1
fi
for c in $cases; do
	if ! grep -q "^\[${c}_.*\] report, flame graph" "$tmp/log" ||
		! grep -q "sites; the example's own sites:" "$tmp/log"; then
		echo "FAIL: the demo's progress/summary lacks case $c:"
		cat "$tmp/log"
		fail=1
	fi
done

# Every profile reads under go tool pprof (skipped without go).
if command -v go >/dev/null 2>&1; then
	for p in "$out"/*.pb.gz; do
		if ! go tool pprof -top "$p" >"$tmp/top" 2>&1 || ! grep -q "^Showing nodes" "$tmp/top"; then
			echo "FAIL: go tool pprof -top $p:"
			cat "$tmp/top"
			fail=1
		fi
	done
else
	echo "note: go not found, the pprof profiles are not read back"
fi

python3 - "$out" $cases <<'EOF' || fail=1
import html.parser, json, os, sys, xml.etree.ElementTree as ET

out, letters = sys.argv[1], sys.argv[2:]
# Per case: the functions whose allocations the JSON report must show as
# sites, with the verdict Go gives the same code (escape-cases.md): every site
# of an *_escapes function is escaped, every site of a *_local function is
# frame-local ("could live on the stack"); examples/*.c.
own = {
    "a_return_pointer": ["create_demo_escapes", "create_demo_local"],
    "b_closure_counter": ["increase_escapes", "count_local"],
    "c_goroutine_capture": ["spawn_modify_escapes", "spawn_copy_local"],
    "d_interface_param": ["print_escapes", "print_local"],
    "e_make_slice": ["make_escapes", "make_local"],
    "f_slice_interface": ["fill_values_escapes", "fill_values_local"],
    "g_map_interface_value": ["store_value_escapes", "store_value_local"],
    "h_map_interface_key": ["store_values_escapes", "store_values_local"],
    "i_map_slice_value": ["store_slice_escapes", "store_slice_local"],
    "j_slice_of_pointers": ["point_escapes", "point_local"],
    "k_func_value_call": ["call_unknown_escapes", "call_direct_local"],
    "l_chan_of_slice": ["recv_slice_escapes", "recv_copy_local"],
    "m_new_int": ["new_int_escapes", "new_int_local"],
    "n_small_struct": ["store_global_escapes", "by_pointer_local"],
    "o_large_object": ["large_escapes", "large_local"],
    "p_goroutine_leak": ["leak_goroutine_escapes", "join_goroutine_local"],
    "q_growing_cache": ["cache_put_escapes", "render_local"],
}
suffixes = ["trace", "out", "report.txt", "report.json", "svg", "html", "pb.gz", "timeline.json"]
bad = []


class Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.links = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [v for k, v in attrs if tag == "a" and k == "href"]


def parse_html(path):
    p = Tags()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    for t in ("html", "body"):
        if t not in p.tags:
            raise ValueError("no <%s>" % t)
    return p


names = []
for letter in letters:
    name = [n for n in own if n == letter or n.split("_")[0] == letter][0]
    names.append(name)
    base = os.path.join(out, name)
    try:
        for s in suffixes:
            if os.path.getsize(base + "." + s) == 0:
                raise ValueError(s + " is empty")
        root = ET.parse(base + ".svg").getroot()
        if not root.tag.endswith("svg"):
            raise ValueError("svg root is <%s>" % root.tag)
        parse_html(base + ".html")
        with open(base + ".timeline.json") as f:
            tl = json.load(f)
        if not tl.get("traceEvents"):
            raise ValueError("timeline has no traceEvents")
        with open(base + ".report.json") as f:
            rep = json.load(f)
        sites = {s["function"]: s for s in rep["sites"]}
        for fn in own[name]:
            if fn not in sites:
                raise ValueError("no site in %s (sites: %s)" % (fn, sorted(sites)))
            want = "escaped" if fn.endswith("_escapes") else "frame-local"
            got = [(s["line"], s["verdict"]) for s in rep["sites"] if s["function"] == fn]
            if any(v != want for _, v in got):
                raise ValueError("%s: verdicts %s, Go says %s" % (fn, got, want))
        # A segment switch is one call, as in Go's tracebacks: no path
        # shows __morestack between two frames of the same function.
        for s in rep["sites"]:
            st = s["stack"]
            # The tracer's own work (its return barrier asks the runtime
            # which objects are reachable) must not show as the program's.
            if any(f.startswith("esc_") for f in st):
                raise ValueError("%s: the tracer's frames in path %s" % (s["function"], st))
            for i in range(1, len(st) - 1):
                if st[i].startswith("__morestack") and st[i - 1] == st[i + 1]:
                    raise ValueError("%s: segment switch in path %s" % (s["function"], st))
        if name == "p_goroutine_leak":
            blocked = rep["goroutines_blocked"]
            leak = [g for g in blocked if g["created_by"] == "leak_goroutine_escapes"]
            if not leak:
                raise ValueError("no blocked goroutine created by leak_goroutine_escapes: %s" % blocked)
            if leak[0]["wait"] != "chan receive":
                raise ValueError("leaked goroutine waits on %r, not chan receive" % leak[0]["wait"])
        if name == "q_growing_cache" and sites["cache_put_escapes"]["leaked_bytes"] <= 0:
            raise ValueError("cache_put_escapes has no leaked bytes")
        if "allocations" not in open(base + ".report.txt").read():
            raise ValueError("the text report has no totals")
        print("ok: demo outputs of", name)
    except Exception as e:  # one line per broken case, then on to the next
        bad.append("%s: %s" % (name, e))

# The index parses and links every output of every case, all present.
try:
    links = parse_html(os.path.join(out, "index.html")).links
    for n in names:
        for s in suffixes:
            if n + "." + s not in links:
                raise ValueError("index.html does not link %s.%s" % (n, s))
    for l in links:
        if not l.startswith("http") and not os.path.exists(os.path.join(out, l)):
            raise ValueError("index.html links a missing " + l)
    print("ok: index.html links all", len(names), "cases")
except Exception as e:
    bad.append("index.html: %s" % e)

for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
EOF

exit $fail
