#pragma once
// The cDMA model's inventory for area (sim/area.hpp).
#include <vector>

#include "sim/area.hpp"
#include "sim/config/config.hpp"

namespace sparsim::cdma {

std::vector<AreaPart> cdma_inventory(const Config& cfg);

}  // namespace sparsim::cdma
