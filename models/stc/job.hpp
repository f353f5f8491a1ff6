#pragma once
// What every block needs to know about the GEMM being run: the kernel plan, the L2 reuse per wave, the
// block scheduler (which CTA a slot runs next) and the per-job stall tallies.
#include <systemc>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "dataflows/gemm/gemm_tiler.hpp"
#include "models/stc/operand_layout.hpp"

namespace sparsim::stc {

struct JobContext {
  gemm::GemmShape shape;
  gemm::KernelPlan plan;
  gemm::WaveReuse reuse;
  std::optional<OperandLayout> layout;  // of this job's operands in HBM
  bool representative = false;
  int sms = 1;
  std::int64_t next_cta = 0;  // all-SM mode: the block scheduler's queue head
  int slots_left = 0;
  sc_core::sc_event start, all_done;
  // Stall tallies summed over simulated slots (cycles).
  std::uint64_t operand_wait = 0, smem_bound = 0, epilogue = 0;
  std::vector<std::uint64_t> slot_end;  // cycle each active simulated slot finished
  // Timeline (only while one is active): per wave, the first CTA's start and the last one's end.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> wave_span;
  void cta_span(std::int64_t cta, std::uint64_t start, std::uint64_t end) {
    const auto w = static_cast<std::size_t>(wave_of(cta));
    if (w >= wave_span.size()) return;
    wave_span[w].first = std::min(wave_span[w].first, start);
    wave_span[w].second = std::max(wave_span[w].second, end);
  }

  std::int64_t wave_of(std::int64_t cta) const { return cta / reuse.wave_ctas; }
  std::int64_t in_wave(std::int64_t cta) const {
    return std::min(reuse.wave_ctas, plan.ctas - wave_of(cta) * reuse.wave_ctas);
  }
  // SMs busy in the wave of `cta`: the block scheduler spreads a wave over the SMs before it doubles up.
  std::int64_t active_sms(std::int64_t cta) const { return std::min<std::int64_t>(sms, in_wave(cta)); }
  // CTAs that the representative SM's CTA `cta` stands for: one on every SM that has a CTA in the same
  // slot position of the same wave.
  std::int64_t stands_for(std::int64_t cta) const {
    const std::int64_t slot = (cta % reuse.wave_ctas) / sms;
    return std::min<std::int64_t>(sms, in_wave(cta) - slot * sms);
  }
  // The CTAs whose HBM traffic a slot's CTA issues: itself, and in representative mode those it stands
  // for (cta + s on SM s), so the HBM sees the whole wave's addresses.
  std::vector<std::int64_t> hbm_group(std::int64_t cta) const {
    std::vector<std::int64_t> g;
    const std::int64_t n = representative ? stands_for(cta) : 1;
    for (std::int64_t s = 0; s < n; ++s) g.push_back(cta + s);
    return g;
  }
  // The block scheduler. The first wave goes out round-robin over the SMs (slot r of SM s gets CTA
  // r * sms + s); after that, all-SM mode hands the next CTA in raster order to whichever slot asks first
  // (dynamic, as the hardware does), and representative mode gives slot r of SM 0 the same position in
  // every later wave. `k` counts the CTAs the slot has taken. Returns -1 when none is left.
  std::int64_t next(int sm, int slot, std::int64_t k) {
    if (k == 0) {
      const std::int64_t c = static_cast<std::int64_t>(slot) * sms + sm;
      return c < plan.ctas ? c : -1;
    }
    if (!representative) return next_cta < plan.ctas ? next_cta++ : -1;
    const std::int64_t c = k * reuse.wave_ctas + static_cast<std::int64_t>(slot) * sms;
    return c < plan.ctas ? c : -1;
  }
};

}  // namespace sparsim::stc
