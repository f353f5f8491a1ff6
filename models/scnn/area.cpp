// What SCNN and its dense baselines are built of, per PE times the grid, for their area (sim/area.hpp).
// SCNN: F x I multipliers, the F*I x A crossbar to the accumulator banks, the banks, IARAM, OARAM and the
// weight FIFO (the paper's PE). DCNN and DCNN-opt: the same multipliers and activation RAMs, reducing through
// adder trees into F partial-sum registers (no crossbar, no banks); DCNN-opt adds zero gating per multiplier.
#include "models/scnn/area.hpp"

#include <string>

#include "models/scnn/params.hpp"

namespace sparsim::scnn {

std::vector<AreaPart> scnn_inventory(const Config& cfg) {
  const ScnnParams p = scnn_params(cfg);
  const auto& g = p.grid;
  const double pes = static_cast<double>(g.pe_rows) * g.pe_cols;
  const auto n = [](long long v) { return std::to_string(v); };
  const std::string grid = n(g.pe_rows) + " x " + n(g.pe_cols) + " PEs";
  const double value_bytes = (g.value_bits + 7) / 8, acc_bytes = (p.acc_bits + 7) / 8;
  std::vector<AreaPart> parts;
  for (const char* v : {"scnn", "dcnn", "dcnn-opt"}) {
    // A 16-bit multiply with a wide accumulate; the table's 16-bit MAC is the item the energy charges too.
    parts.push_back({v, "mult", "mac_fp16", pes * g.F * g.I, grid + " x " + n(g.F) + " x " + n(g.I) + " multipliers"});
    parts.push_back({v, "iaram", "sram_byte", pes * static_cast<double>(g.iaram_bytes), grid + " x iaram_bytes"});
    parts.push_back({v, "oaram", "sram_byte", pes * static_cast<double>(g.oaram_bytes), grid + " x oaram_bytes"});
  }
  parts.push_back({"scnn", "wfifo", "register_byte", pes * g.fifo_entries * g.F * (value_bytes + g.index_bits / 8.0),
                   grid + " x " + n(g.fifo_entries) + " entries of F weights with indices"});
  parts.push_back({"scnn", "acc", "sram_byte", pes * static_cast<double>(g.acc_entries()) * acc_bytes,
                   grid + " x " + n(g.banks) + " banks x " + n(g.bank_entries) + " partial sums"});
  parts.push_back(
      {"scnn", "crossbar", "crossbar_port", pes * g.F * g.I * g.banks, grid + " x (F*I inputs x A banks) crosspoints"});
  for (const char* v : {"dcnn", "dcnn-opt"}) {
    parts.push_back({v, "wfifo", "register_byte", pes * g.F * g.I * value_bytes, grid + " x F x I stationary weights"});
    parts.push_back({v, "acc", "register_byte", pes * g.F * acc_bytes, grid + " x F partial sums"});
  }
  parts.push_back({"dcnn-opt", "mult", "zero_gate", pes * g.F * g.I, "one per multiplier"});
  return parts;
}

}  // namespace sparsim::scnn
