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
source scripts/sanitizer_ctest.sh
status=0
sanitizer_ctest sanitize_subset "$build" "$root/$build/sanitizer-logs" "$start" "$built" "$ctest_jobs" "$@" || status=$?
exit "$status"
