#!/usr/bin/env python3
"""Tables from a training trace's densities.csv (docs/workloads.md, "Training traces"); no torch needed.

usage: trace_summary.py TRACE_DIR [--column COLUMN] [--rows N]   one column, records x layers (N rows,
                                                                 evenly spaced; default: all)
       trace_summary.py TRACE_DIR --phases                      per phase: steps, records, mean weight
                                                                 density and mask change of the masked layers
       trace_summary.py TRACE_DIR --changes                     per layer: mean, max and share of records
                                                                 with any change of the weight mask
COLUMN: weight_density, activation_density (default), gradient_density or mask_change.
"""
import argparse
import csv
import os
import sys


def load(trace):
    with open(os.path.join(trace, "densities.csv")) as f:
        rows = list(csv.DictReader(f))
    layers = []
    for r in rows:
        if r["layer"] not in layers:
            layers.append(r["layer"])
    records = {}
    for r in rows:
        records.setdefault(int(r["step"]), {})[r["layer"]] = r
    return layers, [records[s] for s in sorted(records)]


def main(argv):
    p = argparse.ArgumentParser(prog="trace_summary.py")
    p.add_argument("trace")
    p.add_argument("--column", default="activation_density",
                   choices=["weight_density", "activation_density", "gradient_density", "mask_change"])
    p.add_argument("--rows", type=int, default=0)
    p.add_argument("--phases", action="store_true")
    p.add_argument("--changes", action="store_true")
    a = p.parse_args(argv)
    layers, records = load(a.trace)
    masked = [l for l in layers if any(rec[l]["mask"] for rec in records)]
    if a.phases:
        print("| phase | steps | records | weight density (masked layers) | mask change per record |")
        print("|---|---|---|---|---|")
        phases = []
        for rec in records:
            ph = rec[layers[0]]["phase"]
            if not phases or phases[-1][0] != ph:
                phases.append((ph, []))
            phases[-1][1].append(rec)
        for ph, recs in phases:
            steps = [int(r[layers[0]]["step"]) for r in recs]
            wd = [float(r[l]["weight_density"]) for r in recs for l in masked] or [1.0]
            mc = [float(r[l]["mask_change"]) for r in recs for l in masked] or [0.0]
            print("| %s | %d-%d | %d | %.3f | %.4f |" % (ph, steps[0], steps[-1], len(recs), sum(wd) / len(wd),
                                                          sum(mc) / len(mc)))
        return 0
    if a.changes:
        print("| layer | mean mask change per record | max | records with a change |")
        print("|---|---|---|---|")
        for l in masked:
            mc = [float(r[l]["mask_change"]) for r in records[1:]]
            print("| %s | %.4f | %.4f | %d of %d |" % (l, sum(mc) / max(1, len(mc)), max(mc, default=0.0),
                                                       sum(1 for x in mc if x > 0), len(mc)))
        return 0
    picks = records
    if a.rows and a.rows < len(records):
        picks = [records[round(i * (len(records) - 1) / (a.rows - 1))] for i in range(a.rows)] if a.rows > 1 \
            else records[:1]
    print("| step | " + " | ".join(layers) + " |")
    print("|---" * (len(layers) + 1) + "|")
    for rec in picks:
        print("| %s | " % rec[layers[0]]["step"] + " | ".join("%.3f" % float(rec[l][a.column]) for l in layers) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
