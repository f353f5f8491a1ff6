#pragma once
// The oracle of a run with extensions (the offload path): the same config with every extension turned off,
// simulated in a forked child process (SystemC elaborates one design per process) while the parent runs
// the real one. Its per-variant step cycles and energy come back as JSON through a pipe, and the run
// prints them beside the design and the baseline (both under the extension's policy), so a reader sees
// what the extension costs each of them.
#include <sys/types.h>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sparsim {

class OracleRun {
 public:
  OracleRun() = default;
  OracleRun(const OracleRun&) = delete;
  OracleRun& operator=(const OracleRun&) = delete;
  ~OracleRun();
  // Forks the child; call before anything is elaborated. `overrides` already hold the extensions' off
  // switches.
  void start(const std::string& config_path, const std::vector<std::string>& overrides);
  bool started() const { return pid_ > 0; }
  // Waits for the child: {"variants": {name: {"cycles", "energy_pj"}}, "design_variant", "baseline_variant",
  // "speedup", "energy_efficiency_gain"}. Throws std::runtime_error if the child failed.
  nlohmann::ordered_json finish();

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
};

// The summary line and report entry of an oracle next to the run's own totals (`report` built without it).
std::string oracle_summary_line(const nlohmann::ordered_json& oracle, const nlohmann::ordered_json& report);

}  // namespace sparsim
