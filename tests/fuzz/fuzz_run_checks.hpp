#pragma once
// What `sparsim run` checks on a loaded config before it simulates (sim/run.cpp): the training step of a
// built-in network, the energy table when it is the built-in one, and the waveform options. Files named by
// the config are not read (the fuzzer cannot create them; their parsers have their own targets).
#include "sim/accelerator.hpp"
#include "sim/config/config.hpp"
#include "sim/energy.hpp"
#include "sim/wave_options.hpp"
#include "sim/workload_setup.hpp"
#include "workloads/library.hpp"

namespace sparsim::fuzz {

inline void check_like_run(const Config& cfg) {
  const AcceleratorInfo* info = AcceleratorRegistry::instance().find(cfg.str("accelerator.name"));
  if (!info) std::abort();  // Config validates the name, so this must not happen
  if (NetworkLibrary::instance().find(cfg.str("workload.network"))) (void)configured_training_step(cfg);
  if (cfg.str("energy.table") == "builtin:45nm") (void)EnergyTable::load("builtin:45nm", cfg.f64("energy.scale"));
  (void)wave_options(cfg, info->waveforms);
}

}  // namespace sparsim::fuzz
