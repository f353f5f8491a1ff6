#!/usr/bin/python3
"""Benchmark of the SAT-style model (docs/performance.md).

Runs `sparsim run` on
  (a) one AlexNet conv layer (conv3, batch 64, FF) on a 32 x 32 dense weight-stationary array,
      in fast and in detailed mode;
  (b) a ResNet-50 training step (batch 4) on the 32 x 32 SAT-style array at 2:8, fast mode, and again with
      the reuse of identical jobs off (accelerator.sim.reuse_identical_gemms=false: every job simulated);
  (c) the same in detailed mode (the per-cycle array structure and DRAM controllers);
  (d, e) SCALE-Sim's AlexNet topology on configs/sat-scalesim.yaml, detailed, WS and OS;
and prints simulated cycles (all jobs of both variants, from report.json), how many of them fast mode took
from an identical job instead of simulating them, wall time, simulated cycles per wall second (all cycles,
reused ones included) and peak memory (maximum resident set size from /usr/bin/time -v).

usage: bench/bench_sat.py [--binary build/sparsim] [--out /tmp/bench_sat]
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = [
    ("a: AlexNet conv3, 32x32 dense WS, fast", "configs/sat-alexnet-conv-dense.yaml", "fast", []),
    ("a: AlexNet conv3, 32x32 dense WS, detailed", "configs/sat-alexnet-conv-dense.yaml", "detailed", []),
    ("b: ResNet-50 step, 32x32 SAT 2:8, fast", "configs/sat-resnet50.yaml", "fast", []),
    ("b: ResNet-50 step, 32x32 SAT 2:8, fast, no reuse", "configs/sat-resnet50.yaml", "fast",
     ["accelerator.sim.reuse_identical_gemms=false"]),
    ("c: ResNet-50 step, 32x32 SAT 2:8, detailed", "configs/sat-resnet50.yaml", "detailed", []),
    ("d: SCALE-Sim AlexNet, 32x32 WS, detailed", "configs/sat-scalesim.yaml", "detailed", []),
    ("e: SCALE-Sim AlexNet, 32x32 OS, detailed", "configs/sat-scalesim.yaml", "detailed",
     ["accelerator.dataflow=output_stationary"]),
]


def run(binary, config, mode, sets, out):
    cmd = ["/usr/bin/time", "-v", binary, "run", os.path.join(ROOT, config), "--mode", mode, "--out", out]
    for s in sets:
        cmd += ["--set", s]
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
    parts = [float(x) for x in wall.split(":")]
    seconds = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1))
    with open(os.path.join(out, "report.json")) as f:
        report = json.load(f)
    cycles = sum(j["cycles"] for j in report["jobs"])
    reused = sum(j["cycles"] for j in report["jobs"] if "reused_from_job" in j["mapping"])
    return cycles, reused, seconds, rss_kib


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "sparsim"))
    ap.add_argument("--out", default="/tmp/bench_sat")
    args = ap.parse_args()
    print(f"{'case':50} {'sim cycles':>12} {'reused':>12} {'wall s':>8} {'cycles/s':>12} {'peak MiB':>9}")
    for i, (name, config, mode, sets) in enumerate(CASES):
        out = os.path.join(args.out, str(i))
        os.makedirs(out, exist_ok=True)
        cycles, reused, seconds, rss = run(args.binary, config, mode, sets, out)
        rate = cycles / seconds if seconds > 0 else float("inf")
        print(f"{name:50} {cycles:12d} {reused:12d} {seconds:8.2f} {rate:12.3g} {rss / 1024:9.1f}", flush=True)


if __name__ == "__main__":
    main()
