#pragma once
// The oracle of a run with extensions (the offload path): the same config with every extension turned off,
// simulated in a forked child process (SystemC elaborates one design per process) while the parent runs
// the real one. Its per-variant step cycles and energy come back as JSON through a pipe, and the run
// prints them beside the design and the baseline (both under the extension's policy), so a reader sees
// what the extension costs each of them.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/child_process.hpp"

namespace sparsim {

class OracleRun {
 public:
  // Forks the child; call before anything is elaborated. `overrides` already hold the extensions' off
  // switches.
  void start(const std::string& config_path, const std::vector<std::string>& overrides);
  bool started() const { return child_.started(); }
  // Waits for the child: {"variants": {name: {"cycles", "energy_pj"}}, "design_variant", "baseline_variant",
  // "speedup", "energy_efficiency_gain"}. Throws if the child failed (InputError for an input error).
  nlohmann::ordered_json finish();

 private:
  ChildProcess child_;
};

// The summary line and report entry of an oracle next to the run's own totals (`report` built without it).
std::string oracle_summary_line(const nlohmann::ordered_json& oracle, const nlohmann::ordered_json& report);

}  // namespace sparsim
