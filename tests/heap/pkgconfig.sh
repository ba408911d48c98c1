#!/bin/sh
# pkgconfig.sh — install gort (into a scratch DESTDIR) and build a user
# program with `cc prog.c $(pkg-config --cflags --libs gort)`, as gort.h
# promises; the program must run and find its heap working.
#
# Needs pkg-config; skips (77) without it.  Uses top_srcdir/top_builddir
# from the test environment, and the configured compiler and sanitizer flags
# (heap_test_cc, heap_test_cflags: tests/heap.mk) when they are set.
set -eu

command -v pkg-config >/dev/null 2>&1 || { echo "no pkg-config: skipped"; exit 77; }
: "${top_srcdir:?}" "${top_builddir:?}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Install only what a user needs: the library, the headers, the .pc file.
${MAKE:-make} -s -C "$top_builddir" DESTDIR="$tmp/root" \
	install-libLTLIBRARIES install-includeHEADERS install-pkgconfigDATA >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"
	exit 1
}
pc=$(find "$tmp/root" -name gort.pc | head -n 1)
[ -n "$pc" ] || { echo "gort.pc was not installed"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")

flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$tmp/root$prefix" \
	--cflags --libs gort)
cc=${heap_test_cc:-cc}
extra=${heap_test_cflags:-}
echo "$cc pkgconfig_prog.c $flags $extra"
# shellcheck disable=SC2086 # the flags are words
$cc -o "$tmp/prog" "$top_srcdir/tests/heap/pkgconfig_prog.c" $flags $extra
out=$("$tmp/prog")
echo "$out"
[ "$out" = ok ]

# gort-frames: the same program, every function instrumented for
# `escapade record --frames` (gort supplies __cyg_profile_func_*).
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$tmp/root$prefix" \
	--cflags --libs gort-frames)
echo "$cc pkgconfig_prog.c $flags $extra"
# shellcheck disable=SC2086 # the flags are words
$cc -o "$tmp/prog-frames" "$top_srcdir/tests/heap/pkgconfig_prog.c" $flags $extra
objdump -d --disassemble=main "$tmp/prog-frames" | grep -q 'call.*<__cyg_profile_func_enter>' || {
	echo "main of a gort-frames build does not call __cyg_profile_func_enter"
	exit 1
}
out=$("$tmp/prog-frames")
[ "$out" = ok ] || { echo "gort-frames build printed: $out"; exit 1; }
