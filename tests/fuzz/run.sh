#!/bin/sh
# Copyright (c) dovecot-like authors. Runs every libFuzzer target for a fixed
# time on a scratch copy of its seed corpus, so CI catches parser crashes,
# leaks and hangs without ever rewriting the committed corpus.
# usage: tests/fuzz/run.sh <builddir> [seconds-per-target] [target...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzzdir="$top/tests/fuzz"
[ $# -ge 1 ] || { echo "usage: $0 <builddir> [seconds] [target...]" >&2; exit 2; }
builddir=$1
secs=${2:-10}
[ $# -ge 2 ] && shift 2 || shift 1

sh "$fuzzdir/build.sh" "$builddir" >/dev/null || exit 1
builddir=$(cd "$builddir" && pwd)

# Longest input worth trying per target (bytes).
max_len_for() {
	case $1 in
	imap-parser|config|maildir-uidlist|istream-crlf) echo 16384 ;;
	*) echo 4096 ;;
	esac
}

if [ $# -gt 0 ]; then
	targets=$*
else
	targets=$(cd "$fuzzdir" && ls fuzz-*.c | sed 's/^fuzz-//; s/\.c$//')
fi
work="$builddir/fuzz-run"
failed=0
for t in $targets; do
	bin="$builddir/fuzz/fuzz-$t"
	[ -x "$bin" ] || { echo "fuzz-$t: not built"; failed=1; continue; }
	# Scratch corpus: new inputs go here, never into tests/fuzz/corpus.
	rm -rf "${work:?}/$t"
	mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
	[ -d "$fuzzdir/corpus/$t" ] && cp "$fuzzdir/corpus/$t"/* "$work/$t/corpus/" 2>/dev/null
	dict=""
	[ -f "$fuzzdir/fuzz-$t.dict" ] && dict="-dict=$fuzzdir/fuzz-$t.dict"
	log="$work/$t/fuzz.log"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	"$bin" $dict -max_total_time="$secs" -max_len="$(max_len_for "$t")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/$t/artifacts/" \
		"$work/$t/corpus" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "fuzz-$t: ${runs:-?} runs (${speed:-?}/s), OK"
	else
		failed=1
		what=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer): [a-zA-Z -]+|runtime error: .*|ALARM: .*|panic: .*' "$log" | head -1)
		echo "fuzz-$t: ${runs:-?} runs, FAILED (${what:-exit $rc}); log $log"
		for a in "$work/$t/artifacts"/*; do
			[ -f "$a" ] && echo "  input: $a"
		done
		grep -E '^ *#[0-9]+ .* in ' "$log" | grep -v -E 'fuzzer::|__sanitizer|libc\.so|abort|raise|panic' | head -3 | sed 's/^/  /'
	fi
done
exit $failed
