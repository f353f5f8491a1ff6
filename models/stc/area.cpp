// What the modelled GPU's on-chip compute and storage are built of, for their area (sim/area.hpp). Every
// variant runs on the same chip, so each lists the same parts, the 2:4 operand selection included. Only
// the blocks the model has are listed: no schedulers, CUDA cores, caches other than the L2, or I/O.
#include "models/stc/area.hpp"

#include <string>

#include "models/stc/params.hpp"

namespace sparsim::stc {

std::vector<AreaPart> stc_inventory(const Config& cfg) {
  const StcParams p = stc_params_from(cfg);
  const auto& m = p.machine;
  const double sms = m.sms;
  const std::string per_sm = std::to_string(m.sms) + " SMs x ";
  std::vector<AreaPart> parts;
  for (const char* v : {"sparse", "dense", "sparse-bp-dense"}) {
    parts.push_back({v, "tensor_core", mac_action(m.elem_bytes), sms * m.tc_macs_per_cycle,
                     per_sm + std::to_string(m.tc_macs_per_cycle) + " dense MACs per cycle"});
    parts.push_back(
        {v, "tensor_core", "nm_select_mux", sms * m.tc_macs_per_cycle, "2:4 operand selection, one per MAC"});
    parts.push_back({v, "smem", "sram_byte", sms * static_cast<double>(m.smem_bytes), per_sm + "shared memory"});
    parts.push_back({v, "rf", "sram_byte", sms * static_cast<double>(m.regs_bytes), per_sm + "register file"});
    parts.push_back({v, "l2", "sram_byte", static_cast<double>(m.l2_bytes), "L2 capacity"});
    if (cfg.str("workload.conv_algorithm") != "direct")  // the Winograd transform lanes (models/transform)
      parts.push_back({v, "winograd_transform", m.elem_bytes == 4 ? "add_fp32" : "add_fp16",
                       static_cast<double>(p.winograd.lanes), "transform adders, all SMs"});
  }
  return parts;
}

}  // namespace sparsim::stc
