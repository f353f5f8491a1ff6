#!/usr/bin/python3
"""Compare `sparsim memtrace` (detailed and fast mode) with the DRAMSim3 reference figures.

Usage (from anywhere):
    /usr/bin/python3 bench/memory/compare_dramsim3.py SPARSIM [--out CSV] [--requests N] [--seed S]

    SPARSIM   the sparsim binary (e.g. build/sparsim)
    --out     default: bench/memory/sparsim_vs_dramsim3.csv

It writes the traces of bench/memory/make_traces.py (same -n and --seed as
bench/memory/run_dramsim3.sh, default 20000 and 1) into a temporary folder,
drops each trace's last line (the sentinel `0x0 READ 1000000000000000` that only
DRAMSim3's trace reader needs; sparsim would replay it as a request), replays
each of the 12 (ini, trace) cases with

    SPARSIM memtrace TRACE --dramsim3-ini bench/memory/dramsim3/INI --mode detailed|fast --out DIR

and compares with bench/memory/dramsim3_reference.csv.  Errors are
100 * (sparsim - DRAMSim3) / DRAMSim3 on completion cycles (fast_vs_detailed_pct:
100 * (fast - detailed) / detailed).  dramsim3_row_hits counts read and write
row hits.  The runs are serial (one sparsim process at a time).  Prints a
markdown table.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
INIS = ["DDR4_8Gb_x8_3200.ini", "HBM2_8Gb_x128.ini"]
TRACES = ["seq_read", "seq_write", "random_read", "mix_rw", "strided", "rate_limited"]
COLUMNS = ["ini", "trace", "dramsim3_cycles", "sparsim_detailed_cycles", "detailed_error_pct",
           "sparsim_fast_cycles", "fast_error_pct", "fast_vs_detailed_pct",
           "dramsim3_avg_read_latency", "sparsim_avg_read_latency",
           "dramsim3_row_hits", "sparsim_row_hits", "dramsim3_act", "sparsim_act"]


def pct(a, b):
    return round(100.0 * (a - b) / b, 2) if b else 0.0


def replay(binary, trace, ini, mode, outdir):
    subprocess.run([binary, "memtrace", trace, "--dramsim3-ini", ini, "--mode", mode, "--out", outdir],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(outdir, "memtrace.json")) as f:
        return json.load(f)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("sparsim")
    p.add_argument("--out", default=os.path.join(HERE, "sparsim_vs_dramsim3.csv"))
    p.add_argument("--reference", default=os.path.join(HERE, "dramsim3_reference.csv"))
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    binary = os.path.abspath(a.sparsim)

    with open(a.reference) as f:
        ref = {(r["ini"], r["trace"]): r for r in csv.DictReader(f)}

    rows = []
    with tempfile.TemporaryDirectory(prefix="sparsim_vs_ds3.") as work:
        tdir = os.path.join(work, "traces")
        subprocess.run([sys.executable, os.path.join(HERE, "make_traces.py"), tdir, "-n", str(a.requests),
                        "--seed", str(a.seed)], check=True, stdout=subprocess.DEVNULL)
        for t in TRACES:
            src = os.path.join(tdir, t + ".trace")
            with open(src) as f:
                lines = f.readlines()
            assert lines[-1].startswith("0x0 READ 1000000000000000"), src
            with open(os.path.join(tdir, t + ".sp"), "w") as f:
                f.writelines(lines[:-1])
        for ini in INIS:
            ini_path = os.path.join(HERE, "dramsim3", ini)
            for t in TRACES:
                r = ref[(ini, t)]
                trace = os.path.join(tdir, t + ".sp")
                d = replay(binary, trace, ini_path, "detailed", os.path.join(work, "out", "d"))
                fa = replay(binary, trace, ini_path, "fast", os.path.join(work, "out", "f"))
                ds3 = int(r["completion_cycles"])
                row = dict(
                    ini=ini, trace=t, dramsim3_cycles=ds3,
                    sparsim_detailed_cycles=d["cycles"], detailed_error_pct=pct(d["cycles"], ds3),
                    sparsim_fast_cycles=fa["cycles"], fast_error_pct=pct(fa["cycles"], ds3),
                    fast_vs_detailed_pct=pct(fa["cycles"], d["cycles"]),
                    dramsim3_avg_read_latency=float(r["avg_read_latency"]),
                    sparsim_avg_read_latency=round(d["avg_read_latency"], 3),
                    dramsim3_row_hits=int(r["num_read_row_hits"]) + int(r["num_write_row_hits"]),
                    sparsim_row_hits=d["row_hits"],
                    dramsim3_act=int(r["num_act_cmds"]), sparsim_act=d["activates"])
                rows.append(row)
                print(",".join(str(row[c]) for c in COLUMNS), file=sys.stderr, flush=True)

    with open(a.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows:
        cells = [str(row[c]) for c in COLUMNS]
        cells[0] = cells[0][:-4]
        print("| " + " | ".join(cells) + " |")
    ok = [f"{r['ini'][:-4]}/{r['trace']}" for r in rows if abs(r["detailed_error_pct"]) <= 10]
    print(f"\ndetailed within 10 % of DRAMSim3: {len(ok)} of {len(rows)} ({', '.join(ok) or 'none'})")
    okf = [f"{r['ini'][:-4]}/{r['trace']}" for r in rows if abs(r["fast_error_pct"]) <= 10]
    print(f"fast within 10 % of DRAMSim3: {len(okf)} of {len(rows)} ({', '.join(okf) or 'none'})")
    print("wrote", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
