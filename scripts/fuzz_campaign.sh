#!/usr/bin/env bash
# A fuzzing campaign with a fixed number of inputs per target through the ASan + UBSan libFuzzer build, and a
# table of outcomes (docs/reliability.md, "Campaign"): inputs run, accepted, rejected with an InputError
# (exit 2 in the CLI), and the findings libFuzzer saved (crash incl. internal errors and sanitizer reports,
# timeout > 10 s, oom > 2 GB, leak), with each target's peak memory and speed.
#   bash scripts/fuzz_campaign.sh [RUNS_PER_TARGET] [TARGET...]   (default 10000, every target)
# Uses scripts/fuzz.sh (same build, corpus copies and dictionary); FUZZ_SEED (default 2) picks the inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10000}
shift || true
out=build-fuzz/campaign
rm -rf "$out"
mkdir -p "$out"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for src in tests/fuzz/fuzz_*.cpp; do t=$(basename "$src" .cpp); targets+=("${t#fuzz_}"); done
fi
# Build once through fuzz.sh (replaying nothing: a target list that matches none is not allowed, so replay one).
FUZZ_REPLAY_ONLY=1 bash scripts/fuzz.sh 1 "${targets[0]}" >/dev/null
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
echo "| target | inputs run | accepted | rejected (InputError) | crash / sanitizer / internal error | timeout (>10 s) | oom (>2 GB) | leak | peak RSS MB | inputs/s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
status=0
for t in "${targets[@]}"; do
  work="$out/$t"
  mkdir -p "$work/corpus" "$work/findings"
  [ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$work/corpus/"
  t0=$(date +%s.%N)
  rc=0
  SPARSIM_FUZZ_TALLY="$work/tally" build-fuzz/fuzz_"$t" -runs="$runs" -seed="${FUZZ_SEED:-2}" -timeout=10 \
    -rss_limit_mb=2048 -dict=tests/fuzz/config.dict -artifact_prefix="$work/findings/" -print_final_stats=1 \
    "$work/corpus" >"$work/log" 2>&1 || rc=$?
  t1=$(date +%s.%N)
  accepted=$(awk '{a += $2} END {print a + 0}' "$work/tally" 2>/dev/null || echo 0)
  rejected=$(awk '{r += $4} END {print r + 0}' "$work/tally" 2>/dev/null || echo 0)
  count() { find "$work/findings" -name "$1-*" | wc -l; }
  crash=$(count crash) timeout=$(count timeout) oom=$(count oom) leak=$(count leak)
  done_runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo "?")
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$work/log" | grep -o '[0-9]*$' || echo "?")
  rate=$(awk -v n="${done_runs:-0}" -v a="$t0" -v b="$t1" 'BEGIN {printf "%.0f", n / (b - a)}')
  echo "| $t | $done_runs | $accepted | $rejected | $crash | $timeout | $oom | $leak | $rss | $rate |"
  [ "$rc" = 0 ] && [ $((crash + timeout + oom + leak)) = 0 ] || status=1
done
exit $status
