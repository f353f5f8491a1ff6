#pragma once
// What every block needs to know about the GEMM being run: the kernel plan, the L2 reuse per wave, the
// block scheduler (which CTA a slot runs next) and the per-job stall tallies.
#include <systemc>

#include <cstdint>
#include <vector>

#include "dataflows/gemm/gemm_tiler.hpp"

namespace sparsim::stc {

struct JobContext {
  gemm::GemmShape shape;
  gemm::KernelPlan plan;
  gemm::WaveReuse reuse;
  bool representative = false;
  int sms = 1;
  std::int64_t next_cta = 0;  // all-SM mode: the block scheduler's queue head
  int slots_left = 0;
  sc_core::sc_event start, all_done;
  // Stall tallies summed over simulated slots (cycles).
  std::uint64_t operand_wait = 0, smem_bound = 0, epilogue = 0;
  std::vector<std::uint64_t> slot_end;  // cycle each active simulated slot finished

  std::int64_t wave_of(std::int64_t cta) const { return cta / reuse.wave_ctas; }
  // SMs busy in the wave of `cta`; in representative mode one simulated CTA stands for one CTA on each.
  std::int64_t active_sms(std::int64_t cta) const {
    const std::int64_t w = wave_of(cta);
    const std::int64_t in_wave = std::min(reuse.wave_ctas, plan.ctas - w * reuse.wave_ctas);
    return (in_wave + plan.ctas_per_sm - 1) / plan.ctas_per_sm;
  }
  // The block scheduler. All-SM mode: CTAs go in raster order to whichever slot asks first (dynamic, as
  // the hardware's block scheduler does). Representative mode: slot r of the one SM runs the r-th CTA of
  // every wave. `k` counts the CTAs the slot has taken. Returns -1 when none is left.
  std::int64_t next(int slot, std::int64_t k) {
    if (!representative) return next_cta < plan.ctas ? next_cta++ : -1;
    const std::int64_t c = k * reuse.wave_ctas + slot;
    return c < plan.ctas ? c : -1;
  }
};

}  // namespace sparsim::stc
