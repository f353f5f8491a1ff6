#pragma once
// SCNN's hardware parameters: their declarations (defaults, ranges, meaning) and the values of one run.
#include <vector>

#include "dataflows/scnn/mapper.hpp"
#include "models/memory/dram_spec.hpp"
#include "sim/config/config.hpp"

namespace sparsim::scnn {

struct ScnnParams {
  GridSpec grid;
  double clock_ghz = 1.0;
  int acc_bits = 24;                // accumulator (partial sum) width
  int halo_entries_per_cycle = 4;   // partial sums a PE sends to its neighbours per cycle
  int ppu_outputs_per_cycle = 4;    // outputs the post-processing unit rectifies and compresses per cycle
  memory::DramSpec dram;            // memory.dram.* (the shared DRAM model)
  bool stride_phases = true;        // pair operands by stride phase in strided layers
  int bank_queue_depth = 0;         // products a bank may hold waiting (0: conflicts stall at once)
  int dense_weight_bus_values = 0;  // DCNN: weights the broadcast bus moves per cycle (0: a whole F x I block)
};

const std::vector<ParamSpec>& scnn_param_specs();
void validate_scnn(const Config& cfg);
ScnnParams scnn_params(const Config& cfg);

}  // namespace sparsim::scnn
