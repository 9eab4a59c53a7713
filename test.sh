#!/bin/sh
# Quick start, step 2 (and CI): install what is missing, build, and run every
# test: Check unit suites (plain and ASan/UBSan builds) and the integration
# suite against a real running server, privileged (as root) and unprivileged.
set -e
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
sh scripts/install-deps.sh
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

echo "== build"
sh scripts/build.sh "$top/build/test" "$top/build/test/root"
echo "== unit tests"
make -s -C build/test check >build/test/check.out 2>&1 || {
	cat build/test/check.out; find build/test/tests -name '*.log' -exec tail -30 {} +; exit 1; }
grep -E "^(# )?(PASS|FAIL|TOTAL|ERROR)" build/test/check.out || true
find build/test/tests/unit -name 'test-*.log' -exec grep -h "^[0-9]*%: Checks" {} +

echo "== unit tests with ASan/UBSan"
sh scripts/build.sh "$top/build/asan" "$top/build/asan/root" --enable-sanitizers
make -s -C build/asan check >build/asan/check.out 2>&1 || {
	cat build/asan/check.out; find build/asan/tests -name '*.log' -exec tail -30 {} +; exit 1; }
find build/asan/tests/unit -name 'test-*.log' -exec grep -h "^[0-9]*%: Checks" {} +

echo "== fuzz targets, a short smoke run each (tests/fuzz/README.md for real runs)"
sh tests/fuzz/run.sh "$top/build/fuzz" 4

# The integration suite against both builds: the ASan/UBSan one catches leaks
# and undefined behaviour in the daemons themselves (reported through the log,
# which every test's teardown checks).
# The servers run from a copy of each installed tree (it runs from any
# prefix) that unprivileged users can reach: the checkout may be private.
inst=$(mktemp -d /tmp/dovecot-like-test.XXXXXX)
trap 'rm -rf "$inst"' EXIT
chmod 0755 "$inst"
for build in test asan; do
	cp -a "build/$build/root" "$inst/$build"
	for mode in privileged unprivileged; do
		echo "== integration tests: $build build, $mode"
		$SUDO env DL_PREFIX="$inst/$build" DL_MODE=$mode \
			/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
	done
done
