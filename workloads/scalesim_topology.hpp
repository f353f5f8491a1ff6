#pragma once
// SCALE-Sim v2 convolution topology files (CSV: Layer name, IFMAP Height, IFMAP Width, Filter Height,
// Filter Width, Channels, Num Filter, Strides) read as sparsim networks; see docs/workloads.md.
#include <string>

#include "workloads/network.hpp"

namespace sparsim {

// True for a path ending in ".csv" (any case): load_network reads such files as SCALE-Sim topologies.
bool is_scalesim_topology_path(const std::string& path);

// One dense conv layer per row, named as in the file; the network is named after the file's stem and its
// source is `file`. Each layer's output size is SCALE-Sim's (see the .cpp). Throws InputError
// ("file:line: column: what") on bad input, then validates the network.
Network parse_scalesim_topology(const std::string& text, const std::string& file);

}  // namespace sparsim
