#!/usr/bin/env python3
"""SM clock and power while a dense or a 2:4 sparse GEMM runs back to back for a few seconds.

Why: the stc model runs at one clock. The measured H200 changes its SM clock with power (700 W cap), and a
sparse kernel does half the multiplies, so it may run at a higher clock than the dense one on the same
shape. This records the clock each variant actually ran at (NVML samples every 20 ms while the variant
loops), so docs/validation/stc.md can say how much of the dense/sparse gap is clock, not structure.
Output: CSV at argv[1] (default $OUT/h200_clocks_by_variant.csv).
"""
import os
import sys
import threading
import time

import pynvml
import torch
import torch.nn.functional as F
from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured

SECONDS = float(os.environ.get("STC_CLOCK_SECONDS", "4"))


def prune_24(w):
    g = w.reshape(-1, 4)
    idx = g.abs().topk(2, dim=1).indices
    return (g * torch.zeros_like(g, dtype=torch.bool).scatter_(1, idx, True)).reshape(w.shape)


class Sampler(threading.Thread):
    def __init__(self, handle):
        super().__init__(daemon=True)
        self.h, self.samples, self.on = handle, [], True

    def run(self):
        while self.on:
            clk = pynvml.nvmlDeviceGetClockInfo(self.h, pynvml.NVML_CLOCK_SM)
            pw = pynvml.nvmlDeviceGetPowerUsage(self.h) / 1000.0
            self.samples.append((clk, pw))
            time.sleep(0.02)


def loop(fn, seconds):
    torch.cuda.synchronize()
    n, t0 = 0, time.time()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    while time.time() - t0 < seconds:
        for _ in range(10):
            fn()
        n += 10
        torch.cuda.synchronize()
    stop.record()
    torch.cuda.synchronize()
    return start.elapsed_time(stop) * 1000.0 / n


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("OUT", "."), "h200_clocks_by_variant.csv")
    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    pynvml.nvmlInit()
    h = pynvml.nvmlDeviceGetHandleByIndex(0)
    torch.manual_seed(0)
    shapes = [("sq8192", 8192, 8192, 8192, "square"), ("sq16384", 16384, 16384, 16384, "square"),
              ("llama_up14336_t16384", 14336, 16384, 4096, "linear"), ("llama_o_t2048", 4096, 2048, 4096, "linear")]
    with open(out, "w") as f:
        f.write("# bench/gpu/measure_clocks.py: NVML SM clock and board power sampled every 20 ms while one variant "
                f"loops for {SECONDS} s (fp16); us_per_call from CUDA events over the loop\n")
        f.write("name,M,N,K,variant,round,us_per_call,tflops,sm_mhz_median,sm_mhz_min,power_w_median,samples\n")
        for name, m, n, k, kind in shapes:
            w = torch.randn(m, k, device="cuda", dtype=torch.float16)
            ws = to_sparse_semi_structured(prune_24(w))
            if kind == "square":
                b = torch.randn(k, n, device="cuda", dtype=torch.float16)
                fns = {"dense": lambda: torch.mm(w, b), "sparse": lambda: torch.mm(ws, b)}
            else:
                x = torch.randn(n, k, device="cuda", dtype=torch.float16)
                fns = {"dense": lambda: F.linear(x, w), "sparse": lambda: F.linear(x, ws)}
            for rnd in range(2):
                for variant in ("dense", "sparse"):
                    loop(fns[variant], 0.5)  # settle
                    s = Sampler(h)
                    s.start()
                    us = loop(fns[variant], SECONDS)
                    s.on = False
                    s.join()
                    clk = sorted(c for c, _ in s.samples)
                    pw = sorted(p for _, p in s.samples)
                    row = [name, m, n, k, variant, rnd, f"{us:.2f}", f"{2 * m * n * k / us / 1e6:.1f}",
                           clk[len(clk) // 2], clk[0], f"{pw[len(pw) // 2]:.0f}", len(clk)]
                    f.write(",".join(str(x) for x in row) + "\n")
                    f.flush()
                    print(row, flush=True)
    pynvml.nvmlShutdown()


if __name__ == "__main__":
    main()
