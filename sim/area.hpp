#pragma once
// Silicon area per component: a model lists what each design variant is built of (AreaPart: so many MAC
// units, so many SRAM bytes), the energy table's `area` section prices one unit of each item, and the
// report adds them up per component. Items the table does not price are listed, never guessed.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/energy.hpp"

namespace sparsim {

struct AreaPart {
  std::string variant;    // the design variant it belongs to (as the model's jobs name it)
  std::string component;  // the block, named as in energy_pj_by_component (array, glb, mask_unit, ...)
  std::string item;       // the table's area item: mac_fp16, sram_byte, register_byte, compare_int8, ...
  double count = 0.0;     // units of the item
  std::string what;       // how the count comes from the configuration ("32 x 32 PEs x 2 multipliers")
};

// report.json's "area": per variant, per component the priced items and mm^2, the variant's total of what
// the table prices, and the items it does not price.
nlohmann::ordered_json area_report(const std::vector<AreaPart>& parts, const EnergyTable& table);

}  // namespace sparsim
