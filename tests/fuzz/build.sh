#!/bin/sh
# Copyright (c) dovecot-like authors. Builds the libFuzzer targets against a
# separate clang + ASan/UBSan build of the libraries, so fuzzing never touches
# the normal build tree.
# usage: tests/fuzz/build.sh <builddir>
set -e
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir="$top/tests/fuzz"
[ $# -ge 1 ] || { echo "usage: $0 <builddir>" >&2; exit 2; }
mkdir -p "$1"
builddir=$(cd "$1" && pwd)
CC=${CC:-clang}
jobs=$(nproc 2>/dev/null || echo 2)

command -v "$CC" >/dev/null 2>&1 || {
	echo "$CC not found: apt-get install -y clang libclang-rt-14-dev" >&2; exit 1; }
[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)

# Libraries: instrumented for coverage (fuzzer-no-link) plus ASan/UBSan
# (--enable-sanitizers adds -fsanitize=address,undefined).
cd "$builddir"
if [ ! -f Makefile ] || ! grep -q 'fuzzer-no-link' Makefile; then
	CC="$CC" CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" \
		"$top/configure" --enable-sanitizers --disable-werror \
		>configure.out 2>&1 || { tail -20 configure.out; exit 1; }
fi
: >make.out
for dir in src/lib src/lib-config src/lib-imap src/lib-mail src/lib-index \
	src/lib-storage src/lib-compression; do
	make -s -j"$jobs" -C "$dir" >>make.out 2>&1 ||
		{ grep -E "error|Error" make.out | head -40; exit 1; }
done
make -s -j"$jobs" -C src/auth libauthcore.a >>make.out 2>&1 ||
	{ grep -E "error|Error" make.out | head -40; exit 1; }
make -s -j"$jobs" -C src/anvil libanvilcore.a >>make.out 2>&1 ||
	{ grep -E "error|Error" make.out | head -40; exit 1; }
make -s -j"$jobs" -C src/doveadm-like libdoveadmcore.a >>make.out 2>&1 ||
	{ grep -E "error|Error" make.out | head -40; exit 1; }

# Targets: each links only the libraries it needs.
SAN="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
INC="-I$builddir -I$top/src/lib -I$top/src/lib-config -I$top/src/lib-imap \
-I$top/src/lib-mail -I$top/src/lib-index -I$top/src/lib-storage \
-I$top/src/lib-storage/maildir -I$top/src/lib-storage/mbox \
-I$top/src/auth -I$top/src/lib-compression -I$top/src/anvil \
-I$top/src/doveadm-like -I$fuzzdir"
B=$builddir/src
SYS="$(pkg-config --libs libsodium openssl zlib) -lcrypt -lunistring"
libs_for() {
	case $1 in
	# mail-search-build.c lives in lib-storage; what else of lib-storage
	# its object file pulls in needs lib-index
	imap-search) echo "$B/lib-storage/libstorage.a $B/lib-index/libindex.a \
$B/lib-imap/libimap.a $B/lib-mail/libmail.a $B/lib/liblib.a" ;;
	imap-*) echo "$B/lib-imap/libimap.a $B/lib-mail/libmail.a $B/lib/liblib.a" ;;
	message-*|rfc822-*|rfc2047-*|mail-date|mail-address)
		echo "$B/lib-mail/libmail.a $B/lib/liblib.a" ;;
	index-*) echo "$B/lib-index/libindex.a $B/lib/liblib.a" ;;
	config) echo "$B/lib-config/libconfig.a $B/lib/liblib.a" ;;
	passwd-file|auth-protocol)
		echo "$B/auth/libauthcore.a $B/lib/liblib.a" ;;
	# auth-worker-server.o calls db-pam.o (never run here): -lpam
	auth-worker-*) echo "$B/auth/libauthcore.a $B/lib/liblib.a -lpam" ;;
	# the unit tests' $(LIBSTORAGE) is for anvil-client.c only
	anvil-*) echo "$B/anvil/libanvilcore.a $B/lib/liblib.a" ;;
	# doveadm_penalty_cmd() reads base_dir from the settings
	doveadm-*) echo "$B/doveadm-like/libdoveadmcore.a \
$B/lib-config/libconfig.a $B/lib/liblib.a" ;;
	maildir-*|mbox-*) echo "$B/lib-storage/libstorage.a $B/lib-index/libindex.a \
$B/lib-mail/libmail.a $B/lib/liblib.a" ;;
	istream-crlf) echo "$B/lib-mail/libmail.a $B/lib/liblib.a" ;;
	zlib-*) echo "$B/lib-compression/libcompression.a $B/lib/liblib.a" ;;
	*) echo "$B/lib/liblib.a" ;;
	esac
}
mkdir -p "$builddir/fuzz"
for src in "$fuzzdir"/fuzz-*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	out="$builddir/fuzz/$name"
	# Relink when the target or any library is newer.
	libs=$(libs_for "${name#fuzz-}")
	# (-l options are no files for find)
	if [ -x "$out" ] && [ -z "$(find "$src" "$fuzzdir/fuzz-common.h" \
		$(echo "$libs" | sed 's/ -l[^ ]*//g') -newer "$out" 2>/dev/null)" ]; then
		continue
	fi
	$CC -g -O1 $SAN -Wall -Wextra -Wno-unused-parameter $INC \
		-o "$out" "$src" $libs $SYS || { echo "$name: build failed" >&2; exit 1; }
done
echo "fuzz targets in $builddir/fuzz"
