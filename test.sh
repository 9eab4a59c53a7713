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

echo "== integration tests, privileged (root) and unprivileged"
export DL_PREFIX="$top/build/test/root"
$SUDO env DL_PREFIX="$DL_PREFIX" DL_MODE=privileged \
	/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
$SUDO env DL_PREFIX="$DL_PREFIX" DL_MODE=unprivileged \
	/usr/bin/python3 -m pytest -q -p no:cacheprovider tests/integration
