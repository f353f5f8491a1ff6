#!/usr/bin/python3
"""Fast mode against the detailed structure of the SAT-style model (docs/sat.md, "Fast against detailed").

For each case runs `sparsim run` in both modes and prints, per variant (sparse / dense): total cycles
and the fast error, the array's compute cycles (busy + operand, bank-conflict and fill/drain stalls)
and their error, each stall cause in both modes, and GLB bank accesses. The detailed mode is the
reference: (fast - detailed) / detailed.

usage: bench/sat_modes.py [--binary build/sparsim] [--out /tmp/sat_modes] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["accelerator.array.rows=8", "accelerator.array.cols=8", "accelerator.array.max_m=8"]
CASES = [
    ("SCALE-Sim AlexNet WS (dense)", "configs/sat-scalesim.yaml", []),
    ("SCALE-Sim AlexNet OS (dense)", "configs/sat-scalesim.yaml", ["accelerator.dataflow=output_stationary"]),
    ("ResNet-18 conv layers 2:8, OS forced", None,
     ["accelerator.dataflow=output_stationary", "workload.layers=layer2.0.conv1,layer3.0.conv2,layer4.1.conv1"]),
    ("ResNet-18 step 2:8, 8 GLB banks (starved)", "configs/sat-starved.yaml", []),
    ("ResNet-18 step 2:8 (default run)", None, []),
    ("ResNet-50 step 2:8", "configs/sat-resnet50.yaml", []),
]
CAUSES = ["operand_starvation", "bank_conflict", "fill_drain", "dram_bandwidth", "mask_generation"]


def run(binary, config, mode, sets, out):
    cmd = [binary, "run"] + ([os.path.join(ROOT, config)] if config else []) + ["--mode", mode, "--out", out]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout[-1500:]}\n{p.stderr[-1500:]}")
    with open(os.path.join(out, "report.json")) as f:
        return json.load(f)


def totals(report):
    t = {}
    for j in report["jobs"]:
        v = t.setdefault(j["variant"], {"cycles": 0, "compute": 0, "glb_words": 0, **{c: 0 for c in CAUSES}})
        v["cycles"] += j["cycles"]
        a = j["counters"]["array"]
        v["compute"] += (a["busy_cycles"] + a["stall_operand_cycles"] + a["stall_bank_conflict_cycles"]
                         + a["stall_fill_drain_cycles"])
        v["glb_words"] += j["counters"]["glb"]["bank_accesses"]
        for c in CAUSES:
            v[c] += j["stall_cycles"].get(c, 0)
    return t


def err(f, d):
    return f"{(f - d) / d * 100:+.1f}%" if d else "n/a"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "sparsim"))
    ap.add_argument("--out", default="/tmp/sat_modes")
    ap.add_argument("--quick", action="store_true", help="skip the ResNet-50 step")
    a = ap.parse_args()
    print("| case | variant | cycles fast / detailed (err) | compute fast / detailed (err) | "
          "operand / bank / fill-drain / DRAM / mask stalls, fast | same, detailed | GLB words err |")
    print("|---|---|---|---|---|---|---|")
    for name, config, sets in CASES:
        if a.quick and "ResNet-50" in name:
            continue
        tag = str(abs(hash(name)))
        f = totals(run(a.binary, config, "fast", sets, os.path.join(a.out, tag + "-fast")))
        d = totals(run(a.binary, config, "detailed", sets, os.path.join(a.out, tag + "-detailed")))
        for v in sorted(f):
            x, y = f[v], d[v]
            st = lambda z: " / ".join(f"{z[c]:,}" for c in CAUSES)
            print(f"| {name} | {v} | {x['cycles']:,} / {y['cycles']:,} ({err(x['cycles'], y['cycles'])}) | "
                  f"{x['compute']:,} / {y['compute']:,} ({err(x['compute'], y['compute'])}) | {st(x)} | {st(y)} | "
                  f"{err(x['glb_words'], y['glb_words'])} |", flush=True)


if __name__ == "__main__":
    main()
