#!/bin/bash
# Replay speed of `sparsim memtrace`: requests per wall-clock second, fast and detailed mode.
#
# Usage (from anywhere):
#   bench/memory/bench_memtrace.sh [SPARSIM]      (default: build/sparsim of this checkout)
#
# Trace: REQUESTS (default 1000000) uniform random 64 B-aligned reads below 8 GiB, all offered at
# cycle 0 (make_traces.py --kinds random_read, seed 1, sentinel line dropped).  Memories: the default
# config's (preset DDR4_3200, 4 channels, 32 GiB) and the HBM2 preset as one stack
# (--set memory.dram.preset=HBM2 --set memory.dram.channels=16: 16 pseudo-channels, 8 GiB; with the
# default config's 4 channels HBM2 holds only 2 GiB and sparsim refuses the 8 GiB trace).
# Runs are serial; the wall time includes reading the trace and writing memtrace.json.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SPARSIM="$(realpath "${1:-$ROOT/build/sparsim}")"
REQUESTS="${REQUESTS:-1000000}"
WORK="$(mktemp -d /tmp/bench_memtrace.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

/usr/bin/python3 "$HERE/make_traces.py" "$WORK" -n "$REQUESTS" --kinds random_read >/dev/null
head -n -1 "$WORK/random_read.trace" > "$WORK/random_read.sp"   # drop DRAMSim3's sentinel line
TRACE="$WORK/random_read.sp"
[ "$(wc -l < "$TRACE")" -eq "$REQUESTS" ] || { echo "trace has the wrong length" >&2; exit 1; }

echo "sparsim memtrace, $REQUESTS random reads, $(nproc) cores ($(uname -m))"
printf '%-10s %-9s %10s %12s %14s\n' preset mode wall_s cycles requests/s
for preset in DDR4_3200 HBM2; do
  set_args=()
  [ "$preset" = DDR4_3200 ] || set_args=(--set "memory.dram.preset=$preset" --set memory.dram.channels=16)
  for mode in fast detailed; do
    t0=$(date +%s.%N)
    "$SPARSIM" memtrace "$TRACE" "${set_args[@]}" --mode "$mode" --out "$WORK/out" >/dev/null
    t1=$(date +%s.%N)
    cycles=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cycles"])' "$WORK/out/memtrace.json")
    /usr/bin/python3 -c 'import sys
p, m, t0, t1, n, c = sys.argv[1:]
w = float(t1) - float(t0)
print(f"{p:<10} {m:<9} {w:10.2f} {c:>12} {int(n) / w:14,.0f}")' "$preset" "$mode" "$t0" "$t1" "$REQUESTS" "$cycles"
  done
done
