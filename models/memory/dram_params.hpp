#pragma once
// The memory.dram.* keys every accelerator shares (declared once here) and the DramSpec they describe:
// a preset, or a DRAMSim3 .ini file, with any field overridden.
#include <string>
#include <vector>

#include "models/memory/dram_spec.hpp"
#include "sim/config/config.hpp"

namespace sparsim::memory {

// `default_channels` > 0 fixes the default channel count (else the preset's).
std::vector<ParamSpec> dram_params(const std::string& default_preset, int default_channels);
// The spec of a config; throws InputError naming the key at fault.
DramSpec dram_spec_from_config(const Config& cfg);

}  // namespace sparsim::memory
