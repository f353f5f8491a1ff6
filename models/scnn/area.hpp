#pragma once
// The SCNN model's inventory for area (sim/area.hpp).
#include <vector>

#include "sim/area.hpp"
#include "sim/config/config.hpp"

namespace sparsim::scnn {

std::vector<AreaPart> scnn_inventory(const Config& cfg);

}  // namespace sparsim::scnn
