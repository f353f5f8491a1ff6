#pragma once
// Builds cdma accelerators for tests: a config from YAML text, a network, and a training step, then
// elaborates several copies in one SystemC design (each test case is its own process).
#include <memory>
#include <string>
#include <vector>

#include "models/cdma/accelerator.hpp"
#include "sim/config/config.hpp"
#include "workloads/library.hpp"

namespace cdma_test {

using namespace sparsim;

// Large activations (offloaded) and small weights: a few convolutions at 56 x 56.
inline Network contention_net() {
  Network net;
  net.name = "contention";
  Layer c1 = conv("c1", 3, 64, 56, 3, 1, 1);
  c1.needs_input_gradient = false;
  net.layers.push_back(c1);
  net.layers.push_back(conv("c2", 64, 64, 56, 3, 1, 1));
  net.layers.push_back(conv("c3", 64, 64, 56, 3, 1, 1));
  net.layers.push_back(conv("c4", 64, 64, 56, 3, 1, 1));
  net.layers.push_back(fc("f5", 64 * 56 * 56, 10));
  return net;
}

// A small CNN: three convs and two fc layers, so a step has offloads, a kept last input and fc densities.
inline Network tiny_net() {
  Network net;
  net.name = "tiny";
  Layer c1 = conv("c1", 3, 8, 16, 3, 1, 1);
  c1.needs_input_gradient = false;
  net.layers.push_back(c1);
  net.layers.push_back(conv("c2", 8, 16, 16, 3, 1, 1));
  net.layers.push_back(conv("c3", 16, 16, 8, 3, 1, 1));
  net.layers.push_back(fc("f4", 16 * 8 * 8, 64));
  net.layers.push_back(fc("f5", 64, 10));
  return net;
}

struct Instance {
  std::unique_ptr<Config> config;
  std::unique_ptr<TrainingStep> step;
  std::unique_ptr<RunContext> ctx;
  std::unique_ptr<cdma::CdmaAccelerator> acc;
};

// Small chunks and buffers so that a tiny tensor still spans many chunks; overrides adjust the case.
inline Instance make_instance(const std::string& prefix, const Network& net, std::int64_t batch,
                              std::vector<std::string> overrides, TimingMode mode) {
  Instance in;
  std::vector<std::string> o = {"accelerator.dma.chunk_bytes=1024", "accelerator.dma.buffer_bytes=2048",
                                "accelerator.dma.sample_chunks=4", "memory.pcie.latency_ns=200"};
  o.insert(o.end(), overrides.begin(), overrides.end());
  in.config = std::make_unique<Config>(Config::from_text("accelerator:\n  name: cdma\n", prefix + ".yaml", o));
  in.step = std::make_unique<TrainingStep>(expand_training_step(net, batch, {Phase::FF, Phase::BP, Phase::WU}));
  in.ctx = std::make_unique<RunContext>(RunContext{*in.config, *in.step, mode, true, 1, nullptr, nullptr, nullptr});
  in.acc = std::make_unique<cdma::CdmaAccelerator>();
  in.acc->set_instance_prefix(prefix + "_");
  in.acc->elaborate(*in.ctx);
  return in;
}

}  // namespace cdma_test
