#pragma once
// Turns the workload section of a config into the training step to simulate: loads the network, applies
// the config's sparsity overrides and layer/phase selection, and expands the layers into GEMM ops.
#include "sim/config/config.hpp"
#include "workloads/network.hpp"

namespace sparsim {

Network configured_network(const Config& cfg);
std::vector<Phase> configured_phases(const Config& cfg);
TrainingStep configured_training_step(const Config& cfg);

}  // namespace sparsim
