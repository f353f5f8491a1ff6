#pragma once
// Run extensions: blocks that attach to the training step of *any* accelerator (the vDNN/cDMA offload
// path, for one). An extension declares its own parameters under its own top-level section (they apply to
// every accelerator, params_for() adds them), says from the config whether it takes part in a run, builds
// its SystemC blocks next to the accelerator's, may couple to the accelerator's schedule through the
// JobGate (at most one extension per run may), and reports into RunResults::extra["<name>"] plus lines of
// the stdout summary. Registered from its model folder with SPARSIM_REGISTER_EXTENSION.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/accelerator.hpp"

namespace sparsim {

struct ExtensionReport {
  nlohmann::ordered_json data;             // copied to RunResults::extra["<extension name>"]
  std::vector<std::string> summary_lines;  // appended to extra["summary_lines"]
};

class RunExtension {
 public:
  virtual ~RunExtension() = default;
  // Builds the extension's SystemC blocks before the accelerator elaborates; the context outlives the
  // simulation. Returns the gate the accelerator must call around its design variant's ops, or null.
  virtual JobGate* elaborate(const RunContext& context) = 0;
  // After elaborate: the gate for the baseline variant's ops (the same policy applied to the baseline),
  // or null.
  virtual JobGate* baseline_gate() { return nullptr; }
  // After sc_start, once the accelerator's results are collected. It may add counters to the jobs (the
  // blocks it ran for them, charged by the energy table like the accelerator's own).
  virtual ExtensionReport collect(RunResults& accelerator_results) = 0;
};

struct ExtensionInfo {
  std::string name;                             // key of its report in RunResults::extra
  std::string description;                      // one line for docs
  std::vector<ParamSpec> params;                // under its own top-level section (e.g. offload.*)
  std::function<void(const Config&)> validate;  // cross-key checks; called for every config
  std::function<bool(const Config&)> enabled;   // takes part in this run?
  std::function<std::unique_ptr<RunExtension>()> make;
  // The --set override that turns it off ("offload.enabled=false"): the run driver simulates the same
  // config with it in a child process, the oracle printed beside the results (sim/run.cpp).
  std::string disable_override;
};

class ExtensionRegistry {
 public:
  static ExtensionRegistry& instance();
  void add(ExtensionInfo info);
  const std::vector<ExtensionInfo>& all() const { return infos_; }  // in name order

 private:
  std::vector<ExtensionInfo> infos_;
};

struct ExtensionRegistrar {
  explicit ExtensionRegistrar(ExtensionInfo info) { ExtensionRegistry::instance().add(std::move(info)); }
};

#define SPARSIM_REGISTER_EXTENSION(info_expr) \
  static ::sparsim::ExtensionRegistrar SPARSIM_CONCAT(sparsim_extension_registrar_, __LINE__)(info_expr)

// The overrides that turn off every extension `cfg` enables (their ExtensionInfo::disable_override); empty
// when none is enabled.
std::vector<std::string> extension_disable_overrides(const Config& cfg);

// The run driver's part (sim/run.cpp): makes the enabled extensions, elaborates them and sets
// context.gate (an InputError if two want it); after the simulation, adds their reports to `results`.
class ActiveExtensions {
 public:
  void elaborate(const Config& cfg, RunContext& context);
  void collect(RunResults& results);

 private:
  std::vector<std::pair<std::string, std::unique_ptr<RunExtension>>> active_;
};

}  // namespace sparsim
