#!/usr/bin/env bash
# Regenerates the README gallery (docs/gallery/*.png) from the example sweeps in configs/sweeps/.
# Usage: plots/make_gallery.sh [SPARSIM_BINARY] [JOBS]   (defaults: build/sparsim, all cores)
# Sweep outputs go to out/gallery/<sweep>/; a sweep that is already finished there is not re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/sparsim}
jobs=${2:-$(nproc)}
out=out/gallery
fig=docs/gallery
mkdir -p "$fig"

sweep() {  # sweep NAME: runs configs/sweeps/NAME.yaml; returns non-zero (and says so) if it failed
  if ! "$bin" sweep "configs/sweeps/$1.yaml" --jobs "$jobs" --out "$out/$1"; then
    echo "make_gallery: sweep $1 failed; its figures are skipped" >&2
    return 1
  fi
}
plot() { "$bin" plot "$@"; }

if sweep sat-nm-array; then
  plot "$out/sat-nm-array/results.csv" --kind curve -o "$fig/sat-nm-speedup.png"
  plot "$out/sat-nm-array/results.csv" --kind curve --y energy_gain_step -o "$fig/sat-nm-energy-gain.png"
fi
if sweep sat-networks; then
  plot "$out/sat-networks/results.csv" --kind speedup -o "$fig/sat-networks-speedup.png"
  plot "$out/sat-networks/results.csv" --kind energy -o "$fig/sat-networks-energy.png"
  # Per-layer figures from one point's full report (ResNet-18).
  report=$(awk -F, 'NR > 1 && $4 == "resnet18" {print $2}' "$out/sat-networks/results.csv")
  plot "$out/sat-networks/points/$report/report.json" --kind speedup -o "$fig/sat-resnet18-layers.png"
  plot "$out/sat-networks/points/$report/report.json" --kind heatmap -o "$fig/sat-resnet18-utilization.png"
fi
if sweep scnn-density; then
  x="weight density = activation density"
  plot "$out/scnn-density/results.csv" --kind curve --xlabel "$x" -o "$fig/scnn-density-speedup.png"
  plot "$out/scnn-density/results.csv" --kind curve --xlabel "$x" --y energy_pj,baseline_energy_pj \
    -o "$fig/scnn-density-energy.png"
fi
if sweep scnn-granularity; then
  r="$out/scnn-granularity/results.csv"
  plot "$r" --kind curve --x workload.sparsity.weight_density --series workload.sparsity.profile \
    --y weight_index_bits --no-ideal -o "$fig/scnn-granularity-index-bits.png"
  plot "$r" --kind curve --x workload.sparsity.weight_density --series workload.sparsity.profile \
    --y memory_reference_bytes,wfifo_bytes --no-ideal -o "$fig/scnn-granularity-memory.png"
fi
if sweep stc-gemm; then
  plot "$out/stc-gemm/results.csv" --kind curve -o "$fig/stc-gemm-speedup.png"
fi
if sweep stc-lstm-gate-gradients; then
  plot "$out/stc-lstm-gate-gradients/results.csv" --kind curve --x workload.sparsity.gate_gradient_density \
    --y baseline_time_s --title "LSTM training step on the H200 model (dense weights)" \
    --ylabel "time per training step (ms)" -o "$fig/stc-lstm-gate-gradients.png"
fi
if sweep stc-lstm-sparse-persistent; then
  plot "$out/stc-lstm-sparse-persistent/results.csv" --kind curve --x workload.sparsity.weight_density \
    --title "Sparse persistent LSTM (Zhu et al. 2018) on the H200 model, FF, 32 steps" \
    -o "$fig/stc-lstm-sparse-persistent.png"
fi
if sweep cdma-pcie; then
  plot "$out/cdma-pcie/results.csv" --kind curve --x memory.pcie.generation -o "$fig/cdma-pcie-speedup.png"
  plot "$out/cdma-pcie/results.csv" --kind curve --x memory.pcie.generation \
    --y perf_vs_oracle_vdnn,perf_vs_oracle_cdma --ylabel "performance vs no-offload oracle (×)" \
    -o "$fig/cdma-pcie-vs-oracle.png"
fi
ls -l "$fig"
