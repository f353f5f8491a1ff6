#!/usr/bin/env bash
# SCNN density sweep on GoogLeNet (after Parashar et al. ISCA 2017): weight and activation density move
# together from 1.0 down to 0.1; each point is one `sparsim run` of configs/scnn-googlenet.yaml on the dense
# GoogLeNet with the weight density set for every prunable layer (workload.sparsity.weight_density:
# unstructured magnitude masks) and the activation density set for every layer. Prints a markdown table of the convolution
# layers' speedup and energy ratio of SCNN over DCNN and DCNN-opt.
# Usage: bench/scnn/density_sweep.sh [path/to/sparsim] [out-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
sparsim="${1:-$here/build/sparsim}"
out="${2:-$(mktemp -d)}"
mkdir -p "$out"
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
echo "| density (weights = activations) | SCNN cycles | DCNN cycles | speedup vs DCNN | speedup vs DCNN-opt | energy DCNN/SCNN | energy DCNN-opt/SCNN |"
echo "|---|---|---|---|---|---|---|"
for n in 10 9 8 7 6 5 4 3 2 1; do
  d="0.$n"; [ "$n" = 10 ] && d="1.0"
  sets=(--set workload.network=googlenet --set workload.sparsity.m=0 --set workload.sparsity.n=0
        --set "workload.sparsity.weight_density=$d")
  "$sparsim" run "$here/configs/scnn-googlenet.yaml" "${sets[@]}" \
      --set "workload.sparsity.activation_density=$d" --out "$out/d$n" > "$out/d$n.log" 2>&1
  /usr/bin/python3 - "$out/d$n/report.json" "$d" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["extra"]["scnn"]["conv_layers"] if "extra" in r else r["scnn"]["conv_layers"]
v = s["variants"]
print(f"| {sys.argv[2]} | {v['scnn']['cycles']:.4g} | {v['dcnn']['cycles']:.4g} | {s['speedup_vs_dcnn']:.2f}x | "
      f"{s['speedup_vs_dcnn_opt']:.2f}x | {s['energy_ratio_dcnn_over_scnn']:.2f}x | {s['energy_ratio_dcnn_opt_over_scnn']:.2f}x |")
PY
done
