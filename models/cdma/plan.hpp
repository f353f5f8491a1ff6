#pragma once
// The offload plan of one training step: which activation tensors exist (the input of each layer; branch
// layers that read the same tensor share it), their sizes and ReLU densities, and which are offloaded.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network.hpp"

namespace sparsim::cdma {

struct TensorPlan {
  int id = 0;
  std::string name;            // "<first consumer>.in"
  std::vector<int> consumers;  // layer indices that read it, ascending
  std::uint64_t bytes = 0;     // whole mini-batch, rounded up to 4-byte words
  double density = 1.0;        // fraction of non-zero elements
  std::string density_source;  // where the density comes from (docs/cdma.md)
  bool offloaded = false;
  int first_consumer() const { return consumers.front(); }
  int last_consumer() const { return consumers.back(); }
};

struct PlanOptions {
  std::int64_t batch = 1;
  int bytes_per_element = 4;
  std::string policy = "all";    // "all" or "conv"
  double density_override = -1;  // >= 0: every tensor but the network input takes this density
};

std::vector<TensorPlan> build_plan(const Network& net, const PlanOptions& options);

// Input-activation density of every layer of `net` and its source, from the cDMA model's profiles
// (profiles.cpp): Han et al. 2015 where published, documented assumptions elsewhere.
struct DensityProfile {
  std::vector<double> density;
  std::vector<std::string> source;
};
DensityProfile density_profile(const Network& net);

}  // namespace sparsim::cdma
