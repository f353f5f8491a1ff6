#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/fuzz_*.cpp) with clang in build-fuzz and runs each for a while.
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s; targets: config, memtrace, ...)
#   FUZZ_REPLAY_ONLY=1 bash scripts/fuzz.sh                     replays the seed corpora only (-runs=0)
#   FUZZ_RUNS=N bash scripts/fuzz.sh                            N mutated inputs per target with a fixed
#                                                               seed (-seed=1): the same inputs every time
# Each target starts from a scratch copy of tests/fuzz/corpus/<target> (the repo's corpus is not touched)
# with the config-key dictionary tests/fuzz/config.dict. Findings (crash-, leak-, timeout-, oom- files)
# are kept under build-fuzz/findings/<target>/; the exit status is 1 if any target found anything.
# Environment: JOBS (build jobs, default nproc), FUZZ_OUT (scratch dir, default build-fuzz/run), FUZZ_KEEP=1
# (start from the corpus the previous run left in the scratch dir, plus the seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-60}
shift || true
jobs=${JOBS:-$(nproc)}
build=build-fuzz
scratch=${FUZZ_OUT:-$build/run}

start=$(date +%s)
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPARSIM_FUZZ=ON \
  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_all
built=$(date +%s)
echo "fuzz: build took $((built - start)) s" >&2

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.cpp; do
    t=$(basename "$src" .cpp)
    targets+=("${t#fuzz_}")
  done
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
failed=0
summary=()
for t in "${targets[@]}"; do
  exe="$build/fuzz_$t"
  [ -x "$exe" ] || { echo "fuzz: no target '$t' ($exe)" >&2; exit 2; }
  work="$scratch/$t"
  findings="$build/findings/$t"
  [ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$work"  # FUZZ_KEEP=1: continue from the last run's corpus
  mkdir -p "$work/corpus" "$findings"
  if [ -d "tests/fuzz/corpus/$t" ]; then cp -r "tests/fuzz/corpus/$t/." "$work/corpus/"; fi
  before=$(ls "$findings" | wc -l)
  common=(-timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/config.dict -artifact_prefix="$findings/"
          -print_final_stats=1)
  t0=$(date +%s)
  status=0
  if [ "${FUZZ_REPLAY_ONLY:-0}" = 1 ]; then
    "$exe" "${common[@]}" -runs=0 "$work/corpus" >"$work/log" 2>&1 || status=$?
  elif [ -n "${FUZZ_RUNS:-}" ]; then
    "$exe" "${common[@]}" -runs="$FUZZ_RUNS" -seed=1 "$work/corpus" >"$work/log" 2>&1 || status=$?
  else
    "$exe" "${common[@]}" -max_total_time="$seconds" "$work/corpus" >"$work/log" 2>&1 || status=$?
  fi
  t1=$(date +%s)
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | tail -1 | grep -o '[0-9]*$' || true)
  new=()
  while IFS= read -r f; do new+=("$f"); done < <(ls -t "$findings" | head -n $(( $(ls "$findings" | wc -l) - before )))
  if [ "$status" -ne 0 ] || [ ${#new[@]} -gt 0 ]; then
    failed=1
    line=$(printf '%-18s runs %-9s %4ss  FINDINGS: %s (exit %s)' "$t" "${runs:-?}" $((t1 - t0)) "${#new[@]}" "$status")
    summary+=("$line")
    for f in "${new[@]}"; do summary+=("    $root/$findings/$f"); done
    summary+=("    log: $root/$work/log")
    grep -m3 -E 'FUZZ FINDING|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$work/log" |
      sed 's/^/    /' >>"$work/summary" || true
    [ -s "$work/summary" ] && while IFS= read -r l; do summary+=("$l"); done <"$work/summary"
  else
    summary+=("$(printf '%-18s runs %-9s %4ss  findings: 0' "$t" "${runs:-?}" $((t1 - t0)))")
  fi
done
end=$(date +%s)
printf '%s\n' "${summary[@]}"
echo "fuzz: build $((built - start)) s, fuzzing $((end - built)) s" >&2
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FINDINGS (reproduce: build-fuzz/fuzz_TARGET FILE)" >&2
  exit 1
fi
