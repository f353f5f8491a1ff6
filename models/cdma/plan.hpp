#pragma once
// The offload plan of one training step: which activation tensors exist (the input of each layer; branch
// layers that read the same tensor share it), their sizes and ReLU densities, and which are offloaded.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network.hpp"

namespace sparsim::cdma {

// Two kinds of tensor: the input of a layer (read by one layer, or by the parallel branches of a module),
// and the input of a max/average pool that the workload format folds away (the ReLU'd output of conv j
// when the next layer's input is smaller): vDNN offloads that too, as the pool layer's input.
struct TensorPlan {
  int id = 0;
  std::string name;            // "<first consumer>.in" or "<conv>.out" (pool input)
  std::vector<int> consumers;  // layer indices that read it, ascending (the pool input: the conv itself)
  bool pool_input = false;
  // Timeline (offload_path.cpp): offload issued as FF of `issue_layer` starts (or, for a pool input, as
  // it ends); FF of `release_layer` waits for it; the backward of `need_layer` waits for its prefetch,
  // which is issued as the backward of `prefetch_layer` starts; freed after the backward of `free_layer`.
  int issue_layer = 0, release_layer = 0, need_layer = 0, prefetch_layer = 0, free_layer = 0;
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
