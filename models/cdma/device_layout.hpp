#pragma once
// Where a training step's tensors lie in device memory, so the roofline compute's traffic and the DMA
// engine's offload reads and prefetch writes reach the DRAM model at real addresses and meet in its banks:
// four regions a quarter of the memory apart: weights, activations, activation gradients and weight
// gradients, each layer's tensor after the previous layer's. A layer's output is the next layer's input.
#include <cstdint>
#include <vector>

#include "models/memory/dram_module.hpp"
#include "workloads/network.hpp"

namespace sparsim::cdma {

class DeviceLayout {
 public:
  DeviceLayout(const TrainingStep& step, std::int64_t bytes_per_element, std::uint64_t capacity_bytes);
  // Input activation of layer L (its gradient), and L's weights (their gradient).
  std::uint64_t activation(int layer) const;
  std::uint64_t activation_gradient(int layer) const;
  std::uint64_t weights(int layer) const;
  std::uint64_t weight_gradient(int layer) const;
  // The blocks an op reads and writes (FF: W, X -> Y; BP: W, dY -> dX; WU: dY, X -> dW).
  std::vector<memory::DramModule::Block> op_blocks(const GemmOp& op) const;

 private:
  struct Sizes {
    std::uint64_t w = 0, x = 0, y = 0;
  };
  Sizes sizes(const GemmOp& op) const;
  const TrainingStep& step_;
  std::uint64_t elem_, quarter_;
  std::vector<std::uint64_t> act_, weight_;  // prefix offsets per layer (size layers + 1)
};

}  // namespace sparsim::cdma
