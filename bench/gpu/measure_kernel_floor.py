#!/usr/bin/env python3
"""The floor of a kernel's device duration on one NVIDIA GPU: an empty kernel and the smallest memory kernels.

Why: the stc model charges every kernel launch a fixed cost (accelerator.kernel.launch_ns) for what a kernel's
device duration holds besides its work: the grid launch onto the SMs and the completion at its end. Recurrent
layers run one to three tiny kernels per time step (bench/gpu/h200_rnn_kernels.csv), so this floor is a large
share of their time. The parameter comes from this measurement, not from the recurrent results.

Method: torch.cuda._sleep(0) (a one-thread spin kernel that spins for 0 cycles: an empty kernel), a fill of one
element, a copy of one element; each timed as the mean device duration recorded by torch.profiler over CALLS
launches, median over WINDOWS windows. Output: CSV at argv[1] (default $OUT/h200_kernel_floor.csv).
"""
import csv
import os
import statistics
import sys

import torch
from torch.profiler import ProfilerActivity, profile
from gpu_env import environment

CALLS, WINDOWS = 200, 5


def device_us(fn):
    fn()
    torch.cuda.synchronize()
    per = []
    for _ in range(WINDOWS):
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(CALLS):
                fn()
            torch.cuda.synchronize()
        per.append(sum(e.device_time_total for e in prof.key_averages()) / CALLS)
    return statistics.median(per)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("OUT", "."), "h200_kernel_floor.csv")
    a = torch.zeros(1, device="cuda", dtype=torch.float16)
    b = torch.zeros(1, device="cuda", dtype=torch.float16)
    cases = {"empty (_sleep(0))": lambda: torch.cuda._sleep(0), "fill 1 element": lambda: a.fill_(1.0),
             "copy 1 element": lambda: b.copy_(a)}
    env = environment(torch)
    with open(path, "w", newline="") as f:
        f.write(f"# gpu: {env['gpu']}\n# driver: {env['driver']}\n# date: {env['date']}\n")
        f.write("# method: bench/gpu/measure_kernel_floor.py; time_us = median over windows of the mean device"
                " duration per launch (torch.profiler)\n")
        w = csv.writer(f)
        w.writerow(["kernel", "time_us"])
        for name, fn in cases.items():
            us = device_us(fn)
            print(name, f"{us:.3f}")
            w.writerow([name, f"{us:.3f}"])


if __name__ == "__main__":
    main()
