#pragma once
// Test harness for the SAT-style model: builds a Config from YAML text, a training step from a network
// built in code, elaborates the model and runs it. SystemC elaborates one design per process, so a test
// that compares two runs (fast vs detailed) runs one of them in a forked child.
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <systemc>

#include "sim/accelerator.hpp"
#include "sim/config/config.hpp"
#include "tests/support/in_child.hpp"
#include "workloads/library.hpp"
#include "workloads/network.hpp"

namespace sat_test {

using namespace sparsim;

inline Config config(const std::string& yaml, std::vector<std::string> sets = {}) {
  return Config::from_text("accelerator:\n  name: sat\n" + yaml, "test.yaml", sets);
}

// Applies the N:M pattern the way the run driver does for the workload section.
inline TrainingStep step_of(Network net, int n, int m, std::int64_t batch, std::vector<Phase> phases) {
  for (auto& l : net.layers)
    if (n > 0 && l.kind != LayerKind::MatMul) l.sparsity.nm = NMPattern{n, m};
  return expand_training_step(net, batch, phases);
}

inline Network net_of(std::vector<Layer> layers) {
  Network net;
  net.name = "test";
  net.source = "test";
  net.layers = std::move(layers);
  return net;
}

inline RunResults simulate(const Config& cfg, const TrainingStep& step, TimingMode mode, bool functional = false,
                           JobGate* gate = nullptr) {
  const auto* info = AcceleratorRegistry::instance().find("sat");
  auto acc = info->make();
  RunContext ctx{cfg, step, mode, functional, 7, nullptr, gate, nullptr};
  acc->elaborate(ctx);
  sc_core::sc_start();
  return acc->collect();
}

// Everything that must agree between timing modes: cycles, stalls and every counter of every job.
inline std::string summary(const RunResults& r) {
  std::ostringstream s;
  for (const auto& j : r.jobs) {
    s << j.variant << " " << j.layer << " " << phase_name(j.phase) << " cycles=" << j.cycles
      << " issued=" << j.issued_macs;
    for (const auto& [k, v] : j.stall_cycles) s << " " << k << "=" << v;
    for (const auto& c : j.counters) s << " " << c.block << "." << c.name << "=" << c.value;
    s << "\n";
  }
  return s.str();
}

using sparsim::test_support::in_child;

inline const JobResult& job(const RunResults& r, const std::string& variant, Phase phase,
                            const std::string& layer = "") {
  for (const auto& j : r.jobs)
    if (j.variant == variant && j.phase == phase && (layer.empty() || j.layer == layer)) return j;
  throw std::runtime_error("no such job");
}

inline std::uint64_t counter(const JobResult& j, const std::string& block, const std::string& name) {
  for (const auto& c : j.counters)
    if (c.block == block && c.name == name) return c.value;
  throw std::runtime_error("no counter " + block + "." + name);
}

}  // namespace sat_test
