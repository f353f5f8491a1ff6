#pragma once
// Counters of one simulated variant (scnn, dcnn or dcnn-opt), one StatGroup per hardware block. Every
// counter that costs energy names its energy-table action (docs/scnn.md explains the choices).
#include <cstdint>
#include <string>

#include "models/scnn/params.hpp"
#include "sim/stats.hpp"

namespace sparsim::scnn {

struct VariantStats {
  VariantStats(const std::string &variant, const ScnnParams &p);
  void attach(StatsRegistry &reg);

  StatGroup mult, xbar, acc, iaram, oaram, wfifo, ppu, halo, dram;
  // Multiplier array
  Counter &mults, &mults_gated, &mults_discarded, &wu_filtered, &busy_pe_cycles, &conflict_pe_cycles,
      &barrier_pe_cycles, &weight_wait_pe_cycles;
  // Scatter crossbar (SCNN) / adder trees' outputs (DCNN), accumulator banks
  Counter &xbar_bytes, &acc_read_bytes, &acc_write_bytes;
  Counter &iaram_read_bytes, &iaram_write_bytes, &oaram_read_bytes, &oaram_write_bytes;
  Counter &wfifo_read_bytes, &wfifo_write_bytes;
  Counter &ppu_outputs, &halo_bytes, &halo_adds;
  Counter &dram_weight_bytes, &dram_act_read_bytes, &dram_act_write_bytes;
  // The weight bytes split into value and index bits (FF and BP weight streams; weight_format.hpp).
  Counter &dram_weight_value_bits, &dram_weight_index_bits;
};

}  // namespace sparsim::scnn
