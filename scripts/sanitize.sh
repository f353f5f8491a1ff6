#!/usr/bin/env bash
# Builds sparsim and every test suite with GCC's AddressSanitizer + UndefinedBehaviorSanitizer in build-asan
# and runs ctest there. Any sanitizer report aborts the test process, so it shows as a failed test.
#   bash scripts/sanitize.sh [CTEST_ARGS...]      e.g.  bash scripts/sanitize.sh -R cli
# Environment: JOBS (parallel build jobs, default nproc), CTEST_JOBS (default JOBS),
# BUILD_TYPE (default RelWithDebInfo), OPT_FLAGS (its flags, default -O1 -g1; asserts stay on).
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
cmake --build build-asan -j"$jobs"
built=$(date +%s)
echo "sanitize: build took $((built - start)) s" >&2
# SystemC switches coroutine stacks without telling ASan; fake stacks for use-after-return would be wrong.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0${ASAN_EXTRA:+:$ASAN_EXTRA}"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/tests/sanitizers/ubsan.supp"
status=0
(cd build-asan && ctest --output-on-failure -j"$ctest_jobs" "$@") || status=$?
end=$(date +%s)
echo "sanitize: tests took $((end - built)) s, total $((end - start)) s, ctest exit $status" >&2
if [ "$status" -ne 0 ]; then
  echo "sanitize: FAILED (see build-asan/Testing/Temporary/LastTest.log)" >&2
fi
exit "$status"
