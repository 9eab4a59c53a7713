#!/bin/sh
# Build and install dovecot-like into a bench build dir, install Debian's
# Dovecot if missing, run every benchmark and print the ratio summary.
# usage: bench/run.sh [--quick]      (as root; loopback only)
#   BENCH_BUILD   build dir       (default /work/build-bench)
#   BENCH_PREFIX  install prefix  (default $BENCH_BUILD/root)
#   BENCH_CONNS   idle connections for tls_idle_memory (default 500)
#   BENCH_SECS    seconds per rate/throughput measurement (default 10)
#   BENCH_STORAGE_MSGS  messages in storage.py's Maildir (default 100000)
#   BENCH_IMAPOPS_MSGS  messages in imap_ops.py's Maildir (default 10000)
set -e
bench=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$bench")
build=${BENCH_BUILD:-/work/build-bench}
prefix=${BENCH_PREFIX:-$build/root}
conns=${BENCH_CONNS:-500}
secs=${BENCH_SECS:-10}
storage_msgs=${BENCH_STORAGE_MSGS:-100000}
imapops_msgs=${BENCH_IMAPOPS_MSGS:-10000}
if [ "$1" = "--quick" ]; then conns=100; secs=3; storage_msgs=20000; imapops_msgs=2000; fi

[ "$(id -u)" = 0 ] || { echo "run.sh: run as root (privilege separation, apt-get)"; exit 1; }
echo "== building dovecot-like into $prefix"
"$top/scripts/build.sh" "$build" "$prefix"
echo "== Dovecot"
python3 "$bench/dovecot_ref.py" install
ulimit -n 65536 2>/dev/null || true
export DL_PREFIX="$prefix"

out=$(mktemp -d /tmp/bench-out.XXXXXX)
status=0
run() {
	name=$1; shift
	echo "== $name"
	# bounded: each script limits its own counts and durations; this is a backstop
	if timeout 900 python3 "$bench/$name.py" "$@" >"$out/$name.txt" 2>&1; then :; else
		echo "$name failed (exit $?)"; status=1
	fi
	cat "$out/$name.txt"
}
run tls_idle_memory --conns "$conns" --transport both --after-login
run login_rate --duration "$secs"
run fetch_throughput --duration "$secs"
run storage --messages "$storage_msgs"
run imap_ops --messages "$imapops_msgs" --duration "$((secs * 2))"

echo
echo "== summary (ratio = dovecot-like / Dovecot; memory: lower is better,"
echo "   rates: higher is better; TLSCOST = IMAPS/IMAP throughput on one server)"
grep -h -E '^(RATIO|TLSCOST|TARGET)' "$out"/*.txt || true
rm -rf "$out"
exit $status
