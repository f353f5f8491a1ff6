#!/usr/bin/env bash
# Builds sparsim and every test suite with GCC's AddressSanitizer + UndefinedBehaviorSanitizer in build-asan
# and runs ctest there. Any sanitizer report aborts the test process, so it shows as a failed test.
#   bash scripts/sanitize.sh [CTEST_ARGS...]      e.g.  bash scripts/sanitize.sh -R cli
# Environment: JOBS (parallel build jobs, default nproc), CTEST_JOBS (default JOBS),
# BUILD_TYPE (default RelWithDebInfo), OPT_FLAGS (its flags, default -O1 -g1; asserts stay on),
# TARGETS (build only these, e.g. "test_sweep test_workloads"; the suites not built then show as *_NOT_BUILT
# tests: add -E NOT_BUILT), LOGS (report folder, default build-asan/sanitizer-logs), TEST_TIMEOUT (seconds per
# test case, default 1800: the normal build's 600 s is too short for some cases under the sanitizers).
# Suppressions for reports inside SystemC / yaml-cpp themselves: tests/sanitizers/{lsan,ubsan}.supp.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-$(nproc)}
ctest_jobs=${CTEST_JOBS:-$jobs}
build_type=${BUILD_TYPE:-RelWithDebInfo}
opt=${OPT_FLAGS:--O1 -g1}  # ASan's recommended -O1; line tables only (symbolised stacks, faster builds)
flags="-fsanitize=address,undefined -fno-omit-frame-pointer"
start=$(date +%s)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$opt" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
# shellcheck disable=SC2086  # TARGETS is a list
cmake --build build-asan -j"$jobs" ${TARGETS:+--target $TARGETS}
built=$(date +%s)
echo "sanitize: build took $((built - start)) s" >&2
# Under ASan a case runs several times slower than in the normal build: "every library network runs through
# the SAT model" (14 sparsim runs) passed 600 s, CMakeLists.txt's TIMEOUT, on the shared machine. The
# sanitizer build alone gets a longer limit, in the test lists that catch_discover_tests wrote.
timeout=${TEST_TIMEOUT:-1800}
for f in build-asan/test_*_tests-*.cmake; do
  if [ -e "$f" ]; then sed -i -E "s/ TIMEOUT [0-9]+\)\$/ TIMEOUT $timeout)/" "$f"; fi
done
# SystemC switches coroutine stacks without telling ASan; fake stacks for use-after-return would be wrong,
# and ASan warns on stderr about the stack switches, which would break the tests that check stderr. So
# every sanitizer report goes to build-asan/sanitizer-logs/ (a report still aborts the process, failing the
# test) and is listed at the end.
logs=$(realpath -m "${LOGS:-$root/build-asan/sanitizer-logs}")
source scripts/sanitizer_ctest.sh
status=0
sanitizer_ctest sanitize build-asan "$logs" "$start" "$built" "$ctest_jobs" "$@" || status=$?
exit "$status"
