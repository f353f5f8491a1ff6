#!/usr/bin/env python3
"""Markdown table of a bench/winograd/run.py CSV, as docs/winograd.md shows it.

Usage: bench/winograd/table.py RESULTS.csv [--skip-direct]   (--skip-direct: leave out the direct cases,
as the F(4x4,3x3) table does, whose direct cases are the F(2x2,3x3) run's)
"""
import csv
import sys


def main():
    path = sys.argv[1]
    skip_direct = "--skip-direct" in sys.argv[2:]
    rows = list(csv.DictReader(open(path)))
    base = {(r["network"], r["accelerator"]): float(r["cycles"]) for r in rows if r["case"] == "direct_dense"}
    print("| network | accelerator | case | required reduction | multiplications issued | cycles | speedup | "
          "energy uJ | transform energy uJ |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if skip_direct and r["algorithm"] == "direct":
            continue
        cycles = float(r["cycles"])
        ref = base.get((r["network"], r["accelerator"]))
        speedup = f"{ref / cycles:.2f}x" if ref else "n/a"
        print(f"| {r['network']} | {r['accelerator']} | {r['case']} | "
              f"{float(r['required_reduction_vs_direct_dense']):.2f}x | {float(r['issued_macs']):.3g} | "
              f"{int(cycles)} | {speedup} | {float(r['energy_pj']) / 1e6:.0f} | "
              f"{float(r['transform_energy_pj']) / 1e6:.1f} |")


if __name__ == "__main__":
    main()
