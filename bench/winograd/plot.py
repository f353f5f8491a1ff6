#!/usr/bin/env python3
"""Figure of bench/winograd/run.py's CSV: per network, the multiplications each case requires (operands
both non-zero) and issues, relative to dense direct convolution, and the cycles on SAT and the GPU model.
  /usr/bin/python3 bench/winograd/plot.py bench/winograd/results.csv -o docs/gallery/winograd.png
"""
import argparse
import csv

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CASES = ["direct_dense", "direct_sparse", "winograd_dense", "winograd_fill_in", "winograd_domain", "direct_nm",
         "winograd_nm"]
LABELS = ["direct\ndense", "direct\nsparse", "Winograd\ndense", "Winograd\nfill-in", "Winograd\ndomain-sparse",
          "direct\nN:M", "Winograd\ndomain N:M"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("csv")
    p.add_argument("-o", "--out", default="winograd.png")
    a = p.parse_args()
    rows = list(csv.DictReader(open(a.csv)))
    networks = sorted({r["network"] for r in rows})
    fig, axes = plt.subplots(2, len(networks), figsize=(7 * len(networks), 7), squeeze=False)
    for col, net in enumerate(networks):
        get = {(r["accelerator"], r["case"]): r for r in rows if r["network"] == net}
        base = float(get[("sat", "direct_dense")]["direct_macs"])
        x = range(len(CASES))
        ax = axes[0][col]
        req = [base / float(get[("sat", c)]["effectual_macs"]) for c in CASES]
        iss = [base / float(get[("sat", c)]["issued_macs"]) for c in CASES]
        ax.bar([i - 0.2 for i in x], req, 0.4, label="required (non-zero x non-zero)")
        ax.bar([i + 0.2 for i in x], iss, 0.4, label="issued (N:M cases: on SAT's 2:8 datapath)")
        for i, v in enumerate(req):
            ax.text(i - 0.2, v, f"{v:.1f}x", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(list(x), LABELS, fontsize=8)
        ax.set_ylabel("multiplication reduction vs dense direct")
        ax.set_title(f"{net}: 3x3 stride-1 convs, FF")
        ax.legend(fontsize=8)
        ax = axes[1][col]
        for k, accel in enumerate(["sat", "stc"]):
            if (accel, "direct_dense") not in get:
                continue
            c0 = float(get[(accel, "direct_dense")]["cycles"])
            sp = [c0 / float(get[(accel, c)]["cycles"]) for c in CASES]
            ax.bar([i - 0.2 + 0.4 * k for i in x], sp, 0.4, label={"sat": "SAT 32x32", "stc": "H200 model"}[accel])
        ax.axhline(1.0, color="gray", lw=0.8)
        ax.set_xticks(list(x), LABELS, fontsize=8)
        ax.set_ylabel("speedup vs dense direct (cycles)")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(a.out, dpi=110)


if __name__ == "__main__":
    main()
