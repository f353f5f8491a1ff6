#!/usr/bin/env python3
"""Sparse Winograd (Liu et al., ICLR 2018) on the 3x3 stride-1 convolutions of ResNet-18 and VGG-16.

For each network, accelerator (SAT-style array, H200 GPU model) and case, runs `sparsim run` on the
network's Winograd-eligible layers and writes one CSV row: the multiplications (direct convolution's,
the ones whose operands are both non-zero, the ones the hardware issued), the transform additions,
cycles and energy of the baseline variant ("dense": no N:M, so every case runs on the same datapath).

Cases:
  direct_dense     direct convolution, dense
  direct_sparse    direct convolution, spatially pruned weights and ReLU-sparse activations
  winograd_dense   Winograd, dense
  winograd_fill_in Winograd on the spatially pruned weights: the transforms fill the zeros in
                   (U density: exact, from each layer's own mask; V: analytic, uniform zeros)
  winograd_domain  Winograd with weights pruned and ReLU applied in the Winograd domain
  direct_nm        direct convolution, N:M weights (the accelerator's pattern: SAT 2:8, GPU 2:4) and
                   ReLU-sparse activations, on the N:M datapath (the "sparse" variant)
  winograd_nm      Winograd with N:M weights in the Winograd domain (each tile position's Cout x Cin
                   matrix, N:M along Cin; bidirectional in BP) and ReLU in the Winograd domain, on the
                   N:M datapath

The densities are assumptions (the defaults below), not the paper's per-layer figures: see
docs/winograd.md. Usage:
  /usr/bin/python3 bench/winograd/run.py --sparsim build/sparsim --out bench/winograd/results.csv
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import yaml

CONFIGS = {"sat": "configs/sat-resnet18.yaml", "stc": "configs/stc-h200.yaml"}
NM = {"sat": (2, 8), "stc": (2, 4)}  # the pattern each datapath runs
NETWORKS = ["resnet18", "vgg16"]


def eligible_layers(sparsim, network):
    """3x3 stride-1 convs without groups, from `sparsim workloads show NAME --yaml`."""
    out = subprocess.run([sparsim, "workloads", "show", network, "--yaml"], check=True,
                         capture_output=True, text=True).stdout
    layers = yaml.safe_load(out)["layers"]
    return [l["name"] for l in layers if l["type"] == "conv" and l.get("kh") == 3 and l.get("kw") == 3
            and l.get("stride", 1) == 1 and l.get("groups", 1) == 1]


def cases(a, accel):
    """name -> (config overrides, the variant whose jobs are summed)."""
    spatial = [f"workload.sparsity.weight_density={a.weight_density}",
               f"workload.sparsity.activation_density={a.activation_density}"]
    n, m = NM[accel]
    nm = [f"workload.sparsity.n={n}", f"workload.sparsity.m={m}"]
    return {
        "direct_dense": (["workload.conv_algorithm=direct"], "dense"),
        "direct_sparse": (["workload.conv_algorithm=direct"] + spatial, "dense"),
        "winograd_dense": ([f"workload.conv_algorithm={a.algorithm}"], "dense"),
        "winograd_fill_in": ([f"workload.conv_algorithm={a.algorithm}"] + spatial, "dense"),
        "winograd_domain": ([f"workload.conv_algorithm={a.algorithm}",
                             f"workload.sparsity.winograd_weight_density={a.winograd_weight_density}",
                             f"workload.sparsity.winograd_activation_density={a.winograd_activation_density}"],
                            "dense"),
        "direct_nm": (["workload.conv_algorithm=direct",
                       f"workload.sparsity.activation_density={a.activation_density}"] + nm, "sparse"),
        "winograd_nm": ([f"workload.conv_algorithm={a.algorithm}",
                         f"workload.sparsity.winograd_activation_density={a.winograd_activation_density}"] + nm,
                        "sparse"),
    }


def run_one(a, accel, network, layers, sets, out_dir):
    cmd = [a.sparsim, "run", CONFIGS[accel], "--quiet", "--out", out_dir,
           "--set", f"workload.network={network}", "--set", f"workload.batch={a.batch}",
           "--set", f"workload.phases={a.phases}", "--set", "workload.sparsity.n=0",
           "--set", "workload.sparsity.m=0", "--set", "workload.layers=" + ",".join(layers)]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out_dir, "report.json")) as f:
        return json.load(f)


def summarize(report, variant="dense"):
    if not any(j["variant"] == variant for j in report["jobs"]):
        # (A model that stops early must never become a row of zeros; docs/winograd.md, "Not modelled".)
        raise SystemExit(f"no {variant} job in the report: the simulation ended early")
    row = {k: 0.0 for k in ("direct_macs", "direct_effectual_macs", "effectual_macs", "issued_macs",
                            "transform_adds", "transform_const_mults", "cycles", "energy_pj",
                            "transform_energy_pj")}
    for j in report["jobs"]:
        if j["variant"] != variant:
            continue
        c = j["convolution"]
        for k in ("direct_macs", "direct_effectual_macs", "effectual_macs", "transform_adds",
                  "transform_const_mults"):
            row[k] += c[k]
        row["issued_macs"] += j["issued_macs"]
        row["cycles"] += j["cycles"]
        row["energy_pj"] += j["energy_pj"]
        row["transform_energy_pj"] += j["energy_pj_by_component"].get("winograd_transform", 0.0)
    return row


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sparsim", default="build/sparsim")
    p.add_argument("--out", default="bench/winograd/results.csv")
    p.add_argument("--algorithm", default="winograd_2x2_3x3", choices=["winograd_2x2_3x3", "winograd_4x4_3x3"])
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--phases", default="FF", help="FF for inference counts as the paper reports them")
    p.add_argument("--weight-density", type=float, default=0.3, help="spatial weight density (assumed)")
    p.add_argument("--activation-density", type=float, default=0.5, help="spatial activation density (assumed)")
    p.add_argument("--winograd-weight-density", type=float, default=0.3, help="Winograd-domain (assumed)")
    p.add_argument("--winograd-activation-density", type=float, default=0.5, help="Winograd-domain (assumed)")
    p.add_argument("--networks", default=",".join(NETWORKS))
    p.add_argument("--accelerators", default="sat,stc")
    a = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for network in a.networks.split(","):
            layers = eligible_layers(a.sparsim, network)
            for accel in a.accelerators.split(","):
                for name, (sets, variant) in cases(a, accel).items():
                    print(f"{network} {accel} {name}", file=sys.stderr)
                    report = run_one(a, accel, network, layers, sets, os.path.join(tmp, f"{network}-{accel}-{name}"))
                    r = summarize(report, variant)
                    rows.append({"network": network, "accelerator": accel, "case": name,
                                 "algorithm": a.algorithm if name.startswith("winograd") else "direct",
                                 "variant": variant,
                                 "layers": len(layers), "batch": a.batch, "phases": a.phases, **r,
                                 "required_reduction_vs_direct_dense": r["direct_macs"] / r["effectual_macs"]})
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
