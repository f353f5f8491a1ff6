#!/usr/bin/env bash
# CI's sanitizer subset (docs/reliability.md): the Catch2 suites that need no sparsim binary (tests/core, and
# tests/memory without its *_cli.cpp) built in the clang ASan+UBSan fuzz build (build-fuzz, the target
# `sanitized_tests` in CMakeLists.txt's SPARSIM_FUZZ section) and run through ctest, one process per case.
# scripts/test.sh runs it after the fuzz smoke, which has already built sparsim_core and the models there, so
# only the test sources and two links are added (docs/reliability.md). The whole suite under GCC:
# scripts/sanitize.sh.
#   bash scripts/sanitize_subset.sh [CTEST_ARGS...]
# Environment: JOBS (build jobs, default nproc), CTEST_JOBS (default JOBS).
# Same sanitizer options and suppressions (tests/sanitizers/) as scripts/sanitize.sh; every report goes to
# build-fuzz/sanitizer-logs/, aborts its test, and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-$(nproc)}
ctest_jobs=${CTEST_JOBS:-$jobs}
build=build-fuzz
start=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPARSIM_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j"$jobs" --target sanitized_tests
built=$(date +%s)
echo "sanitize_subset: build took $((built - start)) s" >&2
logs="$root/$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
supp="$root/tests/sanitizers"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:log_path=$logs/asan:suppressions=$supp/asan.supp"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan:suppressions=$supp/ubsan.supp"
status=0
(cd "$build" && ctest --output-on-failure -j"$ctest_jobs" "$@") || status=$?
end=$(date +%s)
reports=$(grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error" "$logs"/* 2>/dev/null || true)
echo "sanitize_subset: tests took $((end - built)) s, total $((end - start)) s, ctest exit $status" >&2
if [ -n "$reports" ]; then
  echo "sanitize_subset: reports in:" >&2
  echo "$reports" >&2
  grep -hE "SUMMARY|runtime error" $reports | sort | uniq -c | sort -rn | head -20 >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "sanitize_subset: FAILED (see $build/Testing/Temporary/LastTest.log and $logs)" >&2
else
  echo "sanitize_subset: passed, no sanitizer report" >&2
fi
exit "$status"
