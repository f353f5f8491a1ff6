#pragma once
// The SAT model's inventory for area (sim/area.hpp).
#include <vector>

#include "sim/area.hpp"
#include "sim/config/config.hpp"

namespace sparsim::sat {

std::vector<AreaPart> sat_inventory(const Config& cfg);

}  // namespace sparsim::sat
