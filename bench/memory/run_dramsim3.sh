#!/bin/bash
# Reproduce bench/memory/dramsim3_reference.csv: DRAMSim3 reference figures for
# the traces of bench/memory/make_traces.py.
#
# Usage (from anywhere):
#   bench/memory/run_dramsim3.sh DRAMSIM3_DIR [OUT_CSV] [CMDTRACE_DIR]
#
#   DRAMSIM3_DIR  a DRAMSim3 checkout built with
#                   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2
#                 (this script runs DRAMSIM3_DIR/build/dramsim3main).
#   OUT_CSV       default: bench/memory/dramsim3_reference.csv
#   CMDTRACE_DIR  optional: a second checkout built with -DCMD_TRACE=1 (one
#                 checkout per flavour: the build writes libdramsim3.so into the
#                 source folder).  When given, each case is run once more with it
#                 and the completion cycle is recomputed from the command trace
#                 (last RD + CL + BL/2, last WR + CWL + BL/2); a mismatch is an error.
#
# Environment: REQUESTS (default 20000) and SEED (default 1) are passed to
# make_traces.py; WORK (default: a fresh mktemp -d) holds traces and run outputs.
#
# The configs are the copies in bench/memory/dramsim3/ (from DRAMsim3 commit
# 29817593b3389f1337235d63cac515024ab8fd6e, configs/), not the checkout's.
#
# Method (column "method"): DRAMSim3's standalone driver only stops after -c
# cycles, so completion is found by binary search on -c:
#   * reads:  the smallest -c at which the sum over channels of num_reads_done
#             equals the reads in the trace; a read counts as done in the cycle
#             clk == its complete_cycle (= RD command cycle + CL + BL/2), which is
#             run with -c >= clk + 1, so read completion = that -c minus 1.
#   * writes: writes are "done" one cycle after they enter the write buffer, so
#             instead the smallest -c at which num_write_cmds reaches its final
#             value W gives the cycle of the last WR command (that -c minus 1);
#             write completion = it + CWL + BL/2.  W can be below the trace's
#             write count: DRAMSim3 only drains its write buffer when it is full or
#             holds more than 8 writes while all command queues are empty, so up
#             to 8 writes per channel can stay in the buffer forever (column
#             writes_stranded; completion then covers the writes that were issued).
#   * completion_cycles = max of the two; all other figures come from one more
#     run with -c = completion_cycles + 1 (so refreshes after the end are not
#     counted).
# Runs are serial (one core).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DS3="${1:?usage: $0 DRAMSIM3_DIR [OUT_CSV] [CMDTRACE_DIR]}"
OUT_CSV="${2:-$HERE/dramsim3_reference.csv}"
CT="${3:-}"
REQUESTS="${REQUESTS:-20000}"
SEED="${SEED:-1}"
WORK="${WORK:-$(mktemp -d /tmp/dramsim3_ref.XXXXXX)}"

BIN="$DS3/build/dramsim3main"
[ -x "$BIN" ] || { echo "no $BIN" >&2; exit 1; }
CTBIN=""
if [ -n "$CT" ]; then
  CTBIN="$CT/build/dramsim3main"
  [ -x "$CTBIN" ] || { echo "no $CTBIN" >&2; exit 1; }
fi

mkdir -p "$WORK/traces"
/usr/bin/python3 "$HERE/make_traces.py" "$WORK/traces" -n "$REQUESTS" --seed "$SEED"

/usr/bin/python3 - "$BIN" "$CTBIN" "$HERE/dramsim3" "$WORK" "$OUT_CSV" <<'PYEOF'
import configparser, csv, glob, json, os, subprocess, sys

BIN, CTBIN, INIDIR, WORK, OUT_CSV = sys.argv[1:6]
INIS = ["DDR4_8Gb_x8_3200.ini", "HBM2_8Gb_x128.ini"]
TRACES = ["seq_read", "seq_write", "random_read", "mix_rw", "strided", "rate_limited"]

def ini_timing(path):
    c = configparser.ConfigParser()
    c.read(path)
    proto = c.get("dram_structure", "protocol")
    bl = c.getint("dram_structure", "BL")
    al = c.getint("timing", "AL", fallback=0)
    cl = c.getint("timing", "CL")
    cwl = c.getint("timing", "CWL")
    # configuration.cc: burst_cycle = BL/4 (GDDR5), BL/8 (GDDR5X), BL/16 (GDDR6), else BL/2
    div = {"GDDR5": 4, "GDDR5X": 8, "GDDR6": 16}.get(proto, 2)
    burst = bl // div
    return al + cl + burst, al + cwl + burst, c.getfloat("timing", "tCK")

def run(binary, ini, trace, cycles, outdir):
    os.makedirs(outdir, exist_ok=True)
    for f in glob.glob(os.path.join(outdir, "*")):
        os.remove(f)
    subprocess.run([binary, ini, "-c", str(cycles), "-t", trace, "-o", outdir],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(outdir, "dramsim3.json")) as f:
        return json.load(f)

def total(stats, key):
    return sum(ch.get(key, 0) for ch in stats.values())

def count_trace(path):
    reads = writes = last = 0
    with open(path) as f:
        lines = f.read().splitlines()[:-1]  # last line is the never-issued sentinel
    for ln in lines:
        _, op, cyc = ln.split()
        if op == "WRITE":
            writes += 1
        else:
            reads += 1
        last = max(last, int(cyc))
    return reads, writes, last

def smallest(pred, lo, hi):
    """smallest c in (lo, hi] with pred(c) true; pred(hi) must be true, monotone."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi

rows = []
for ini_name in INIS:
    ini = os.path.join(INIDIR, ini_name)
    read_delay, write_delay, tck = ini_timing(ini)
    for tname in TRACES:
        trace = os.path.join(WORK, "traces", tname + ".trace")
        reads, writes, last_cycle = count_trace(trace)
        odir = os.path.join(WORK, "out", ini_name[:-4], tname)
        probe = lambda c: run(BIN, ini, trace, c, odir)
        hi = last_cycle + 32 * (reads + writes) + 10000
        while True:
            s = probe(hi)
            if total(s, "num_reads_done") >= reads:
                break
            hi *= 2
        w_final = total(s, "num_write_cmds")
        comp = -1
        if reads:
            c = smallest(lambda c: total(probe(c), "num_reads_done") >= reads, 0, hi)
            comp = max(comp, c - 1)
        if w_final:
            c = smallest(lambda c: total(probe(c), "num_write_cmds") >= w_final, 0, hi)
            comp = max(comp, c - 1 + write_delay)
        s = probe(comp + 1)
        assert total(s, "num_reads_done") == reads, (ini_name, tname)
        assert total(s, "num_write_cmds") == w_final, (ini_name, tname)
        rd_done = total(s, "num_reads_done")
        avg_lat = (sum(ch["average_read_latency"] * ch["num_reads_done"] for ch in s.values())
                   / rd_done) if rd_done else 0.0
        rh, wh = total(s, "num_read_row_hits"), total(s, "num_write_row_hits")
        rc, wc = total(s, "num_read_cmds"), total(s, "num_write_cmds")
        method = "bsearch-c"
        if CTBIN:
            cdir = odir + "_cmdtrace"
            run(CTBIN, ini, trace, comp + 1, cdir)
            ct_comp = -1
            for fn in glob.glob(os.path.join(cdir, "*cmd.trace")):
                with open(fn) as f:
                    for ln in f:
                        p = ln.split()
                        if not p:
                            continue
                        clk, kind = int(p[0]), p[1]
                        if kind in ("read", "read_p"):
                            ct_comp = max(ct_comp, clk + read_delay)
                        elif kind in ("write", "write_p"):
                            ct_comp = max(ct_comp, clk + write_delay)
            if ct_comp != comp:
                sys.exit(f"{ini_name} {tname}: bsearch {comp} != cmd trace {ct_comp}")
            method = "bsearch-c; cmd-trace agrees"
        rows.append(dict(
            ini=ini_name, trace=tname, requests=reads + writes, reads=reads, writes=writes,
            completion_cycles=comp, completion_ns=round(comp * tck, 2),
            avg_read_latency=round(avg_lat, 3),
            num_read_cmds=rc, num_write_cmds=wc,
            num_read_row_hits=rh, num_write_row_hits=wh, row_misses=rc + wc - rh - wh,
            num_act_cmds=total(s, "num_act_cmds"), num_pre_cmds=total(s, "num_pre_cmds"),
            num_ref_cmds=total(s, "num_ref_cmds"), num_refb_cmds=total(s, "num_refb_cmds"),
            writes_stranded=writes - wc, method=method))
        print(",".join(str(v) for v in rows[-1].values()), flush=True)

with open(OUT_CSV, "w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
print("wrote", OUT_CSV)
PYEOF
