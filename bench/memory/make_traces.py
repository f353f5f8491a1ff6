#!/usr/bin/python3
"""Write DRAM request traces in DRAMSim3's trace format.

Usage:
    /usr/bin/python3 bench/memory/make_traces.py OUTDIR [-n REQUESTS] [--seed SEED]
                                                  [--kinds seq_read,random_read,...]
                                                  [--max-bytes BYTES]

Each trace is OUTDIR/<kind>.trace, one request a line:

    0xADDR READ|WRITE CYCLE

CYCLE is the earliest cycle (memory clock) at which the request may be offered.
The driver (DRAMSim3's TraceBasedCPU) offers at most one request per cycle, in
file order, and retries the same request while its channel's queue is full.

Every trace ends with a sentinel line `0x0 READ 1000000000000000` that is never
offered: DRAMSim3's trace reader mishandles the end of file (it re-issues the
last request when the file ends with a newline and drops it otherwise), and a
line that is never reached avoids both.  The sentinel is not a request: the
request count of a trace is its line count minus one.

Addresses are 64-byte aligned and below CAPACITY (8 GiB, the capacity of
DRAMSim3's HBM2_8Gb_x128.ini: 8 channels x 1 GiB; DDR4_8Gb_x8_3200.ini has
16 GiB: 1 channel x 2 ranks x 8 GiB), so the same trace is valid for both.
--max-bytes sets a smaller address range (a power of two, at least 16 KiB) for
memories of less capacity, e.g. --max-bytes 536870912 for a 512 MiB device;
addresses wrap at it.

Kinds (N = request count, default 20000):
  seq_read      N sequential 64 B reads from address 0, all at cycle 0
  seq_write     N sequential 64 B writes from address 0, all at cycle 0
  random_read   N reads, uniform random 64 B-aligned addresses, all at cycle 0
  mix_rw        N requests, uniform random addresses, each a write with
                probability 1/3 (else a read), all at cycle 0
  strided       N reads with an 8 KiB stride, all at cycle 0 (with both
                configs' address maps every access opens a new row in its bank)
  rate_limited  N sequential 64 B reads, request i at cycle 8*i

Deterministic: the random kinds use random.Random(seed) (default seed 1), one
generator per kind, seeded with "<seed>:<kind>", so a kind does not depend on
which other kinds are written.
"""

import argparse
import os
import random
import sys

LINE = 64
CAPACITY = 8 << 30  # bytes; smaller of the two devices (HBM2_8Gb_x128.ini)
STRIDE = 8 << 10
RATE_INTERVAL = 8
SENTINEL = "0x0 READ 1000000000000000\n"

KINDS = ["seq_read", "seq_write", "random_read", "mix_rw", "strided", "rate_limited"]


def requests(kind, n, seed, capacity=CAPACITY):
    """Yield (addr, is_write, cycle) for one trace kind; addresses below `capacity`."""
    CAPACITY = capacity
    rng = random.Random(f"{seed}:{kind}")
    lines = CAPACITY // LINE
    for i in range(n):
        if kind == "seq_read":
            yield (i * LINE) % CAPACITY, False, 0
        elif kind == "seq_write":
            yield (i * LINE) % CAPACITY, True, 0
        elif kind == "random_read":
            yield rng.randrange(lines) * LINE, False, 0
        elif kind == "mix_rw":
            addr = rng.randrange(lines) * LINE
            is_write = rng.randrange(3) == 0
            yield addr, is_write, 0
        elif kind == "strided":
            yield (i * STRIDE) % CAPACITY, False, 0
        elif kind == "rate_limited":
            yield (i * LINE) % CAPACITY, False, i * RATE_INTERVAL
        else:
            raise ValueError(f"unknown trace kind {kind}")


def write_trace(path, kind, n, seed, capacity=CAPACITY):
    reads = writes = 0
    with open(path, "w", encoding="ascii") as f:
        for addr, is_write, cycle in requests(kind, n, seed, capacity):
            f.write(f"0x{addr:x} {'WRITE' if is_write else 'READ'} {cycle}\n")
            if is_write:
                writes += 1
            else:
                reads += 1
        f.write(SENTINEL)
    return reads, writes


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("outdir")
    p.add_argument("-n", "--requests", type=int, default=20000,
                   help="requests per trace (default 20000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--kinds", default=",".join(KINDS),
                   help="comma-separated subset of: " + ",".join(KINDS))
    p.add_argument("--max-bytes", type=int, default=CAPACITY,
                   help=f"addresses stay below this (power of two >= 16 KiB; default {CAPACITY}, 8 GiB)")
    a = p.parse_args(argv)
    if a.max_bytes < (16 << 10) or a.max_bytes & (a.max_bytes - 1):
        p.error("--max-bytes must be a power of two of at least 16384")
    kinds = [k for k in a.kinds.split(",") if k]
    for k in kinds:
        if k not in KINDS:
            p.error(f"unknown kind {k}")
    os.makedirs(a.outdir, exist_ok=True)
    for k in kinds:
        path = os.path.join(a.outdir, f"{k}.trace")
        reads, writes = write_trace(path, k, a.requests, a.seed, a.max_bytes)
        print(f"{path}: {a.requests} requests ({reads} reads, {writes} writes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
