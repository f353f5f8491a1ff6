#!/usr/bin/env python3
"""Measure dense vs 2:4 semi-structured sparse GEMM kernel time on one NVIDIA GPU.

Why: docs/validation/stc.md compares the stc model's predicted sparse-over-dense speedup with what a real
GPU achieves. This script produces the measured side (bench/gpu/h200_gemm_measured.csv).

Method
- Sparse operand = the weight W (M x K, row-major, 2:4 pruned along K by magnitude), compressed with
  torch.sparse.to_sparse_semi_structured on the cuSPARSELt backend (_FORCE_CUTLASS = False).
- "square" cases: C = A(MxK) @ B(KxN) with M = N = K, torch.mm(A_sparse, B) vs torch.mm(A, B).
- "linear" cases: Y = F.linear(X(N x K), W(M x K)): M = out features, N = tokens, K = in features.
- Dense baseline uses the UNPRUNED random weight (what a dense model runs; zeros can change clocks/power).
- Time = sum of the device-side durations of every kernel/memset recorded by torch.profiler for the
  timed calls, divided by the number of calls (kernel time, not host time). CUDA-event time per call is
  recorded alongside as a cross-check. Several input sets are rotated so that operands are not L2
  resident from the previous call (as in a training step where weights stream from HBM).
- Warm-up calls before each profiled window; one profiled window per case and variant.
- Checks: relative Frobenius error of the sparse result against the dense product of the pruned W.
Output: CSV at $OUT (or argv[1]) plus a clocks log from nvidia-smi (started by the caller).
"""
import csv
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile
from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured
from gpu_env import environment

L2_BYTES = 60 * 2**20
TIME_LIMIT_S = float(os.environ.get("STC_TIME_LIMIT_S", "500"))
WINDOWS = int(os.environ.get("STC_WINDOWS", "3"))


def prune_24(w):
    """Keep the 2 largest-magnitude values of every 4 consecutive values along the last dim."""
    g = w.reshape(-1, 4)
    idx = g.abs().topk(2, dim=1).indices
    mask = torch.zeros_like(g, dtype=torch.bool).scatter_(1, idx, True)
    return (g * mask).reshape(w.shape)


def kernel_time_us(fn, nsets, reps):
    """Mean per-call sum of device activity durations from torch.profiler, and kernel names."""
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for i in range(reps):
            fn(i % nsets)
        torch.cuda.synchronize()
    total = 0.0
    names = {}
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            d = e.time_range.elapsed_us()
            total += d
            names[e.name] = names.get(e.name, 0.0) + d
    main = max(names, key=names.get) if names else ""
    return total / reps, main, len(names)


def event_time_us(fn, nsets, reps):
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    start.record()
    for i in range(reps):
        fn(i % nsets)
    stop.record()
    torch.cuda.synchronize()
    return start.elapsed_time(stop) * 1000.0 / reps


def cases():
    out = []
    for n in (1024, 2048, 4096, 8192, 12288, 16384):
        out.append(("square", f"sq{n}", n, n, n))
    # (name, in_features K, out_features M): LLaMA-style hidden 4096 and BERT-base hidden 768.
    layers = [
        ("llama_qkv", 4096, 12288), ("llama_o", 4096, 4096), ("llama_up11008", 4096, 11008),
        ("llama_down11008", 11008, 4096), ("llama_up14336", 4096, 14336), ("llama_down14336", 14336, 4096),
        ("llama_qkv_bp", 12288, 4096), ("bert_qkv", 768, 2304), ("bert_ff1", 768, 3072), ("bert_ff2", 3072, 768),
    ]
    for tokens in (128, 512, 1024, 2048, 4096, 8192, 16384):
        for name, k, m in layers:
            out.append(("linear", f"{name}_t{tokens}", m, tokens, k))
    return out


def run_case(kind, m, n, k, dtype):
    flops = 2.0 * m * n * k
    esize = 2
    footprint = esize * (m * k + k * n + m * n)
    nsets = max(1, min(24, math.ceil(3 * L2_BYTES / footprint)))
    est_us = flops / 700e12 * 1e6 + 5.0
    reps = int(max(10, min(200, 30000.0 / est_us)))
    w = [torch.randn(m, k, device="cuda", dtype=dtype) for _ in range(nsets)]
    wp = [prune_24(x) for x in w]
    ws = [to_sparse_semi_structured(x) for x in wp]
    if kind == "square":
        b = [torch.randn(k, n, device="cuda", dtype=dtype) for _ in range(nsets)]
        dense = lambda i: torch.mm(w[i], b[i])
        sparse = lambda i: torch.mm(ws[i], b[i])
        ref = torch.mm(wp[0], b[0])
    else:
        b = [torch.randn(n, k, device="cuda", dtype=dtype) for _ in range(nsets)]
        dense = lambda i: F.linear(b[i], w[i])
        sparse = lambda i: F.linear(b[i], ws[i])
        ref = F.linear(b[0], wp[0])
    got = sparse(0)
    rel_err = ((got.float() - ref.float()).norm() / ref.float().norm()).item()
    del wp, ref, got
    res = {}
    windows = {"dense": [], "sparse": []}
    for label, fn in (("dense", dense), ("sparse", sparse)):
        for i in range(max(3, nsets)):
            fn(i % nsets)
        torch.cuda.synchronize()
        res[label + "_ev"] = event_time_us(fn, nsets, reps)
    # WINDOWS profiled windows per variant, alternating dense/sparse so slow drifts (clocks, temperature)
    # hit both; the reported time is the median window, the spread is (max - min) / median.
    for _ in range(WINDOWS):
        for label, fn in (("dense", dense), ("sparse", sparse)):
            t, main, nk = kernel_time_us(fn, nsets, reps)
            if t <= 0.0:  # profiler saw no device activity: fall back to events, marked in the name
                t, main, nk = event_time_us(fn, nsets, reps), "EVENT_TIME_FALLBACK", 0
            windows[label].append(t)
            res[label] = (t, main, nk)
    for label in ("dense", "sparse"):
        ts = sorted(windows[label])
        med = ts[len(ts) // 2]
        res[label] = (med, res[label][1], res[label][2])
        res[label + "_spread"] = (ts[-1] - ts[0]) / med
    return flops, nsets, reps, rel_err, res


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("OUT", "."), "h200_gemm_measured.csv")
    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    torch.manual_seed(1234)
    env = environment(torch)
    header = [
        f"# gpu: {env['gpu']}",
        f"# driver: {env['driver']}",
        f"# date: {env['date']}",
        f"# method: bench/gpu/measure_stc.py; time_us = median over {WINDOWS} profiled windows of the mean per call of the summed device durations of all "
        "kernels/memsets recorded by torch.profiler (after warm-up, rotating input sets); *_ev_us = CUDA-event "
        "time per call; sparse = to_sparse_semi_structured (cuSPARSELt), dense = cuBLAS via torch.mm/F.linear",
        "# GEMM view: sparse operand W is M x K (2:4 along K); dense operand is K x N (N = tokens for linear)",
    ]
    cols = ["kind", "name", "dtype", "M", "N", "K", "gflop", "nsets", "reps", "dense_us", "sparse_us",
            "speedup", "dense_spread", "sparse_spread", "dense_ev_us", "sparse_ev_us", "dense_tflops", "sparse_tflops", "rel_err",
            "dense_kernel", "sparse_kernel", "dense_nkernels", "sparse_nkernels"]
    t0 = time.time()
    with open(out_path, "w", newline="") as f:
        for h in header:
            f.write(h + "\n")
        wr = csv.writer(f)
        wr.writerow(cols)
        for kind, name, m, n, k in cases():
            for dtype, dname in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
                if time.time() - t0 > TIME_LIMIT_S:
                    print("time limit reached; stopping", flush=True)
                    break
                try:
                    flops, nsets, reps, err, r = run_case(kind, m, n, k, dtype)
                except Exception as ex:  # noqa: BLE001 -- record and go on
                    print(f"FAILED {name} {dname}: {ex}", flush=True)
                    continue
                d, s = r["dense"][0], r["sparse"][0]
                row = [kind, name, dname, m, n, k, f"{flops / 1e9:.3f}", nsets, reps, f"{d:.3f}", f"{s:.3f}",
                       f"{d / s:.4f}", f"{r['dense_spread']:.3f}", f"{r['sparse_spread']:.3f}", f"{r['dense_ev']:.3f}", f"{r['sparse_ev']:.3f}",
                       f"{flops / d / 1e6:.1f}", f"{flops / s / 1e6:.1f}", f"{err:.2e}",
                       r["dense"][1][:160], r["sparse"][1][:160], r["dense"][2], r["sparse"][2]]
                wr.writerow(row)
                f.flush()
                print(f"{dname} {name:24s} M={m:6d} N={n:6d} K={k:6d} dense {d:9.1f}us sparse {s:9.1f}us "
                      f"x{d / s:5.2f} spread {r['dense_spread']:.2f}/{r['sparse_spread']:.2f} err {err:.1e}", flush=True)
                torch.cuda.empty_cache()
        log = os.environ.get("STC_CLOCK_LOG")
        if log and os.path.exists(log):
            # nvidia-smi samples (1 s) taken by the caller while this ran: the SM clock is not fixed (boost and
            # power capping), which the model's single clock parameter cannot follow.
            sm, mem = [], []
            for line in open(log).read().splitlines()[1:]:
                p = [x.strip() for x in line.split(",")]
                if len(p) >= 3 and p[1].endswith("MHz"):
                    sm.append(int(p[1].split()[0]))
                    mem.append(int(p[2].split()[0]))
            busy = sorted(x for x in sm if x > 1000)
            if busy:
                f.write(f"# clocks seen (nvidia-smi, 1 s samples while busy, n={len(busy)}): SM min {busy[0]} median "
                        f"{busy[len(busy) // 2]} max {busy[-1]} MHz; memory {max(mem)} MHz\n")
    print(f"done in {time.time() - t0:.0f}s -> {out_path}")


if __name__ == "__main__":
    main()
