#!/usr/bin/env bash
# bootstrap.sh — make a fresh Debian machine ready to build and test Escapade.
#
# Installs the Debian packages the build, the tests and the benchmarks need
# (only those that are missing), then regenerates the autotools files and runs
# ./configure with any arguments given here.  Safe to run again: a second run
# installs nothing and only re-runs autoreconf and configure.
#
#   ./bootstrap.sh                 # install what is missing, autoreconf, configure
#   ./bootstrap.sh --prefix=/opt/x # arguments go to ./configure
#   ESCAPADE_NO_CONFIGURE=1 ./bootstrap.sh   # stop after autoreconf
set -euo pipefail

cd "$(dirname "$0")"

# Build: compilers, autotools, gold (binutils) for split stacks.
# Libraries: the dependencies DESIGN.md names.
# Tests and benchmarks: valgrind (instruction counts), heaptrack (the tracer's
# reference), golang-go (Go's own figures and `go tool pprof`), python3 (scripts),
# chromium (the flame graph and HTML page are checked in a headless browser).
packages=(
	gcc g++ clang make autoconf automake libtool pkg-config binutils
	libunwind-dev libelf-dev libdw-dev libjemalloc-dev libcmocka-dev zlib1g-dev
	valgrind heaptrack golang-go python3 gdb file chromium
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "bootstrap: installing missing packages: ${missing[*]}"
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			sudo="sudo"
		else
			echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
			exit 1
		fi
	fi
	export DEBIAN_FRONTEND=noninteractive
	# An install can fail on a stale package list: refresh it and try once more.
	if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"; then
		echo "bootstrap: refreshing the package lists"
		$sudo apt-get update -q
		$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
	fi
else
	echo "bootstrap: all ${#packages[@]} packages already installed"
fi

echo "bootstrap: autoreconf -fi"
autoreconf -fi

if [ -n "${ESCAPADE_NO_CONFIGURE:-}" ]; then
	echo "bootstrap: skipping ./configure (ESCAPADE_NO_CONFIGURE is set)"
	exit 0
fi

echo "bootstrap: ./configure $*"
./configure "$@"
