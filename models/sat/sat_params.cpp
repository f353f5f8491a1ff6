#include "models/sat/sat_params.hpp"

#include <cmath>
#include <string>

#include "dataflows/sat/sat_mapper.hpp"
#include "models/memory/address_map.hpp"
#include "models/memory/dram_params.hpp"
#include "models/sat/array_core.hpp"
#include "models/transform/transform_unit.hpp"

namespace sparsim::sat {

std::vector<ParamSpec> sat_params() {
  const long long big = 1LL << 40;
  std::vector<ParamSpec> params = {
      float_param("accelerator.clock_ghz", 1.0, 1e-3, 100.0, "GHz",
                  "Clock of the array and buffers; DRAM timing (memory.dram, its own clock) is converted to array "
                  "cycles with it."),
      int_param("accelerator.array.rows", 32, 1, 4096, "PEs", "PE rows of the systolic array."),
      int_param("accelerator.array.cols", 32, 1, 4096, "PEs", "PE columns of the systolic array."),
      int_param("accelerator.array.pe_multipliers", 2, 1, 64, "multipliers",
                "Multipliers per PE; in N:M mode they hold kept weights, so it must be a multiple of N."),
      int_param("accelerator.array.max_m", 16, 2, 64, "",
                "Largest group size M the PE's index registers and activation selector support."),
      enum_param("accelerator.array.ws_weight_load", "shadow", {"shadow", "before_fold"},
                 "Weight-stationary folds: next weights load into shadow registers while the current fold "
                 "streams (shadow), or shift in R rows before each fold with nothing overlapping (before_fold, "
                 "SCALE-Sim's choice)."),
      enum_param("accelerator.array.os_drain", "serial", {"serial", "overlapped"},
                 "Output-stationary folds: accumulators shift out down the R rows after the fold (serial), or "
                 "into a second register per PE so the next fold starts at once (overlapped, SCALE-Sim's "
                 "choice)."),
      int_param("accelerator.array.edge_fifo_depth", 8, 1, 1024, "steps",
                "Operand steps each edge lane's FIFO holds between the GLB and the array (read-ahead credit)."),
      enum_param("accelerator.dataflow", "auto", {"auto", "weight_stationary", "output_stationary"},
                 "Array dataflow: let the mapper choose per op, or force one stationarity."),
      int_param("accelerator.data_bytes", 2, 1, 4, "bytes",
                "Operand width (1: int8, 2: fp16, 4: fp32); picks the MAC energy action."),
      int_param("accelerator.accumulator_bytes", 4, 1, 8, "bytes", "Partial-sum width in the accumulator buffer."),
      int_param("accelerator.glb.capacity_bytes", 2 << 20, 1, big, "bytes",
                "Global buffer capacity, split in two halves for double buffering of operand tiles."),
      int_param("accelerator.glb.banks", 16, 1, 1024, "banks",
                "Global buffer banks; each serves one access of bank_width_bytes per cycle."),
      int_param("accelerator.glb.bank_width_bytes", 32, 1, 4096, "bytes", "Width of one bank access."),
      enum_param("accelerator.glb.bank_mapping", "xor", {"interleave", "xor"},
                 "Bank of a GLB word: word mod banks (interleave), or the bank digit XOR the higher digits of the "
                 "word address (xor), so rows whose pitch is a multiple of banks x width spread over the banks "
                 "(detailed mode; the fast mode assumes no conflict)."),
      int_param("accelerator.obuf.capacity_bytes", 256 << 10, 1, big, "bytes",
                "Accumulator (output) buffer at the array's bottom edge, two halves (compute/store)."),
      int_param("accelerator.obuf.banks", 0, 0, 4096, "banks",
                "Accumulator banks of the output buffer; array column c's partial sums live in bank c mod banks "
                "(0: one bank per array column)."),
      enum_param("accelerator.obuf.bank_ports", "read_and_write", {"read_and_write", "single"},
                 "Ports of each accumulator bank: a read port and a write port (read_and_write: a "
                 "read-modify-write per cycle), or one port (single: a read-modify-write takes two cycles of it)."),
      int_param("accelerator.mask_unit.lanes", 16, 1, 4096, "groups/cycle",
                "N:M groups whose top-N the mask unit's comparator lanes rank per cycle."),
      int_param("accelerator.mask_unit.latency_cycles", 8, 0, 1 << 20, "cycles",
                "Pipeline depth of the mask unit's comparator network."),
      enum_param("accelerator.mask_unit.timing", "pregenerate", {"pregenerate", "on_demand"},
                 "pregenerate: after a pruned layer's sparse WU the mask unit generates its next masks and "
                 "compressed copies, overlapped with the jobs that follow (the SAT paper's pre-generation of "
                 "N:M weights). on_demand: the sparse FF of the layer first waits for the unit to generate "
                 "them (a mask-generation stall), the ablation that shows what pre-generation gains."),
      enum_param("accelerator.mask_unit.rank", "every_step", {"every_step", "when_masks_change"},
                 "every_step: the unit re-ranks every group after each weight update. when_masks_change: a layer "
                 "whose mask is known not to have changed (a training trace's mask_change of 0, e.g. RigL "
                 "between updates) is only re-compressed through its kept indices: W read and both copies "
                 "written, no ranking."),
      bool_param("accelerator.sim.reuse_identical_gemms", true,
                 "Fast mode: a job identical to one already simulated (variant, GEMM shape, N:M pattern; its "
                 "operands at the same DRAM addresses) that begins while the mask unit holds the same work takes "
                 "that job's cycles and counters for its array part instead of being simulated again (docs/sat.md "
                 "measures the error); detailed mode always simulates."),
      int_param("accelerator.sim.reuse_min_cycles", 0, 0, big, "cycles",
                "Fast mode: only a job whose array part took at least this long stands for its identical twins."),
  };
  // 128 adders: the F(2x2,3x3) input transform of 4 channel tiles per cycle (32 adds each), about what a
  // 32 x 32 array consumes when Cout is 64 or more; see docs/winograd.md for the ratio per layer.
  for (ParamSpec& p : transform::winograd_params(
           128, 1, true, "Default 128: an adder bank one sixteenth of the default array's 2048 multipliers."))
    params.push_back(std::move(p));
  for (ParamSpec& p : memory::dram_params("DDR4_3200", 4)) params.push_back(std::move(p));
  return params;
}

Hw hw_from_config(const Config& cfg) {
  Hw hw;
  hw.rows = cfg.i64("accelerator.array.rows");
  hw.cols = cfg.i64("accelerator.array.cols");
  hw.pe_multipliers = cfg.i64("accelerator.array.pe_multipliers");
  hw.max_m = cfg.i64("accelerator.array.max_m");
  hw.data_bytes = cfg.i64("accelerator.data_bytes");
  hw.acc_bytes = cfg.i64("accelerator.accumulator_bytes");
  hw.dataflow = cfg.str("accelerator.dataflow");
  hw.ws_shadow_weights = cfg.str("accelerator.array.ws_weight_load") == "shadow";
  hw.os_overlapped_drain = cfg.str("accelerator.array.os_drain") == "overlapped";
  hw.edge_fifo_depth = cfg.i64("accelerator.array.edge_fifo_depth");
  hw.glb_capacity = cfg.i64("accelerator.glb.capacity_bytes");
  hw.glb_banks = cfg.i64("accelerator.glb.banks");
  hw.glb_bank_width = cfg.i64("accelerator.glb.bank_width_bytes");
  hw.glb_bank_mapping = cfg.str("accelerator.glb.bank_mapping");
  hw.obuf_capacity = cfg.i64("accelerator.obuf.capacity_bytes");
  hw.obuf_banks = cfg.i64("accelerator.obuf.banks") == 0 ? hw.cols : cfg.i64("accelerator.obuf.banks");
  hw.obuf_single_port = cfg.str("accelerator.obuf.bank_ports") == "single";
  hw.mask_lanes = cfg.i64("accelerator.mask_unit.lanes");
  hw.mask_latency = cfg.i64("accelerator.mask_unit.latency_cycles");
  hw.mask_rank_on_change = cfg.str("accelerator.mask_unit.rank") == "when_masks_change";
  hw.mask_on_demand = cfg.str("accelerator.mask_unit.timing") == "on_demand";
  const memory::DramSpec dram = memory::dram_spec_from_config(cfg);
  const double clock = cfg.f64("accelerator.clock_ghz");  // array cycles per ns
  hw.dram_bw = dram.peak_gbps() / clock;
  hw.dram_latency = static_cast<i64>(std::ceil(dram.idle_read_cycles() * dram.tck_ns * clock));
  hw.dram_burst = dram.burst_bytes();
  hw.dram_channels = dram.channels;
  hw.dram_run_bytes = static_cast<i64>(memory::AddressMap(dram).run_bursts()) * dram.burst_bytes();
  return hw;
}

void validate_sat(const Config& cfg) {
  const Hw hw = hw_from_config(cfg);
  if (hw.data_bytes == 3) cfg.fail("accelerator.data_bytes", "must be 1, 2 or 4 (int8, fp16, fp32)");
  const i64 n = cfg.i64("workload.sparsity.n"), m = cfg.i64("workload.sparsity.m");
  if ((n == 0) != (m == 0)) cfg.fail("workload.sparsity.n", "N and M must both be 0 (no N:M) or both positive");
  if (n > 0) {
    if (n > m) cfg.fail("workload.sparsity.n", "N (" + std::to_string(n) + ") exceeds M (" + std::to_string(m) + ")");
    if (m > hw.max_m)
      cfg.fail("workload.sparsity.m", "M (" + std::to_string(m) + ") exceeds accelerator.array.max_m (" +
                                          std::to_string(hw.max_m) +
                                          "), the largest group the PE index hardware selects from");
    if (n < m && hw.pe_multipliers % n != 0)
      cfg.fail("accelerator.array.pe_multipliers",
               "must be a multiple of N (" + std::to_string(n) + ") so that each PE holds whole N:M groups");
  }
  if (const std::string bad = memory::check_sram_spec(glb_sram_spec(hw, 2, "fixed_priority")); !bad.empty()) {
    const std::string field = bad.substr(0, bad.find(':'));
    cfg.fail(field == "bank_width_bytes" ? "accelerator.glb.bank_width_bytes" : "accelerator.glb.banks",
             bad.substr(bad.find(':') + 2));
  }
  std::string why;
  const Nm nm = (n > 0 && n < m) ? Nm{n, m} : Nm{};
  if (!minimal_tile_fits(hw, Nm{}, &why) || !minimal_tile_fits(hw, nm, &why)) {
    if (why.find("output") != std::string::npos) cfg.fail("accelerator.obuf.capacity_bytes", why);
    cfg.fail("accelerator.glb.capacity_bytes", why);
  }
}

}  // namespace sparsim::sat
