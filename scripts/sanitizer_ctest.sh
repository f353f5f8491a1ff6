# Sourced by scripts/sanitize.sh and scripts/sanitize_subset.sh: runs ctest in a sanitizer build with every
# ASan/LSan/UBSan report written to a log folder (a report aborts its test) and the suppressions of
# tests/sanitizers/, then lists the reports.
#   sanitizer_ctest NAME BUILD_DIR LOGS_DIR START BUILT CTEST_JOBS [CTEST_ARGS...]
# Exits with 0 only if ctest passed and no log holds a report. ASAN_EXTRA adds ASan options.
sanitizer_ctest() {
  local name=$1 build=$2 logs=$3 start=$4 built=$5 ctest_jobs=$6
  shift 6
  local supp
  supp="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/sanitizers"
  rm -rf "$logs"
  mkdir -p "$logs"
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:log_path=$logs/asan:suppressions=$supp/asan.supp${ASAN_EXTRA:+:$ASAN_EXTRA}"
  # use_stacks=0: LeakSanitizer's tracer reads every thread's stack at exit, and SystemC's coroutine stacks
  # (QuickThreads, switched without ASan's knowledge: "ASan is ignoring requested __asan_handle_no_return")
  # make it fault on some address layouts ("Tracer caught signal 11 ... LeakSanitizer has encountered a
  # fatal error"): on the 2026-12-01 machine 7 of 10 runs of a PCIe test whose simulation runs in the test
  # process aborted so, with every assertion passed. Heap and globals are still scanned, so a leak is still
  # found unless only a stack held its pointer at exit.
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0:use_stacks=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan:suppressions=$supp/ubsan.supp"
  local status=0
  (cd "$build" && ctest --output-on-failure -j"$ctest_jobs" "$@") || status=$?
  local end reports
  end=$(date +%s)
  reports=$(grep -lE "ERROR: (Address|Leak)Sanitizer|runtime error" "$logs"/* 2>/dev/null || true)
  echo "$name: tests took $((end - built)) s, total $((end - start)) s, ctest exit $status" >&2
  if [ -n "$reports" ]; then
    echo "$name: reports in:" >&2
    echo "$reports" >&2
    grep -hE "SUMMARY|runtime error" $reports | sort | uniq -c | sort -rn | head -20 >&2
    status=1
  fi
  if [ "$status" -ne 0 ]; then
    echo "$name: FAILED (see $build/Testing/Temporary/LastTest.log and $logs)" >&2
  else
    echo "$name: passed, no sanitizer report" >&2
  fi
  return "$status"
}
