#!/usr/bin/env python3
"""The stc model's recurrent layers against cuDNN on the H200 (issue 15; docs/validation/rnn.md).

For every fp16 case of bench/gpu/h200_rnn_measured.csv (cuDNN LSTM / GRU / RNN, forward and forward+backward),
runs `sparsim run configs/stc-h200.yaml` on a one-entry network of that cell, size, steps and stacked layers at
that batch, dense, and compares the dense variant's time with the measured cuDNN kernel time: the summed device
time of the cuDNN kernels of one call (bench/gpu/h200_rnn_kernels.csv, without PyTorch's own fill and gradient
accumulation kernels). The algorithm cuDNN chose is read off the kernel names: 'persistent' when a persistent
kernel ran (PyTorch picks CUDNN_RNN_ALGO_PERSIST_STATIC for fp16, one layer, hidden <= 1024, batch a multiple
of 8 up to 128), 'standard' otherwise. The model makes the same choice by the same rule (accelerator.rnn.
dense_algorithm: auto); the table gives both, so a disagreement shows.

Usage: bench/rnn/validate.py [SPARSIM] [OUT_CSV] [OUT_MD]   (defaults: build/sparsim,
       bench/rnn/h200_rnn_validation.csv, docs/validation/rnn.md)
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MEASURED = os.path.join(ROOT, "bench/gpu/h200_rnn_measured.csv")
KERNELS = os.path.join(ROOT, "bench/gpu/h200_rnn_kernels.csv")
PERSISTENT_MARKS = ("persist", "lstm_tile", "_bp_smallB", "_bp_largeB")


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def key(r):
    return (r["cell"], r["dtype"], int(r["hidden"]), int(r["batch"]), int(r["steps"]), int(r["layers"]), r["phase"])


def kernel_summary():
    out = {}
    for r in rows(KERNELS):
        k = key(r)
        e = out.setdefault(k, {"cudnn_us": 0.0, "persistent": False})
        name = r["kernel"]
        if name.startswith("void at::native") or name.startswith("Memset") or name.startswith("Memcpy"):
            continue
        e["cudnn_us"] += float(r["time_us"])
        if any(m in name for m in PERSISTENT_MARKS):
            e["persistent"] = True
    return out


def simulate(sparsim, case, tmp):
    cell, _dtype, hidden, batch, steps, layers, phase = case
    name = f"{cell}_{hidden}_{batch}_{steps}_{layers}_{phase}"
    net = os.path.join(tmp, name + ".yaml")
    with open(net, "w") as f:
        f.write(f"name: {name}\nlayers:\n  - {{name: {cell}, type: {cell}, input: {hidden}, hidden: {hidden}, "
                f"steps: {steps}, layers: {layers}}}\n")
    out = os.path.join(tmp, name)
    phases = "FF" if phase == "FF" else "FF,BP,WU"
    cmd = [sparsim, "run", os.path.join(ROOT, "configs/stc-h200.yaml"), "--set", f"workload.network={net}",
           "--set", f"workload.batch={batch}", "--set", f"workload.phases={phases}", "--set", "workload.sparsity.n=0",
           "--set", "workload.sparsity.m=0", "--out", out, "--quiet"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    clock = report["config"]["accelerator"]["clock_ghz"]
    dense = [j for j in report["jobs"] if j["variant"] == "dense"]
    cycles = sum(j["cycles"] for j in dense)
    algos = sorted({j["mapping"]["algorithm"] for j in dense if j["phase"] != "WU"})
    return cycles / clock / 1000.0, "+".join(algos)


def main():
    sparsim = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/sparsim")
    out_csv = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "bench/rnn/h200_rnn_validation.csv")
    out_md = sys.argv[3] if len(sys.argv) > 3 else os.path.join(ROOT, "docs/validation/rnn.md")
    ks = kernel_summary()
    cases = [key(r) for r in rows(MEASURED) if r["dtype"] == "fp16"]
    measured = {key(r): float(r["time_us"]) for r in rows(MEASURED)}
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        model = list(pool.map(lambda c: simulate(sparsim, c, tmp), cases))
    table = []
    for c, (m, algo) in zip(cases, model):
        k = ks.get(c, {"cudnn_us": measured[c], "persistent": False})
        table.append(dict(cell=c[0], hidden=c[2], batch=c[3], steps=c[4], layers=c[5], phase=c[6],
                          cudnn_algo="persistent" if k["persistent"] else "standard", model_algo=algo,
                          measured_us=round(k["cudnn_us"], 1), all_kernels_us=measured[c], model_us=round(m, 1),
                          error=round(m / k["cudnn_us"] - 1.0, 3)))
    with open(out_csv, "w", newline="") as f:
        f.write("# bench/rnn/validate.py: stc model (configs/stc-h200.yaml, dense) vs cuDNN kernel time on the H200\n")
        w = csv.DictWriter(f, fieldnames=list(table[0].keys()))
        w.writeheader()
        w.writerows(table)
    write_md(table, out_md)


def summary_line(label, sel):
    if not sel:
        return f"| {label} | 0 | | | |"
    errs = [r["error"] for r in sel]
    mean_abs = sum(abs(e) for e in errs) / len(errs)
    within = sum(1 for e in errs if abs(e) <= 0.2)
    return (f"| {label} | {len(sel)} | {100 * mean_abs:.0f} % | {100 * sum(errs) / len(errs):+.0f} % | "
            f"{within}/{len(sel)} |")


def write_md(table, path):
    std = [r for r in table if r["cudnn_algo"] == "standard"]
    per = [r for r in table if r["cudnn_algo"] == "persistent"]
    agree = sum(1 for r in table if r["model_algo"] == r["cudnn_algo"])
    lines = [
        "# stc: recurrent layers against cuDNN on the H200",
        "",
        "Generated by `bench/rnn/validate.py` (after building: `python3 bench/rnn/validate.py`). Measured:",
        "`bench/gpu/h200_rnn_measured.csv` and `bench/gpu/h200_rnn_kernels.csv` (made by `bench/gpu/measure_rnn.py`:",
        "PyTorch `nn.LSTM/GRU/RNN`, fp16, cuDNN; the summed device time of cuDNN's kernels of one call, without",
        "PyTorch's own fill and gradient-accumulation kernels). Predicted: the dense variant of `sparsim run",
        "configs/stc-h200.yaml` on a network of that one recurrent entry, with the algorithm PyTorch's rule",
        "picks (docs/rnn.md). FFBP = FF + BP + WU. error = model / measured - 1.",
        f"The model's algorithm is cuDNN's in {agree} of {len(table)} cases.",
        "",
        "## Summary",
        "",
        "| cases | n | mean absolute error | mean signed error | within 20 % |",
        "|---|---|---|---|---|",
        summary_line("all fp16", table),
        summary_line("cuDNN standard algorithm", std),
        summary_line("standard, FF", [r for r in std if r["phase"] == "FF"]),
        summary_line("standard, FFBP", [r for r in std if r["phase"] == "FFBP"]),
        summary_line("cuDNN persistent algorithm", per),
        summary_line("persistent, FF", [r for r in per if r["phase"] == "FF"]),
        summary_line("persistent, FFBP", [r for r in per if r["phase"] == "FFBP"]),
        "",
        "## Every case",
        "",
        "| cell | hidden | batch | steps | layers | phase | cuDNN algorithm | model algorithm | measured us | model us | error |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table:
        lines.append(f"| {r['cell']} | {r['hidden']} | {r['batch']} | {r['steps']} | {r['layers']} | {r['phase']} | "
                     f"{r['cudnn_algo']} | {r['model_algo']} | {r['measured_us']} | {r['model_us']} | "
                     f"{100 * r['error']:+.0f} % |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
