#!/usr/bin/env bash
# Nsight Compute counters of the dense (cuBLAS) and 2:4 (cuSPARSELt) GEMM kernels: see measure_ncu.py's docstring.
# Run from the repository root on a machine with the GPU: OUT=dir bench/gpu/run_ncu.sh
# Writes $OUT/h200_ncu_counters.csv (plus the ncu report, its raw CSV and the case manifest).
# NCU_QUICK=1: first shape only (a check of the metric list).
set -uo pipefail
OUTD=${OUT:-.}
HERE=$(dirname "$0")
export NCU_VERSION=$(ncu --version | tail -1)
# Keep only hardware metrics whose base name this ncu/GPU knows (launch__* are not listed by --query-metrics).
KNOWN=$(ncu --query-metrics 2>/dev/null | awk '{print $1}' | grep -E '^[a-z0-9]+__')
DROP=""
for m in $(python3 "$HERE/measure_ncu.py" metrics | tr ',' ' '); do
  base=${m%%.*}
  case $base in launch__*) continue ;; esac
  [ -n "$KNOWN" ] && { grep -qx "$base" <<<"$KNOWN" || DROP="$DROP,$m"; }
done
export NCU_DROP=${DROP#,}
echo "metrics dropped (unknown here): ${NCU_DROP:-none}"
profile() {
  ncu --profile-from-start off --clock-control none --cache-control all --replay-mode kernel --nvtx \
      --metrics "$(python3 "$HERE/measure_ncu.py" metrics)" -f -o "$OUTD/h200_ncu" \
      python3 "$HERE/measure_ncu.py" run "$OUTD/ncu_manifest.json"
}
if ! profile; then
  export NCU_DROP="$NCU_DROP,launch__cluster_dim_x,launch__cluster_dim_y,launch__cluster_dim_z,launch__waves_per_multiprocessor"
  echo "retrying without: $NCU_DROP"
  profile || exit 1
fi
ncu -i "$OUTD/h200_ncu.ncu-rep" --csv --page raw --print-units base > "$OUTD/ncu_raw.csv" || exit 1
python3 "$HERE/measure_ncu.py" parse "$OUTD/ncu_raw.csv" "$OUTD/ncu_manifest.json" "$OUTD/h200_ncu_counters.csv"
