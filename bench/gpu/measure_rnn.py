#!/usr/bin/env python3
"""Measure cuDNN recurrent layers (LSTM, GRU, vanilla RNN) on one NVIDIA GPU: forward and forward+backward.

Why: issue 15 asks that the stc GPU model's dense recurrent baseline (cuDNN-style execution of an LSTM over
time) be checked against real cuDNN kernel times, within 20 %. This script produces the measured side
(bench/gpu/h200_rnn_measured.csv) and the kernels cuDNN ran for each case (bench/gpu/h200_rnn_kernels.csv), so
that the model's algorithm (per-step GEMMs plus element-wise cell kernels, or a persistent kernel) can follow
what the library actually picks.

Method
- torch.nn.LSTM / GRU / RNN (tanh), one layer unless stated, input size = hidden size, batch-second layout
  [T, B, I], cuDNN enabled (torch.backends.cudnn), weights and input in the measured dtype.
- FF: the training forward (input and weights require grad, so cuDNN keeps its reserve space for BP).
  FFBP: forward then backward of sum(output * G) for a fixed random G: BP through time (data gradients,
  dx included) and WU (weight gradients).
- Time: median over WINDOWS torch.profiler windows of the mean per call of the summed device durations of
  all kernels and memsets (kernel time, not host time), after warm-up; CUDA-event time per call alongside
  (ev_us, includes launch gaps).
- Kernels: for each case, the kernel names of one profiled call with their count and total device time
  (the algorithm check: a per-step launch of a GEMM and a cell kernel shows as ~T launches of each).
Output: CSVs at argv[1] and argv[2] (default $OUT/h200_rnn_measured.csv, $OUT/h200_rnn_kernels.csv).
"""
import csv
import os
import statistics
import sys
import time

import torch
from torch.profiler import ProfilerActivity, profile
from gpu_env import environment

WINDOWS = int(os.environ.get("RNN_WINDOWS", "3"))
CALLS = int(os.environ.get("RNN_CALLS", "10"))
TIME_LIMIT_S = float(os.environ.get("RNN_TIME_LIMIT_S", "300"))

# (cell, dtype, hidden, batch, steps, layers)
CASES = []
for dtype in ("fp16", "fp32"):
    for hidden in (256, 512, 1024, 2304):
        for batch in (4, 16, 64, 256):
            for steps in (32, 128):
                if dtype == "fp32" and (steps == 128 or batch == 256):
                    continue
                CASES.append(("lstm", dtype, hidden, batch, steps, 1))
for cell in ("gru", "rnn"):
    for hidden in (512, 2304):
        for batch in (4, 64):
            CASES.append((cell, "fp16", hidden, batch, 32, 1))
for hidden in (1024, 2304):
    CASES.append(("lstm", "fp16", hidden, 16, 32, 2))

DTYPES = {"fp16": torch.float16, "fp32": torch.float32}


def make(cell, hidden, layers, dtype):
    cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    return cls(hidden, hidden, num_layers=layers).cuda().to(DTYPES[dtype])


def device_us(fn):
    """Median over windows of the mean per-call summed device time (us), and CUDA-event us per call."""
    fn()
    torch.cuda.synchronize()
    per_call = []
    for _ in range(WINDOWS):
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(CALLS):
                fn()
            torch.cuda.synchronize()
        total = sum(e.device_time_total for e in prof.key_averages())
        per_call.append(total / CALLS)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(CALLS):
        fn()
    end.record()
    torch.cuda.synchronize()
    return statistics.median(per_call), start.elapsed_time(end) * 1000.0 / CALLS


def kernels(fn):
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        fn()
        torch.cuda.synchronize()
    return [(e.key, e.count, e.device_time_total) for e in prof.key_averages() if e.device_time_total > 0]


def main():
    out = os.environ.get("OUT", ".")
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(out, "h200_rnn_measured.csv")
    kpath = sys.argv[2] if len(sys.argv) > 2 else os.path.join(out, "h200_rnn_kernels.csv")
    torch.backends.cudnn.enabled = True
    env = environment(torch)
    t0 = time.time()
    rows, krows = [], []
    for cell, dtype, hidden, batch, steps, layers in CASES:
        if time.time() - t0 > TIME_LIMIT_S:
            print("time limit reached; stopping", file=sys.stderr)
            break
        torch.manual_seed(1)
        net = make(cell, hidden, layers, dtype)
        x = torch.randn(steps, batch, hidden, device="cuda", dtype=DTYPES[dtype], requires_grad=True)
        g = torch.randn(steps, batch, hidden, device="cuda", dtype=DTYPES[dtype])

        def ff():
            return net(x)[0]

        def ffbp():
            y = net(x)[0]
            y.backward(g)

        for phase, fn in (("FF", ff), ("FFBP", ffbp)):
            us, ev = device_us(fn)
            rows.append(dict(cell=cell, dtype=dtype, hidden=hidden, batch=batch, steps=steps, layers=layers,
                             phase=phase, time_us=f"{us:.2f}", ev_us=f"{ev:.2f}"))
            for name, count, total in kernels(fn):
                krows.append(dict(cell=cell, dtype=dtype, hidden=hidden, batch=batch, steps=steps, layers=layers,
                                  phase=phase, kernel=name[:160], count=count, time_us=f"{total:.2f}"))
            print(cell, dtype, hidden, batch, steps, layers, phase, f"{us:.1f}", f"{ev:.1f}", flush=True)
    for p, data in ((path, rows), (kpath, krows)):
        with open(p, "w", newline="") as f:
            f.write(f"# gpu: {env['gpu']}\n# driver: {env['driver']}\n# date: {env['date']}\n")
            f.write("# method: bench/gpu/measure_rnn.py (see its docstring); time_us = median over profiled windows"
                    " of the mean per call of summed device durations; ev_us = CUDA-event time per call\n")
            w = csv.DictWriter(f, fieldnames=list(data[0].keys()))
            w.writeheader()
            w.writerows(data)


if __name__ == "__main__":
    main()
