#!/usr/bin/env python3
"""The cost of synchronizing all SMs once per time step, as a persistent RNN kernel must (issue 15).

Why: a persistent recurrent kernel (cuDNN's PERSIST_STATIC, the sparse persistent kernels of Zhu et al. 2018)
keeps its weights on chip and runs every time step inside one launch; between steps every SM must see all of
h_(t-1). That costs a grid-wide barrier (cooperative groups grid.sync) or, in Zhu et al.'s design, Lamport
timestamps: each SM polls the data it needs until the step's tag appears. This script measures both on the
GPU, so that the stc model's persistent kernel takes its per-step synchronization cost from hardware, not
from the recurrent kernels it is validated against.

Method (CUDA C++ compiled with torch.utils.cpp_extension.load_inline, needs nvcc):
- grid_sync: one block per SM (the number of SMs), each of 128 threads, loops ITERS times over
  cooperative_groups::this_grid().sync(); launched with cudaLaunchCooperativeKernel. time per sync =
  (kernel time with ITERS syncs - with 0 syncs) / ITERS.
- flag_ring: the same grid; at step s every block writes its tag s into its slot of a global array and then
  waits until every slot holds s (volatile loads, the Lamport-style all-gather of one word per block).
Output: CSV at argv[1] (default $OUT/h200_grid_sync.csv).
"""
import csv
import os
import statistics
import sys

import torch
from gpu_env import environment

SRC = r"""
#include <cooperative_groups.h>
#include <torch/extension.h>
#include <cuda_runtime.h>
namespace cg = cooperative_groups;

__global__ void grid_sync_kernel(int iters, int* sink) {
  cg::grid_group g = cg::this_grid();
  for (int i = 0; i < iters; ++i) g.sync();
  if (threadIdx.x == 0 && blockIdx.x == 0) sink[0] = iters;
}

__global__ void flag_ring_kernel(int iters, volatile int* slots, int* sink) {
  const int n = gridDim.x;
  for (int s = 1; s <= iters; ++s) {
    if (threadIdx.x == 0) { __threadfence(); slots[blockIdx.x] = s; }
    for (int j = threadIdx.x; j < n; j += blockDim.x)
      while (slots[j] < s) { }
    __syncthreads();
  }
  if (threadIdx.x == 0 && blockIdx.x == 0) sink[0] = iters;
}

double time_ms(bool cooperative, int blocks, int iters) {
  int* sink; int* slots;
  cudaMalloc(&sink, sizeof(int));
  cudaMalloc(&slots, sizeof(int) * blocks);
  cudaMemset(slots, 0, sizeof(int) * blocks);
  cudaEvent_t a, b; cudaEventCreate(&a); cudaEventCreate(&b);
  void* args_sync[] = {&iters, &sink};
  void* args_ring[] = {&iters, &slots, &sink};
  // warm-up
  if (cooperative) cudaLaunchCooperativeKernel((void*)grid_sync_kernel, blocks, 128, args_sync, 0, 0);
  else cudaLaunchCooperativeKernel((void*)flag_ring_kernel, blocks, 128, args_ring, 0, 0);
  cudaMemset(slots, 0, sizeof(int) * blocks);
  cudaDeviceSynchronize();
  cudaEventRecord(a);
  if (cooperative) cudaLaunchCooperativeKernel((void*)grid_sync_kernel, blocks, 128, args_sync, 0, 0);
  else cudaLaunchCooperativeKernel((void*)flag_ring_kernel, blocks, 128, args_ring, 0, 0);
  cudaEventRecord(b);
  cudaEventSynchronize(b);
  float ms = 0; cudaEventElapsedTime(&ms, a, b);
  cudaError_t e = cudaGetLastError();
  cudaFree(sink); cudaFree(slots);
  if (e != cudaSuccess) return -1.0;
  return ms;
}
"""
CPP = "double time_ms(bool cooperative, int blocks, int iters);"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("OUT", "."), "h200_grid_sync.csv")
    from torch.utils.cpp_extension import load_inline
    mod = load_inline(name="grid_sync_bench", cpp_sources=CPP, cuda_sources=SRC, functions=["time_ms"],
                      extra_cuda_cflags=["-O3", "-arch=sm_90"], verbose=False)
    sms = torch.cuda.get_device_properties(0).multi_processor_count
    env = environment(torch)
    rows = []
    for kind, coop in (("grid_sync", True), ("flag_ring", False)):
        for blocks in (sms, sms // 2, 16):
            base = statistics.median(mod.time_ms(coop, blocks, 0) for _ in range(5))
            many = statistics.median(mod.time_ms(coop, blocks, 10000) for _ in range(5))
            per_us = (many - base) * 1000.0 / 10000
            rows.append([kind, blocks, f"{base * 1000:.2f}", f"{per_us:.3f}"])
            print(kind, blocks, f"launch+empty {base * 1000:.2f} us", f"per sync {per_us:.3f} us", flush=True)
    with open(path, "w", newline="") as f:
        f.write(f"# gpu: {env['gpu']}\n# driver: {env['driver']}\n# date: {env['date']}\n")
        f.write("# method: bench/gpu/measure_grid_sync.py; per_sync_us = (CUDA-event time of 10000 syncs - of 0) /"
                " 10000, median of 5; one block of 128 threads per SM (or fewer blocks)\n")
        w = csv.writer(f)
        w.writerow(["kind", "blocks", "empty_kernel_event_us", "per_sync_us"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
