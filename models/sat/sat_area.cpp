// What the SAT-style design and its dense baseline are built of, for their area (sim/area.hpp). The dense
// variant is the same array without the N:M support: no select multiplexers, no mask unit.
#include "models/sat/sat_area.hpp"

#include "models/sat/sat_params.hpp"
#include "models/transform/transform_unit.hpp"

namespace sparsim::sat {

std::vector<AreaPart> sat_inventory(const Config& cfg) {
  const Hw hw = hw_from_config(cfg);
  const auto n = [](i64 v) { return std::to_string(v); };
  const double macs = static_cast<double>(hw.rows * hw.cols * hw.pe_multipliers);
  const i64 m = cfg.i64("workload.sparsity.m");
  std::vector<AreaPart> parts;
  for (const char* v : {"sparse", "dense"}) {
    const std::string what = n(hw.rows) + " x " + n(hw.cols) + " PEs x " + n(hw.pe_multipliers) + " multipliers";
    parts.push_back({v, "array", mac_action(hw.data_bytes), macs, what});
    parts.push_back({v, "glb", "sram_byte", static_cast<double>(hw.glb_capacity), "accelerator.glb.capacity_bytes"});
    parts.push_back({v, "obuf", "sram_byte", static_cast<double>(hw.obuf_capacity), "accelerator.obuf.capacity_bytes"});
    parts.push_back({v, "edge_fifo", "register_byte",
                     static_cast<double>((hw.rows + hw.cols) * hw.edge_fifo_depth * hw.glb_bank_width),
                     n(hw.rows + hw.cols) + " lanes x " + n(hw.edge_fifo_depth) + " steps of a GLB word"});
  }
  // The Winograd transform unit (models/transform), where the config lowers convolutions to Winograd: one
  // adder per lane, in both variants (both run the lowered ops).
  if (cfg.str("workload.conv_algorithm") != "direct") {
    const auto lanes = transform::transform_spec_from(cfg, static_cast<int>(hw.data_bytes)).lanes;
    for (const char* v : {"sparse", "dense"})
      parts.push_back({v, "winograd_transform", hw.data_bytes == 4 ? "add_fp32" : "add_fp16",
                       static_cast<double>(lanes), "accelerator.winograd.transform_adds_per_cycle adders"});
  }
  // The design's N:M support: a multiplexer per multiplier picks its activation from the group window, and
  // the mask unit's comparator lanes rank groups of M (a sorting network of M(M-1)/2 comparators each).
  parts.push_back({"sparse", "array", "nm_select_mux", macs, "one per multiplier"});
  if (m > 1)
    parts.push_back({"sparse", "mask_unit", "compare_int8", static_cast<double>(hw.mask_lanes * m * (m - 1) / 2),
                     n(hw.mask_lanes) + " lanes x " + n(m * (m - 1) / 2) + " comparators (M = " + n(m) + ")"});
  return parts;
}

}  // namespace sparsim::sat
