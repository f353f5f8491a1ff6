#pragma once
// The YAML network format's reader for a network embedded in a larger YAML document (a training trace's
// `network:`, workloads/training_trace.hpp); whole files go through load_network / parse_network_yaml
// (workloads/library.hpp).
#include <string>

#include <yaml-cpp/yaml.h>

#include "workloads/network.hpp"

namespace sparsim {

// The network of mapping `root` (name, description, layers); errors name `file` and the node's line in it.
// Mask paths resolve against `file`'s directory.
Network parse_network_node(const YAML::Node& root, const std::string& file);

}  // namespace sparsim
