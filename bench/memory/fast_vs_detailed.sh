#!/bin/bash
# Fast mode against the detailed mode of sparsim's DRAM model, on every preset with one channel.
#
# Usage (from anywhere):
#   bench/memory/fast_vs_detailed.sh [SPARSIM] [OUT_CSV]
#     SPARSIM  default: build/sparsim of this checkout
#     OUT_CSV  default: bench/memory/fast_vs_detailed.csv
#
# For each preset (DDR4_3200 LPDDR4_3200 HBM2 HBM2E HBM3 GDDR5X, each with
# --set memory.dram.channels=1) it replays the six traces of make_traces.py (REQUESTS, default 20000,
# seed 1) in both modes and writes preset, trace, detailed_cycles, fast_cycles,
# error_pct = 100 * (fast - detailed) / detailed.  make_traces.py keeps addresses below 8 GiB; one
# channel of most presets holds less (LPDDR4_3200 1 GiB; HBM2, HBM2E, HBM3, GDDR5X 512 MiB), so each
# preset gets traces generated with --max-bytes = min(8 GiB, its capacity).  The capacity is read from
# sparsim's own refusal of a probe address.  Runs are serial.  Prints a markdown table.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SPARSIM="$(realpath "${1:-$ROOT/build/sparsim}")"
OUT_CSV="${2:-$HERE/fast_vs_detailed.csv}"
REQUESTS="${REQUESTS:-20000}"
WORK="$(mktemp -d /tmp/fast_vs_detailed.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

PRESETS="DDR4_3200 LPDDR4_3200 HBM2 HBM2E HBM3 GDDR5X"
TRACES="seq_read seq_write random_read mix_rw strided rate_limited"
EIGHT_GIB=$((8 << 30))

echo "preset,trace,detailed_cycles,fast_cycles,error_pct" > "$WORK/out.csv"
for preset in $PRESETS; do
  sets=(--set "memory.dram.preset=$preset" --set memory.dram.channels=1)
  # Capacity: sparsim names it when it refuses an address beyond it.
  echo "0xffffffffffc0 READ 0" > "$WORK/probe.trace"
  msg=$("$SPARSIM" memtrace "$WORK/probe.trace" "${sets[@]}" --out "$WORK/run" 2>&1 || true)
  cap=$(sed -n "s/.*beyond the memory's capacity (\([0-9]*\) bytes).*/\1/p" <<<"$msg")
  [ -n "$cap" ] || { echo "$preset: cannot read the capacity from: $msg" >&2; exit 1; }
  max=$(( cap < EIGHT_GIB ? cap : EIGHT_GIB ))
  tdir="$WORK/traces_$max"
  if [ ! -d "$tdir" ]; then
    /usr/bin/python3 "$HERE/make_traces.py" "$tdir" -n "$REQUESTS" --max-bytes "$max" >/dev/null
    for t in $TRACES; do head -n -1 "$tdir/$t.trace" > "$tdir/$t.sp"; done  # drop DRAMSim3's sentinel
  fi
  for t in $TRACES; do
    cyc=()
    for mode in detailed fast; do
      "$SPARSIM" memtrace "$tdir/$t.sp" "${sets[@]}" --mode "$mode" --out "$WORK/run" >/dev/null
      cyc+=("$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cycles"])' "$WORK/run/memtrace.json")")
    done
    err=$(/usr/bin/python3 -c 'import sys; d, f = map(int, sys.argv[1:]); print(f"{100 * (f - d) / d:.2f}")' "${cyc[0]}" "${cyc[1]}")
    echo "$preset,$t,${cyc[0]},${cyc[1]},$err" | tee -a "$WORK/out.csv" >&2
  done
done
cp "$WORK/out.csv" "$OUT_CSV"

/usr/bin/python3 - "$OUT_CSV" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("| preset | trace | detailed cycles | fast cycles | fast - detailed (%) |")
print("|---|---|---:|---:|---:|")
for r in rows:
    print(f"| {r['preset']} | {r['trace']} | {r['detailed_cycles']} | {r['fast_cycles']} | {r['error_pct']} |")
errs = [abs(float(r["error_pct"])) for r in rows]
print(f"\nmean |error| {sum(errs) / len(errs):.2f} %, max {max(errs):.2f} %, "
      f"within 10 %: {sum(e <= 10 for e in errs)} of {len(errs)}")
print("wrote", sys.argv[1])
PYEOF
