#!/usr/bin/python3
"""Fast mode against the detailed structure of the SAT-style model (docs/sat.md, "Fast against detailed").

For each case runs `sparsim run` in both modes and prints, per variant (sparse / dense): total cycles
and the fast error, the array's compute cycles (busy + operand, bank-conflict and fill/drain stalls)
and their error, each stall cause in both modes, and GLB bank accesses. The detailed mode is the
reference: (fast - detailed) / detailed.

After that table, per case, every numeric counter of the jobs' reports (jobs[].counters, {group: {name:
number}}) summed per variant, as group.name, detailed, fast and error: the counters that differ, a line
with how many (counter, variant) values are exactly equal and which counters are equal in every variant,
and a line naming what is left out: the array's stall counters that equal the job's stall_cycles
entries, which the first table already shows (a stall counter that does not equal them is listed
instead), and anything that is not a number.

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
# array counters that repeat a stall cause of the first table: skipped from the counter table when equal to it
IN_STALL_TABLE = {"array.stall_operand_cycles": "operand_starvation",
                  "array.stall_bank_conflict_cycles": "bank_conflict",
                  "array.stall_fill_drain_cycles": "fill_drain", "array.stall_dram_cycles": "dram_bandwidth",
                  "array.stall_mask_cycles": "mask_generation"}


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
                         + a.get("stall_obuf_conflict_cycles", 0) + a["stall_fill_drain_cycles"])
        v["glb_words"] += j["counters"]["glb"]["bank_accesses"]
        for c in CAUSES:
            v[c] += j["stall_cycles"].get(c, 0)
    return t


def counter_totals(report):
    """{variant: {"group.name": sum}}, plus the names skipped (as stall-table duplicates or non-numbers)."""
    t, dup, other = {}, set(), set()
    mismatch = set()
    for j in report["jobs"]:
        v = t.setdefault(j["variant"], {})
        for g, names in j["counters"].items():
            if not isinstance(names, dict):
                other.add(g)
                continue
            for n, x in names.items():
                key = f"{g}.{n}"
                if isinstance(x, bool) or not isinstance(x, (int, float)):
                    other.add(key)
                    continue
                v[key] = v.get(key, 0) + x
                if key in IN_STALL_TABLE:
                    (dup if x == j["stall_cycles"].get(IN_STALL_TABLE[key], 0) else mismatch).add(key)
    return t, dup - mismatch, other


def cerr(f, d):
    """(f - d) / d with enough digits to show small differences."""
    if f is None or d is None or not d:
        return "n/a"
    e = (f - d) / d * 100
    return f"{e:+.2f}%" if abs(e) >= 0.01 else f"{e:+.1e}%"


def fmt(x):
    return "—" if x is None else f"{x:,}" if isinstance(x, int) else f"{x:,.6g}"


def counter_table(name, fast, detailed):
    (f, fdup, fother), (d, ddup, dother) = fast, detailed
    skip = fdup & ddup
    rows, equal, total = [], {}, 0
    keys = sorted({k for v in list(f.values()) + list(d.values()) for k in v} - skip)
    for k in keys:
        for v in sorted(set(f) | set(d)):
            x, y = f.get(v, {}).get(k), d.get(v, {}).get(k)
            total += 1
            if x == y:
                equal.setdefault(k, []).append(v)
            else:
                rows.append(f"| {k} | {v} | {fmt(y)} | {fmt(x)} | {cerr(x, y)} |")
    variants = len(set(f) | set(d))
    same = [k for k in keys if len(equal.get(k, [])) == variants]
    print(f"\n#### Counters: {name}\n")
    if rows:
        print("| counter | variant | detailed | fast | error |\n|---|---|---:|---:|---:|")
        print("\n".join(rows))
    print(f"\n{total - len(rows)} of {total} (counter, variant) values exactly equal; equal in every variant: "
          f"{', '.join(same) if same else 'none'}.")
    left = [f"{', '.join(sorted(skip))} (each equal to its stall cause in the jobs' stall_cycles: the table above)"]
    left = (left if skip else []) + [f"{k} (not a number)" for k in sorted(fother | dother)]
    print(f"Skipped: {'; '.join(left) if left else 'none'}.", flush=True)


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
    counters = []
    for name, config, sets in CASES:
        if a.quick and "ResNet-50" in name:
            continue
        tag = str(abs(hash(name)))
        fr = run(a.binary, config, "fast", sets, os.path.join(a.out, tag + "-fast"))
        dr = run(a.binary, config, "detailed", sets, os.path.join(a.out, tag + "-detailed"))
        f, d = totals(fr), totals(dr)
        counters.append((name, counter_totals(fr), counter_totals(dr)))
        for v in sorted(f):
            x, y = f[v], d[v]
            st = lambda z: " / ".join(f"{z[c]:,}" for c in CAUSES)
            print(f"| {name} | {v} | {x['cycles']:,} / {y['cycles']:,} ({err(x['cycles'], y['cycles'])}) | "
                  f"{x['compute']:,} / {y['compute']:,} ({err(x['compute'], y['compute'])}) | {st(x)} | {st(y)} | "
                  f"{err(x['glb_words'], y['glb_words'])} |", flush=True)
    for name, fc, dc in counters:
        counter_table(name, fc, dc)


if __name__ == "__main__":
    main()
