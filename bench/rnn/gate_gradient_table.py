#!/usr/bin/env python3
"""Backward-pass time of an LSTM layer against structured gate-gradient density, from the example sweep.

Usage (from the repository root, after building):
  build/sparsim sweep configs/sweeps/stc-lstm-gate-gradients.yaml --out out/gallery/stc-lstm-gate-gradients
  python3 bench/rnn/gate_gradient_table.py out/gallery/stc-lstm-gate-gradients
Prints a markdown table (docs/rnn.md): per hidden size and batch, the dense-weight ("dense" variant) time of BP
and of BP + WU at each gate-gradient density, and the speedup over density 1.0 (the dense backward pass).
"""
import csv
import json
import os
import sys


def main():
    sweep = sys.argv[1] if len(sys.argv) > 1 else "out/gallery/stc-lstm-gate-gradients"
    with open(os.path.join(sweep, "results.csv")) as f:
        points = [r for r in csv.DictReader(f) if r["status"] == "ok"]
    times = {}  # (hidden, batch) -> {density: (bp_us, bpwu_us)}
    for p in points:
        with open(os.path.join(sweep, "points", p["run"], "report.json")) as f:
            report = json.load(f)
        clock = report["config"]["accelerator"]["clock_ghz"]
        jobs = [j for j in report["jobs"] if j["variant"] == report["accelerator"]["baseline_variant"]]
        bp = sum(j["cycles"] for j in jobs if j["phase"] == "BP") / clock / 1000.0
        wu = sum(j["cycles"] for j in jobs if j["phase"] == "WU") / clock / 1000.0
        key = (int(p["label.hidden"]), int(p["workload.batch"]))
        times.setdefault(key, {})[float(p["workload.sparsity.gate_gradient_density"])] = (bp, bp + wu)
    densities = sorted({d for v in times.values() for d in v}, reverse=True)
    head = " | ".join(f"BP+WU us at {d:g} (speedup)" for d in densities)
    print(f"| hidden | batch | {head} |")
    print("|---|---|" + "---|" * len(densities))
    for (h, b), v in sorted(times.items()):
        base = v[1.0][1]
        cells = " | ".join(f"{v[d][1]:.0f} ({base / v[d][1]:.2f}x)" for d in densities)
        print(f"| {h} | {b} | {cells} |")
    print()
    print("| hidden | batch | " + " | ".join(f"BP us at {d:g} (speedup)" for d in densities) + " |")
    print("|---|---|" + "---|" * len(densities))
    for (h, b), v in sorted(times.items()):
        base = v[1.0][0]
        cells = " | ".join(f"{v[d][0]:.0f} ({base / v[d][0]:.2f}x)" for d in densities)
        print(f"| {h} | {b} | {cells} |")


if __name__ == "__main__":
    main()
