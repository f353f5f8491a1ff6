#pragma once
// Turns the workload section of a config into the training step to simulate: loads the network, applies
// the config's sparsity overrides and layer/phase selection, and expands the layers into GEMM ops.
#include "sim/config/config.hpp"
#include "workloads/network.hpp"

namespace sparsim {

Network configured_network(const Config& cfg);
std::vector<Phase> configured_phases(const Config& cfg);
TrainingStep configured_training_step(const Config& cfg);

struct AcceleratorInfo;
// Refuses (InputError, exit 2) a step with Winograd-lowered layers on a model that does not run them,
// naming workload.conv_algorithm or the layer's `algorithm:` in its network file.
void check_winograd_support(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step);

}  // namespace sparsim
