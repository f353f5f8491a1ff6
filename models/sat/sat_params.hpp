#pragma once
// The SAT-style accelerator's declared parameters, their cross-key validation, and the Hw record the
// mapper and the model read.
#include <vector>

#include "dataflows/sat/sat_geometry.hpp"
#include "sim/config/config.hpp"

namespace sparsim::sat {

std::vector<ParamSpec> sat_params();
void validate_sat(const Config& cfg);
Hw hw_from_config(const Config& cfg);

}  // namespace sparsim::sat
