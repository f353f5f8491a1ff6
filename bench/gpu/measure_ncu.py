#!/usr/bin/env python3
"""Hardware counters (Nsight Compute) of dense (cuBLAS) and 2:4 sparse (cuSPARSELt) GEMM kernels on one NVIDIA GPU.

Why: docs/validation/stc.md shows the stc model saturating near 1.17x sparse-over-dense while the H200 measures
1.3-1.5x on large fp16 GEMMs (and about 1.0-1.2x in bf16 on squares). Timing alone cannot say what limits each
real kernel. This records, per kernel, what ncu's counters say: tensor-pipe (wgmma) activity, shared-memory,
L2 and DRAM throughput, occupancy, the launch shape (grid, block, cluster, registers, shared memory), and the
kernel name, which for both libraries encodes the CTA tile and cluster shape. Output:
bench/gpu/h200_ncu_counters.csv, summarised in docs/validation/stc-counters.md.

Method
- Same operands and calls as bench/gpu/measure_stc.py: sparse operand W (M x K, 2:4 along K by magnitude)
  compressed with to_sparse_semi_structured on the cuSPARSELt backend (_FORCE_CUTLASS = False);
  "square": torch.mm(W, B) with B K x N; "linear": F.linear(X, W) with X N x K (N = tokens). The dense
  baseline uses the UNPRUNED W.
- Mode "run" is the workload, meant to run under `ncu --profile-from-start off`: for each case it builds and
  compresses the operands and warms up (all unprofiled), then opens a profiler window
  (torch.cuda.profiler.start/stop = cudaProfilerStart/Stop) holding one separator kernel (torch.cuda._sleep,
  "spin_kernel") and LAUNCHES calls of the GEMM. Only those windows are profiled, so compression, allocation
  and warm-up kernels never are. The case order is written to a manifest (JSON).
- ncu replays each profiled kernel once per counter pass with --cache-control all (L2 flushed before each
  pass: every kernel starts with cold caches, as operands streamed from HBM) and --clock-control none (the
  GPU's own boost/power management, as in the timing runs; ncu's default would lock the base clock).
- Mode "parse" splits ncu's raw CSV (`ncu -i REPORT --csv --page raw --print-units base`) into cases at the
  separator kernels, averages each metric over the LAUNCHES launches of the same kernel, and writes one row per
  (shape, dtype, variant, kernel). Units are ncu base units (ns, bytes, %, Hz).
The wrapper bench/gpu/run_ncu.sh holds the metric list and the exact ncu command lines.

Usage: measure_ncu.py metrics             (the comma-separated list for ncu --metrics)
       measure_ncu.py run MANIFEST.json   (under ncu)
       measure_ncu.py parse RAW.csv MANIFEST.json OUT.csv
"""
import csv
import json
import os
import sys
from gpu_env import environment

LAUNCHES = int(os.environ.get("NCU_LAUNCHES", "2"))


def cases():
    """(kind, name, M, N, K). square: C = W(MxK) @ B(KxN); linear: Y = X(NxK) W(MxK)^T, N = tokens."""
    out = [("square", f"sq{n}", n, n, n) for n in (1024, 2048, 4096, 8192)]
    linears = [  # (name, in_features K, out_features M)
        ("llama_o", 4096, 4096), ("llama_up11008", 4096, 11008), ("llama_down11008", 11008, 4096),
    ]
    for tokens in (2048, 4096):
        for name, k, m in linears:
            out.append(("linear", f"{name}_t{tokens}", m, tokens, k))
    out.append(("linear", "bertL_ff1_t4096", 4096, 4096, 1024))
    out.append(("linear", "bertL_ff2_t4096", 1024, 4096, 4096))
    if os.environ.get("NCU_QUICK"):
        out = out[:1]
    return out


def prune_24(w):
    """Keep the 2 largest-magnitude values of every 4 consecutive values along the last dim."""
    import torch
    g = w.reshape(-1, 4)
    idx = g.abs().topk(2, dim=1).indices
    mask = torch.zeros_like(g, dtype=torch.bool).scatter_(1, idx, True)
    return (g * mask).reshape(w.shape)


def run(manifest_path):
    import torch
    import torch.nn.functional as F
    from torch.sparse import SparseSemiStructuredTensor, to_sparse_semi_structured

    SparseSemiStructuredTensor._FORCE_CUTLASS = False
    torch.manual_seed(1234)
    env = environment(torch)
    man = {
        **env,
        "launches": LAUNCHES,
        "cases": [],
    }
    for kind, name, m, n, k in cases():
        for dtype, dname in ((torch.float16, "fp16"), (torch.bfloat16, "bf16")):
            w = torch.randn(m, k, device="cuda", dtype=dtype)
            ws = to_sparse_semi_structured(prune_24(w))
            if kind == "square":
                b = torch.randn(k, n, device="cuda", dtype=dtype)
                fns = {"dense": lambda: torch.mm(w, b), "sparse": lambda: torch.mm(ws, b)}
            else:
                b = torch.randn(n, k, device="cuda", dtype=dtype)
                fns = {"dense": lambda: F.linear(b, w), "sparse": lambda: F.linear(b, ws)}
            for variant, fn in fns.items():
                for _ in range(3):
                    fn()
                torch.cuda.synchronize()
                label = f"{name}|{dname}|{variant}"
                torch.cuda.nvtx.range_push(label)
                torch.cuda.profiler.start()
                torch.cuda._sleep(1000)  # separator kernel: marks the start of this case in ncu's output
                for _ in range(LAUNCHES):
                    fn()
                torch.cuda.synchronize()
                torch.cuda.profiler.stop()
                torch.cuda.nvtx.range_pop()
                man["cases"].append({"kind": kind, "name": name, "M": m, "N": n, "K": k, "dtype": dname,
                                     "variant": variant})
                print(f"ran {label}", flush=True)
            del w, ws, b
            torch.cuda.empty_cache()
    with open(manifest_path, "w") as f:
        json.dump(man, f, indent=1)


# Output columns: (csv column, ncu metric). Missing metrics are left empty.
COLUMNS = [
    ("duration_ns", "gpu__time_duration.sum"),
    ("sm_clock_hz", "sm__cycles_elapsed.avg.per_second"),
    ("sm_cycles_active", "sm__cycles_active.avg"),
    # Hopper has no separate gmma cycle counter: the hmma one counts HMMA/HGMMA/QGMMA (wgmma) activity.
    ("tensor_active_pct", "sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_active"),
    ("tensor_elapsed_pct", "sm__pipe_tensor_op_hmma_cycles_active.avg.pct_of_peak_sustained_elapsed"),
    ("tensor_any_elapsed_pct", "sm__pipe_tensor_cycles_active.avg.pct_of_peak_sustained_elapsed"),
    ("gmma_inst", "sm__inst_executed_pipe_tensor_op_gmma.sum"),
    # math ops the tensor path executed, split by sparse (sparsity_on) and dense (sparsity_off) wgmma
    ("ops_fp16_dense", "sm__ops_path_tensor_op_hgmma_src_fp16_sparsity_off.sum"),
    ("ops_fp16_sparse", "sm__ops_path_tensor_op_hgmma_src_fp16_sparsity_on.sum"),
    ("ops_bf16_dense", "sm__ops_path_tensor_op_hgmma_src_bf16_dst_fp32_sparsity_off.sum"),
    ("ops_bf16_sparse", "sm__ops_path_tensor_op_hgmma_src_bf16_dst_fp32_sparsity_on.sum"),
    ("sm_throughput_pct", "sm__throughput.avg.pct_of_peak_sustained_elapsed"),
    ("mem_throughput_pct", "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed"),
    ("l1tex_throughput_pct", "l1tex__throughput.avg.pct_of_peak_sustained_active"),
    ("smem_lsu_wavefronts", "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum"),
    # shared-memory data-pipe wavefronts, including the wgmma operand reads (op_gmma below), % of peak
    ("smem_lsu_wavefronts_pct", "l1tex__data_pipe_lsu_wavefronts_mem_shared.sum.pct_of_peak_sustained_elapsed"),
    # NB: the "shared pipe" is the FP16+tensor pipe, not shared memory (here it equals tensor_elapsed_pct)
    ("fp16_tensor_shared_pipe_elapsed_pct", "sm__pipe_shared_cycles_active.avg.pct_of_peak_sustained_elapsed"),
    ("smem_gmma_bytes", "sm__sass_data_bytes_mem_shared_op_gmma.sum"),
    ("smem_gmma_wavefronts", "l1tex__data_pipe_lsu_wavefronts_mem_shared_op_gmma.sum"),
    ("smem_gmma_bank_conflicts", "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_gmma.sum"),
    ("smem_ld_bank_conflicts", "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld.sum"),
    ("smem_st_bank_conflicts", "l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_st.sum"),
    ("smem_ld_inst", "smsp__sass_inst_executed_op_shared_ld.sum"),
    ("smem_st_inst", "smsp__sass_inst_executed_op_shared_st.sum"),
    ("tma_elapsed_pct", "sm__pipe_tma_cycles_active.avg.pct_of_peak_sustained_elapsed"),
    ("tma_ld_bytes", "l1tex__m_xbar2l1tex_read_bytes_mem_global_op_tma_ld.sum"),
    ("tma_ld_multicast_bytes", "l1tex__m_xbar2l1tex_read_bytes_mem_global_op_tma_ld_dest_multicast.sum"),
    ("l2_to_sm_bytes", "l1tex__m_xbar2l1tex_read_bytes.sum"),
    ("l2_hit_pct", "lts__t_sector_hit_rate.pct"),
    ("l2_throughput_pct", "lts__throughput.avg.pct_of_peak_sustained_elapsed"),
    ("l2_bytes", "lts__t_bytes.sum"),
    ("dram_throughput_pct", "dram__throughput.avg.pct_of_peak_sustained_elapsed"),
    ("dram_read_bytes", "dram__bytes_read.sum"),
    ("dram_write_bytes", "dram__bytes_write.sum"),
    ("warps_active_pct", "sm__warps_active.avg.pct_of_peak_sustained_active"),
    ("grid_size", "launch__grid_size"),
    ("block_size", "launch__block_size"),
    ("cluster_x", "launch__cluster_dim_x"),
    ("cluster_y", "launch__cluster_dim_y"),
    ("cluster_z", "launch__cluster_dim_z"),
    ("regs_per_thread", "launch__registers_per_thread"),
    ("smem_dyn_per_block", "launch__shared_mem_per_block_dynamic"),
    ("smem_static_per_block", "launch__shared_mem_per_block_static"),
    ("waves_per_sm", "launch__waves_per_multiprocessor"),
]


def num(s):
    try:
        return float(str(s).replace(",", ""))
    except ValueError:
        return None


def parse(raw_path, manifest_path, out_path):
    man = json.load(open(manifest_path))
    lines = [ln for ln in open(raw_path).read().splitlines() if not ln.startswith("==")]
    rows = list(csv.reader(lines))
    head = rows[0]
    body = rows[1:]
    if body and head and (not body[0] or not body[0][0].strip().isdigit()):
        body = body[1:]  # the units row under the header
    col = {h: i for i, h in enumerate(head)}
    kcol = col.get("Kernel Name")
    segments, cur = [], None
    for r in body:
        if len(r) < len(head):
            continue
        kname = r[kcol]
        if "spin_kernel" in kname:
            cur = []
            segments.append(cur)
            continue
        if cur is None:
            continue
        cur.append(r)
    cases = man["cases"]
    if len(segments) != len(cases):
        print(f"WARNING: {len(segments)} separator-delimited segments but {len(cases)} cases in the manifest",
              file=sys.stderr)
    present = [(c, m) for c, m in COLUMNS if m in col]
    missing = [m for _, m in COLUMNS if m not in col]
    with open(out_path, "w", newline="") as f:
        f.write(f"# gpu: {man['gpu']}\n# driver: {man['driver']}\n# date: {man['date']}\n")
        f.write("# method: bench/gpu/measure_ncu.py under bench/gpu/run_ncu.sh: Nsight Compute "
                f"{os.environ.get('NCU_VERSION', '')} --clock-control none --cache-control all, kernel replay; "
                f"each metric is the mean over the {man['launches']} profiled launches of the kernel after warm-up; "
                "sparse = to_sparse_semi_structured (cuSPARSELt), dense = cuBLAS via torch.mm/F.linear\n")
        f.write("# GEMM view: sparse operand W is M x K (2:4 along K); dense operand is K x N (N = tokens for linear); "
                "units: ncu base units (ns, bytes, Hz, %); tflops = 2MNK / duration (dense-equivalent)\n")
        if missing:
            f.write("# metrics not available in this ncu/GPU (left empty): " + " ".join(missing) + "\n")
        wr = csv.writer(f)
        wr.writerow(["kind", "name", "dtype", "variant", "M", "N", "K", "kernel", "launches", "tflops"]
                    + [c for c, _ in present])
        for case, seg in zip(cases, segments):
            by_kernel = {}
            for r in seg:
                by_kernel.setdefault(r[kcol], []).append(r)
            for kname, rs in by_kernel.items():
                vals = []
                for _, m in present:
                    xs = [num(r[col[m]]) for r in rs]
                    xs = [x for x in xs if x is not None]
                    vals.append(sum(xs) / len(xs) if xs else None)
                d = vals[[c for c, _ in present].index("duration_ns")] if "gpu__time_duration.sum" in col else None
                fl = 2.0 * case["M"] * case["N"] * case["K"]
                tf = f"{fl / d / 1e3:.1f}" if d else ""
                wr.writerow([case["kind"], case["name"], case["dtype"], case["variant"], case["M"], case["N"],
                             case["K"], kname[:200], len(rs), tf]
                            + ["" if v is None else (f"{v:.4g}" if abs(v) < 1e6 else f"{v:.0f}") for v in vals])
    print(f"wrote {out_path}: {len(segments)} segments, {len(cases)} cases, missing metrics: {missing}")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "metrics":
        print(",".join(m for _, m in COLUMNS if not os.environ.get("NCU_DROP") or m not in os.environ["NCU_DROP"].split(",")))
    elif len(sys.argv) >= 3 and sys.argv[1] == "run":
        run(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == "parse":
        parse(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__)
        sys.exit(2)
