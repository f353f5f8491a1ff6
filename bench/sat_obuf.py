#!/usr/bin/python3
"""Output-buffer bank conflicts of the SAT-style model, fast mode against the detailed structure.

Runs ResNet-18's layer2.0.conv1 and fc (FF, BP, WU, batch 32, 2:8) with narrow accumulator buffers
(accelerator.obuf.banks below the 32 array columns, single-ported banks) in both modes, and prints per
sparse job: cycles in each mode and the fast error, and the obuf stall cycles in each mode
(array.stall_obuf_conflict_cycles). docs/sat.md, "Output buffer bank conflicts", holds the output.

usage: bench/sat_obuf.py [--binary build/sparsim]
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CASES = [
    ("WS, 16 banks", ["accelerator.obuf.banks=16", "accelerator.dataflow=weight_stationary"]),
    ("WS, single-ported", ["accelerator.obuf.bank_ports=single", "accelerator.dataflow=weight_stationary"]),
    ("WS, 8 banks, single-ported",
     ["accelerator.obuf.banks=8", "accelerator.obuf.bank_ports=single", "accelerator.dataflow=weight_stationary"]),
    ("OS, 4 banks", ["accelerator.obuf.banks=4", "accelerator.dataflow=output_stationary"]),
    ("OS, 8 banks, single-ported",
     ["accelerator.obuf.banks=8", "accelerator.obuf.bank_ports=single", "accelerator.dataflow=output_stationary"]),
    ("OS overlapped, 2 banks",
     ["accelerator.obuf.banks=2", "accelerator.array.os_drain=overlapped", "accelerator.dataflow=output_stationary"]),
]
BASE = ["workload.layers=layer2.0.conv1,fc"]


def run(binary, mode, sets, out):
    cmd = [binary, "run", "--mode", mode, "--out", out]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, capture_output=True,
                   env=dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1"))
    with open(os.path.join(out, "report.json")) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "sparsim"))
    args = ap.parse_args()
    print("| case | job | cycles detailed | cycles fast | error | obuf stall detailed | obuf stall fast |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, sets in CASES:
            reports = {m: run(args.binary, m, BASE + sets, os.path.join(tmp, m)) for m in ("fast", "detailed")}
            for jf, jd in zip(reports["fast"]["jobs"], reports["detailed"]["jobs"]):
                if jf["variant"] != "sparse":
                    continue
                sf = jf["counters"]["array"]["stall_obuf_conflict_cycles"]
                sd = jd["counters"]["array"]["stall_obuf_conflict_cycles"]
                err = (jf["cycles"] - jd["cycles"]) / jd["cycles"] * 100
                print(f"| {name} | {jf['layer']} {jf['phase']} | {jd['cycles']:,} | {jf['cycles']:,} | {err:+.1f} % "
                      f"| {sd:,} | {sf:,} |")


if __name__ == "__main__":
    main()
