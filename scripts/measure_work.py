#!/usr/bin/env python3
"""Measures the up-front work estimate (run.max_events, docs/reliability.md "Bounded runs: --max-events")
against real runs: for each case it reads the estimate from the refusal `--max-events 1` gives, then runs
the case (without a limit) and reads the simulated cycles of every job of every variant from report.json
and the wall time.

    /usr/bin/python3 scripts/measure_work.py [--binary build/sparsim] [CASE_FILTER]

Prints one row per case: estimated cycles, simulated cycles, their ratio, estimated events, wall seconds,
and wall microseconds per estimated event. Cases named "long: ..." run only when FILTER selects them.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CASES = [
    # (name, args)
    ("sat default fast", "run"),
    ("sat default detailed", "run --mode detailed"),
    ("sat resnet50 fast", "run configs/sat-resnet50.yaml"),
    ("sat alexnet-conv3 fast", "run configs/sat-alexnet-conv-dense.yaml"),
    ("sat alexnet-conv3 detailed", "run configs/sat-alexnet-conv-dense.yaml --mode detailed"),
    ("sat scalesim detailed", "run configs/sat-scalesim.yaml --mode detailed"),
    ("sat starved fast", "run configs/sat-starved.yaml"),
    ("sat default b32 fast", "run --set workload.batch=32"),
    ("sat default fc b1 detailed", "run --mode detailed --set workload.layers=fc --set workload.batch=1"),
    ("scnn alexnet fast", "run configs/scnn-alexnet.yaml"),
    ("scnn alexnet-training fast", "run configs/scnn-alexnet-training.yaml"),
    ("scnn googlenet fast", "run configs/scnn-googlenet.yaml"),
    ("scnn alexnet conv3 detailed", "run configs/scnn-alexnet.yaml --mode detailed --set workload.layers=conv3"),
    ("scnn default fast", "run --set accelerator.name=scnn --set workload.phases=FF"),
    ("stc h200 fast", "run configs/stc-h200.yaml"),
    ("stc a100 fast", "run configs/stc-a100.yaml"),
    ("stc h200 q_proj FF b1 detailed", "run configs/stc-h200.yaml --mode detailed --set workload.phases=FF "
     "--set workload.layers=layers.0.self_attn.q_proj --set workload.batch=1"),
    ("stc h200 q_proj FF b1 fast", "run configs/stc-h200.yaml --set workload.phases=FF "
     "--set workload.layers=layers.0.self_attn.q_proj --set workload.batch=1"),
    ("stc h200 scores FF b1 detailed", "run configs/stc-h200.yaml --mode detailed --set workload.phases=FF "
     "--set workload.layers=layers.0.self_attn.scores --set workload.batch=1"),
    ("stc h200 gate_proj FF b1 detailed", "run configs/stc-h200.yaml --mode detailed --set workload.phases=FF "
     "--set workload.layers=layers.0.mlp.gate_proj --set workload.batch=1"),
    # about 13 minutes: only when asked for by name (FILTER "long")
    ("long: stc h200 FF detailed", "run configs/stc-h200.yaml --mode detailed --set workload.phases=FF"),
    ("stc default fast", "run --set accelerator.name=stc"),
    ("stc h200 lstm fast", "run configs/stc-h200-lstm.yaml"),
    ("long: stc h200 lstm detailed", "run configs/stc-h200-lstm.yaml --mode detailed"),
    ("cdma alexnet fast", "run configs/cdma-alexnet.yaml"),
    ("cdma vgg16 fast", "run configs/cdma-vgg16.yaml"),
    ("cdma alexnet b8 detailed", "run configs/cdma-alexnet.yaml --mode detailed --set workload.batch=8"),
    ("cdma alexnet b8 fast", "run configs/cdma-alexnet.yaml --set workload.batch=8"),
    ("cdma googlenet fast", "run configs/cdma-googlenet.yaml"),
]


def main():
    args = sys.argv[1:]
    binary = "build/sparsim"
    if args[:1] == ["--binary"]:
        binary, args = args[1], args[2:]
    pick = args[0] if args else ""
    env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    print("| case | estimated cycles | simulated cycles | simulated / estimated | estimated events | wall s | us / event |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, case in CASES:
        if pick not in name or (name.startswith("long") and not pick):
            continue
        with tempfile.TemporaryDirectory() as out:
            refused = subprocess.run([binary] + case.split() + ["--max-events", "1", "--out", out, "--quiet"],
                                     capture_output=True, text=True, env=env)
            m = re.search(r"about ([\d,]+) events \(([\d,]+) simulated cycles", refused.stderr)
            if not m:
                print(f"| {name} | no estimate: {refused.stderr.strip()} |")
                continue
            events, est = (int(g.replace(",", "")) for g in m.groups())
            start = time.monotonic()
            done = subprocess.run([binary] + case.split() + ["--max-events", "0", "--out", out, "--quiet"],
                                  capture_output=True, text=True, env=env)
            wall = time.monotonic() - start
            if done.returncode != 0:
                print(f"| {name} | run failed: {done.stderr.strip()[:200]} |")
                continue
            with open(os.path.join(out, "report.json")) as f:
                report = json.load(f)
            cycles = sum(j["cycles"] for j in report["jobs"])
            print(f"| {name} | {est:,} | {cycles:,} | {cycles / est:.2f} | {events:,} | {wall:.2f} | "
                  f"{wall * 1e6 / max(events, 1):.3f} |", flush=True)


if __name__ == "__main__":
    main()
