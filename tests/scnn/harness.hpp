#pragma once
#include <catch2/catch.hpp>
// Builds and runs the scnn accelerator on a network without the CLI: one elaboration per test process,
// possibly several accelerator instances side by side (fast and detailed timing of the same workload).
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "sim/accelerator.hpp"
#include "sim/config/config.hpp"
#include "workloads/library.hpp"
#include "workloads/network.hpp"

namespace sparsim::scnn::test {

inline std::string scnn_yaml(const std::string& extra = "") {
  return "accelerator:\n  name: scnn\n" + extra +
         "workload:\n  network: vgg16\n  batch: 1\n  phases: FF\n  sparsity: {n: 0, m: 0}\n";
}

struct Sim {
  Config config;
  TrainingStep step;
  std::unique_ptr<RunContext> ctx;
  std::unique_ptr<Accelerator> acc;
  RunResults results;
};

// Elaborates one scnn instance on `net` (call several times, then run_all()).
inline std::unique_ptr<Sim> make_sim(const Network& net, TimingMode mode, bool functional,
                                     const std::vector<std::string>& overrides = {}, std::int64_t batch = 1,
                                     const std::vector<Phase>& phases = {Phase::FF}) {
  auto s = std::make_unique<Sim>(Sim{Config::from_text(scnn_yaml(), "test.yaml", overrides), {}, nullptr, nullptr, {}});
  s->step = expand_training_step(net, batch, phases);
  s->ctx = std::make_unique<RunContext>(RunContext{s->config, s->step, mode, functional, 7, nullptr, nullptr, nullptr});
  s->acc = AcceleratorRegistry::instance().find("scnn")->make();
  s->acc->elaborate(*s->ctx);
  return s;
}

inline void run_all(std::vector<Sim*> sims) {
  sc_core::sc_start();
  for (Sim* s : sims) s->results = s->acc->collect();
}

inline Layer conv_layer(const std::string& name, std::int64_t cin, std::int64_t cout, std::int64_t hw, std::int64_t k,
                        std::int64_t stride, std::int64_t pad, double wd, double ad) {
  Layer l = conv(name, cin, cout, hw, k, stride, pad);
  l.sparsity.weight_density = wd;
  l.sparsity.activation_density = ad;
  return l;
}

inline Network network_of(std::vector<Layer> layers, const std::string& name = "test-net") {
  Network n;
  n.name = name;
  n.source = "test";
  n.layers = std::move(layers);
  return n;
}

inline const JobResult* find_job(const RunResults& r, const std::string& layer, const std::string& variant) {
  for (const auto& j : r.jobs)
    if (j.layer == layer && j.variant == variant) return &j;
  return nullptr;
}

inline std::uint64_t counter(const JobResult& j, const std::string& block, const std::string& name) {
  for (const auto& c : j.counters)
    if (c.block == block && c.name == name) return c.value;
  return 0;
}

// A conv layer for the training phases: conv_layer plus the output-gradient density dY keeps.
inline Layer training_layer(const std::string& name, std::int64_t cin, std::int64_t cout, std::int64_t hw,
                            std::int64_t k, std::int64_t stride, std::int64_t pad, double wd, double ad, double gd) {
  Layer l = conv_layer(name, cin, cout, hw, k, stride, pad, wd, ad);
  l.sparsity.gradient_density = gd;
  return l;
}

// Every SCNN job of `phase` was checked functionally and matched its dense reference exactly.
inline void require_phase_exact(const RunResults& r, Phase phase, std::size_t expected) {
  std::size_t checked = 0;
  for (const auto& j : r.jobs) {
    if (j.variant != "scnn" || j.phase != phase) continue;
    INFO("layer " << j.layer << " mapping " << j.mapping.dump());
    REQUIRE(j.functional_checked);
    REQUIRE(j.functional_pass);
    REQUIRE(j.functional_max_abs_error == 0.0);
    ++checked;
  }
  REQUIRE(checked == expected);
}

}  // namespace sparsim::scnn::test
