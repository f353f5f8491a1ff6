#pragma once
// What a simulation hands back: one JobResult per (layer, phase, variant). Variants are the design and
// its baselines simulated in the same run (e.g. "sparse" and "dense" on the SAT-style array).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/stats.hpp"
#include "workloads/network.hpp"

namespace sparsim {

struct JobResult {
  int layer_index = 0;
  std::string layer;
  Phase phase = Phase::FF;
  std::string variant;
  std::uint64_t cycles = 0;
  std::uint64_t dense_macs = 0;   // MACs of the dense computation (the work the layer represents)
  std::uint64_t issued_macs = 0;  // MACs the hardware actually performed
  std::uint64_t peak_macs_per_cycle = 0;
  std::map<std::string, std::uint64_t> stall_cycles;  // cause -> cycles
  std::vector<CounterSample> counters;                // deltas over this job
  nlohmann::ordered_json mapping;                     // chosen mapping, estimate and its error
  // Functional check (with --functional): compared against a dense reference.
  bool functional_checked = false;
  bool functional_pass = false;
  double functional_max_abs_error = 0.0;

  double utilization() const {
    return cycles && peak_macs_per_cycle
               ? static_cast<double>(issued_macs) / (static_cast<double>(cycles) * peak_macs_per_cycle)
               : 0.0;
  }
};

struct RunResults {
  std::vector<JobResult> jobs;
  double clock_ghz = 1.0;
  std::string design_variant;    // e.g. "sparse"
  std::string baseline_variant;  // e.g. "dense"; speedups are baseline cycles / design cycles
  nlohmann::ordered_json extra;  // model-specific summaries (ideal bounds, validation figures)
};

}  // namespace sparsim
