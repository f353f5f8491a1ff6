#!/usr/bin/env python3
"""Measure the per-phase time of 2:4 sparse training of linear layers on one NVIDIA GPU (dense baseline alongside).

Why: issue 13 asks that the stc GPU model predict 2:4 training steps, not only single GEMMs. A training step
of a linear layer Y = X W^T (W: M x K = out x in features, X: T x K, T = tokens) is three GEMMs:
  FF  Y  = X W^T      (T x M)   sparse: W 2:4 along K (in features), the sparse operand of cuSPARSELt
  BP  dX = dY W       (T x K)   sparse: needs W^T 2:4 along M, i.e. the SAME mask must also be 2:4 along M
  WU  dW = dY^T X     (M x K)   dense in both variants (the gradient of a 2:4 weight is dense)
This script produces the measured side (bench/gpu/h200_training_phases.csv).

Method
- Mask: transposable 2:4 (2:4 along rows AND columns), chosen per 4x4 block of W as the best of the 90
  "permutation" patterns (two ones in every row and every column of the block): the one keeping the largest
  sum of |w| (exhaustive, so optimal per block). The kept-magnitude ratio against a row-only 2:4 mask is logged
  in the CSV (mask_kept_vs_rowwise); the script checks the mask is 2:4 both ways and exactly 50 % dense.
- FF sparse: F.linear(X, Ws), Ws = to_sparse_semi_structured(W_pruned) (cuSPARSELt, 2:4 along K).
  BP sparse: F.linear(dY, Wts) = dY W_pruned, Wts = to_sparse_semi_structured(W_pruned^T contiguous)
  (cuSPARSELt, W^T is 2:4 along M thanks to the transposable mask). WU: torch.mm(dY.t(), X), dense.
  FF and BP are checked against dense products of W_pruned (rel_err_ff, rel_err_bp).
  Dense baselines: F.linear(X, W), torch.mm(dY, W), torch.mm(dY.t(), X) with the UNPRUNED W (what a dense model
  runs).
- compress: the per-step cost of re-compressing the updated weight under a fixed mask (W and W^T, two
  cuSPARSELt compressions plus the transpose copy); prune_fused: PyTorch's fused prune+compress kernel
  SparseSemiStructuredTensorCUSPARSELT.prune_dense_static_sort(W) (greedy per-4x4-tile transposable pruning,
  producing packed and packed_t in one call; torchao's runtime 2:4 training path), timed for its cost only: its
  packed_t is checked once per dtype (diagnose_fused, result in the CSV header) and is not used for BP.
  step = FF + BP + WU run back to back in one timed call; step_compress = compress + FF + BP + WU.
- Time as in measure_stc.py: median over WINDOWS torch.profiler windows of the mean per call of the summed
  device durations of all kernels/memsets (kernel time, not host time), after warm-up, with several input sets
  rotated so that operands are not L2-resident from the previous call; CUDA-event time per call alongside.
Output: CSV at argv[1] (default $OUT/h200_training_phases.csv).
"""
import csv
import itertools
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch.profiler import ProfilerActivity, profile
from torch.sparse import SparseSemiStructuredTensor, SparseSemiStructuredTensorCUSPARSELT, to_sparse_semi_structured
from gpu_env import environment

L2_BYTES = 60 * 2**20
PHASES = ("FF", "BP", "WU", "compress", "prune_fused", "step", "step_compress")
WINDOWS = int(os.environ.get("STC_WINDOWS", "3"))
TIME_LIMIT_S = float(os.environ.get("STC_TIME_LIMIT_S", "240"))

# (model, layer, in_features K, out_features M, tokens T)
LAYERS = [
    ("bert-large", "qkv", 1024, 3072, 4096),
    ("bert-large", "attn_out", 1024, 1024, 4096),
    ("bert-large", "ff1", 1024, 4096, 4096),
    ("bert-large", "ff2", 4096, 1024, 4096),
    ("llama-7b", "qkv", 4096, 12288, 2048),
    ("llama-7b", "o", 4096, 4096, 2048),
    ("llama-7b", "up", 4096, 11008, 2048),
    ("llama-7b", "down", 11008, 4096, 2048),
    ("llama-7b", "up_t4096", 4096, 11008, 4096),
    ("llama-7b", "down_t4096", 11008, 4096, 4096),
]


def kernel_time_us(fn, nsets, reps):
    """Mean per-call sum of device activity durations from torch.profiler, and the longest kernel's name."""
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        for i in range(reps):
            fn(i % nsets)
        torch.cuda.synchronize()
    total, names = 0.0, {}
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA:
            d = e.time_range.elapsed_us()
            total += d
            names[e.name] = names.get(e.name, 0.0) + d
    main = max(names, key=names.get) if names else ""
    return total / reps, main, len(names)


def event_time_us(fn, nsets, reps):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for i in range(reps):
        fn(i % nsets)
    stop.record()
    torch.cuda.synchronize()
    return start.elapsed_time(stop) * 1000.0 / reps


def measure(fns, nsets, reps):
    """fns: {label: fn}. Warm-up, CUDA events, then WINDOWS profiled windows alternating over the labels."""
    res, evs, windows = {}, {}, {k: [] for k in fns}
    for label, fn in fns.items():
        for i in range(max(3, nsets)):
            fn(i % nsets)
        torch.cuda.synchronize()
        evs[label] = event_time_us(fn, nsets, reps)
    names = {}
    for _ in range(WINDOWS):
        for label, fn in fns.items():
            t, main, nk = kernel_time_us(fn, nsets, reps)
            if t <= 0.0:
                t, main, nk = event_time_us(fn, nsets, reps), "EVENT_TIME_FALLBACK", 0
            windows[label].append(t)
            names[label] = (main, nk)
    for label in fns:
        ts = sorted(windows[label])
        med = ts[len(ts) // 2]
        res[label] = (med, (ts[-1] - ts[0]) / med, evs[label], names[label][0], names[label][1])
    return res


def mask_maxima(wd):
    """Largest number of nonzeros in any group of 4 along rows and along columns (2 and 2 for a transposable 2:4)."""
    nz = wd != 0
    rows = nz.reshape(wd.shape[0], -1, 4).sum(-1).max().item()
    cols = nz.t().reshape(wd.shape[1], -1, 4).sum(-1).max().item()
    return rows, cols


def rel_err(a, b):
    return ((a.float() - b.float()).norm() / b.float().norm()).item()


def transposable_patterns():
    """The 90 binary 4x4 patterns with exactly two ones in every row and every column, as a 90 x 16 tensor."""
    rows = [r for r in itertools.product((0, 1), repeat=4) if sum(r) == 2]
    pats = [torch.tensor(a).flatten() for a in itertools.product(rows, repeat=4)
            if all(sum(a[i][j] for i in range(4)) == 2 for j in range(4))]
    return torch.stack(pats)


PATTERNS = None


def transposable_prune(w, chunk=1 << 20):
    """Best transposable 2:4 mask per 4x4 block: of the 90 patterns, the one keeping the largest sum of |w|."""
    global PATTERNS
    if PATTERNS is None:
        PATTERNS = transposable_patterns().to(w.device, torch.float32)
        assert PATTERNS.shape[0] == 90
    m, k = w.shape
    blocks = w.reshape(m // 4, 4, k // 4, 4).permute(0, 2, 1, 3).reshape(-1, 16)
    mask = torch.empty(blocks.shape, dtype=torch.bool, device=w.device)
    for s0 in range(0, blocks.shape[0], chunk):
        b = blocks[s0:s0 + chunk].float().abs()
        mask[s0:s0 + chunk] = PATTERNS[(b @ PATTERNS.t()).argmax(1)].bool()
    mask = mask.reshape(m // 4, k // 4, 4, 4).permute(0, 2, 1, 3).reshape(m, k)
    return w * mask, mask


def diagnose_fused(dtype):
    """Check PyTorch's fused prune+compress (prune_dense_static_sort, both packed and packed_t) on a small W.

    Reports: the row/column maxima of nonzeros per group of 4 of its decompression through packed (to_dense),
    how many kept values differ from W's value at the same place (0 for a correct pruning), how far the matrix
    seen through packed_t is from the one seen through packed, and FF/BP errors against the dense product of
    that decompression."""
    out = []
    w = torch.randn(1024, 2048, device="cuda", dtype=dtype)
    x = torch.randn(512, 2048, device="cuda", dtype=dtype)
    dy = torch.randn(512, 1024, device="cuda", dtype=dtype)
    for alg in ("", "largest_abs_values_greedy"):
        try:
            ws = SparseSemiStructuredTensorCUSPARSELT.prune_dense_static_sort(w, algorithm=alg)
            wd = ws.to_dense()  # through packed
            wtd = torch.mm(torch.eye(1024, device="cuda", dtype=dtype), ws)  # through packed_t
            r, c = mask_maxima(wd)
            not_subset = ((wd != 0) & (wd != w)).sum().item()
            out.append(f"alg='{alg}': packed rowmax {r} colmax {c}, values not from W {not_subset}, "
                       f"packed_t vs packed max|diff| {(wtd.float() - wd.float()).abs().max().item():.3g}, "
                       f"FF err {rel_err(F.linear(x, ws), F.linear(x, wd)):.1e}, "
                       f"BP (dY @ Ws via packed_t) err {rel_err(torch.mm(dy, ws), torch.mm(dy, wd)):.1e}")
        except Exception as ex:  # noqa: BLE001 -- a diagnostic
            out.append(f"alg='{alg}': {ex!r}")
    return "; ".join(out)


def run_layer(k, m, t, dtype):
    esize = 2
    footprint = esize * (m * k + t * k + t * m)  # W, X, dY (one phase touches two of them and writes one)
    nsets = max(1, min(16, math.ceil(3 * L2_BYTES / footprint)))
    flops = 2.0 * m * k * t
    reps = int(max(10, min(200, 30000.0 / (flops / 700e12 * 1e6 + 5.0))))
    w = [torch.randn(m, k, device="cuda", dtype=dtype) / math.sqrt(k) for _ in range(nsets)]
    x = [torch.randn(t, k, device="cuda", dtype=dtype) for _ in range(nsets)]
    dy = [torch.randn(t, m, device="cuda", dtype=dtype) for _ in range(nsets)]
    pruned = [transposable_prune(wi) for wi in w]
    wp = [p for p, _ in pruned]
    mask0 = pruned[0][1]
    del pruned
    ws = [to_sparse_semi_structured(p) for p in wp]                      # W, 2:4 along K: FF
    wts = [to_sparse_semi_structured(p.t().contiguous()) for p in wp]    # W^T, 2:4 along M: BP

    # checks on set 0: transposable mask, FF and BP against dense products of the pruned weight
    # the mask itself (not the nonzeros of W_pruned: fp16 randn has a few exact zeros) must hold exactly 2 of
    # every 4 along rows and along columns
    mask_ok = (mask0.reshape(m, -1, 4).sum(-1) == 2).all().item() and (mask0.t().reshape(k, -1, 4).sum(-1) == 2).all().item()
    del mask0
    g = w[0].float().abs().reshape(-1, 4)
    rowwise_kept = g.topk(2, dim=1).values.sum().item()
    kept_ratio = wp[0].float().abs().sum().item() / rowwise_kept
    err_ff = rel_err(F.linear(x[0], ws[0]), F.linear(x[0], wp[0]))
    err_bp = rel_err(F.linear(dy[0], wts[0]), torch.mm(dy[0], wp[0]))

    def compress(i):
        """Per-step re-compression of the updated weight under a fixed mask: W and W^T, both for cuSPARSELt."""
        return to_sparse_semi_structured(wp[i]), to_sparse_semi_structured(wp[i].t().contiguous())

    def step_dense(i):
        F.linear(x[i], w[i]); torch.mm(dy[i], w[i]); torch.mm(dy[i].t(), x[i])

    def step_sparse(i):
        F.linear(x[i], ws[i]); F.linear(dy[i], wts[i]); torch.mm(dy[i].t(), x[i])

    def step_sparse_compress(i):
        a, b = compress(i)
        F.linear(x[i], a); F.linear(dy[i], b); torch.mm(dy[i].t(), x[i])

    fns = {
        ("FF", "dense"): lambda i: F.linear(x[i], w[i]),
        ("FF", "sparse"): lambda i: F.linear(x[i], ws[i]),
        ("BP", "dense"): lambda i: torch.mm(dy[i], w[i]),
        ("BP", "sparse"): lambda i: F.linear(dy[i], wts[i]),
        ("WU", "dense"): lambda i: torch.mm(dy[i].t(), x[i]),
        ("compress", "sparse"): compress,
        ("prune_fused", "sparse"): lambda i: SparseSemiStructuredTensorCUSPARSELT.prune_dense_static_sort(w[i]),
        ("step", "dense"): step_dense,
        ("step", "sparse"): step_sparse,
        ("step_compress", "sparse"): step_sparse_compress,
    }
    res = {}
    # phases that are GEMMs use the GEMM rep count; step/prune calls are longer/shorter but reps only sets the
    # window length, so one count is fine.
    for phase in PHASES:
        sub = {kk: v for kk, v in fns.items() if kk[0] == phase}
        r = measure(sub, nsets, max(10, reps // 3) if phase.startswith("step") else reps)
        res.update(r)
    return dict(flops=flops, nsets=nsets, reps=reps, mask_ok=mask_ok, kept_ratio=kept_ratio,
                err_ff=err_ff, err_bp=err_bp, res=res)


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("OUT", "."), "h200_training_phases.csv")
    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    torch.manual_seed(1234)
    env = environment(torch)
    header = [
        f"# gpu: {env['gpu']}",
        f"# driver: {env['driver']}",
        f"# date: {env['date']}",
        f"# method: bench/gpu/measure_training.py; time_us = median over {WINDOWS} profiled windows of the mean per call of "
        "the summed device durations of all kernels/memsets recorded by torch.profiler (after warm-up, rotating input "
        "sets); ev_us = CUDA-event time per call; sparse = cuSPARSELt via to_sparse_semi_structured with a transposable "
        "2:4 mask (best of the 90 transposable patterns per 4x4 block), dense = cuBLAS with the unpruned W",
        "# phases (W: M x K = out x in, X: T x K, dY: T x M): FF Y=X W^T (sparse W 2:4 along K); BP dX=dY W (sparse "
        "W^T 2:4 along M, compressed separately); WU dW=dY^T X (dense in both variants); compress = re-compress W and "
        "W^T per step; prune_fused = PyTorch's fused prune+compress (prune_dense_static_sort), cost only; step = "
        "FF+BP+WU in one call; step_compress = compress+FF+BP+WU; speedup = dense time of the same phase / this time "
        "(step_compress: against the dense step)",
    ]
    for dtype, dname in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
        d = diagnose_fused(dtype)
        print(f"fused prune_dense_static_sort check {dname}: {d}", flush=True)
        header.append(f"# fused prune_dense_static_sort check ({dname}, W 1024x2048): {d}")
    cols = ["model", "layer", "dtype", "M_out", "K_in", "T_tokens", "phase", "variant", "gflop", "nsets", "reps",
            "time_us", "spread", "ev_us", "speedup", "tflops", "kernel", "nkernels", "mask_2to4_both_dims",
            "mask_kept_vs_rowwise", "rel_err_ff", "rel_err_bp"]
    t0 = time.time()
    with open(out_path, "w", newline="") as f:
        for h in header:
            f.write(h + "\n")
        wr = csv.writer(f)
        wr.writerow(cols)
        for model, layer, k, m, t in LAYERS:
            for dtype, dname in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
                if time.time() - t0 > TIME_LIMIT_S:
                    print("time limit reached; stopping", flush=True)
                    break
                try:
                    r = run_layer(k, m, t, dtype)
                except Exception as ex:  # noqa: BLE001 -- record and go on
                    print(f"FAILED {model} {layer} {dname}: {ex!r}", flush=True)
                    continue
                res = r["res"]
                dense_of = {"FF": res[("FF", "dense")][0], "BP": res[("BP", "dense")][0],
                            "WU": res[("WU", "dense")][0], "step": res[("step", "dense")][0],
                            "step_compress": res[("step", "dense")][0]}
                line = []
                for (phase, variant), (tm, spread, ev, kname, nk) in sorted(
                        ((kk, v) for kk, v in res.items() if isinstance(kk, tuple)),
                        key=lambda kv: (PHASES.index(kv[0][0]), kv[0][1])):
                    gflop = r["flops"] / 1e9 * (3 if phase.startswith("step") else (0 if phase in ("compress", "prune_fused") else 1))
                    sp = f"{dense_of[phase] / tm:.4f}" if phase in dense_of else ""
                    tf = f"{gflop * 1e3 / tm:.1f}" if gflop else ""
                    wr.writerow([model, layer, dname, m, k, t, phase, variant, f"{gflop:.3f}", r["nsets"], r["reps"],
                                 f"{tm:.3f}", f"{spread:.3f}", f"{ev:.3f}", sp, tf, kname[:160], nk,
                                 int(r["mask_ok"]), f"{r['kept_ratio']:.4f}", f"{r['err_ff']:.2e}", f"{r['err_bp']:.2e}"])
                    if variant == "sparse" or phase == "WU":  # for the log line
                        line.append(f"{phase} {tm:.1f}us x{sp or '-'}")
                f.flush()
                print(f"{dname} {model:10s} {layer:10s} M={m:5d} K={k:5d} T={t:5d} mask_ok={r['mask_ok']} "
                      f"kept={r['kept_ratio']:.3f} err={r['err_ff']:.1e}/{r['err_bp']:.1e} | " + "; ".join(line), flush=True)
                torch.cuda.empty_cache()
    print(f"done in {time.time() - t0:.0f}s -> {out_path}")


if __name__ == "__main__":
    main()
