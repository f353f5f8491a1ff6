#pragma once
// The GPU model's inventory for area (sim/area.hpp).
#include <vector>

#include "sim/area.hpp"
#include "sim/config/config.hpp"

namespace sparsim::stc {

std::vector<AreaPart> stc_inventory(const Config& cfg);

}  // namespace sparsim::stc
