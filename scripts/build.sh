#!/bin/sh
# Configure (once), build and install dovecot-like into a private prefix.
# usage: scripts/build.sh <build dir> <install prefix> [configure args...]
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$1; prefix=$2; shift 2
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || ! grep -q "^prefix = $prefix\$" Makefile; then
	"$top/configure" --prefix="$prefix" "$@" >configure.out 2>&1 ||
		{ tail -20 configure.out; exit 1; }
fi
make -s -j"$(nproc)" >make.out 2>&1 || { grep -E "error|Error" make.out | head -40; exit 1; }
make -s install >install.out 2>&1 || { tail -20 install.out; exit 1; }
