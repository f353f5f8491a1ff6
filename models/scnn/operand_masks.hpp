#pragma once
// Where SCNN's operand patterns come from: the network's own masks (workloads/layer_masks.hpp: a layer's mask
// file, else the generator its sparsity specification names: magnitude, N:M, vector/kernel/filter, clustered
// activations), cut to one conv instance (group) and laid out as the grids read them (weights K x C x R x S,
// inputs C x H x W, the outputs' ReLU pattern K x Ho x Wo). Matmul layers have no such masks; the controller
// generates theirs uniformly.
#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "workloads/mask.hpp"
#include "workloads/network.hpp"

namespace sparsim::scnn {

class OperandMasks {
 public:
  OperandMasks(const Network& net, std::uint64_t seed) : net_(net), seed_(seed) {}

  static bool covers(const Layer& l) { return l.kind != LayerKind::MatMul; }

  // Weights of group `inst` of layer `index` as `phase` uses them (BP: the BP mask of bidirectional pruning).
  // A whole layer's mask is generated once per run and shared by every variant, image and group.
  Mask weights(int index, Phase phase, std::int64_t inst);
  // Input activations and the outputs' ReLU pattern of group `inst` for image `image`.
  Mask inputs(int index, std::int64_t image, std::int64_t inst);
  Mask outputs(int index, std::int64_t image, std::int64_t inst);

 private:
  const Mask& whole(std::map<std::pair<int, std::int64_t>, Mask>& cache, int index, std::int64_t key, bool output);

  const Network& net_;
  std::uint64_t seed_;
  std::map<std::pair<int, int>, Mask> weights_;  // (layer, FF 0 | BP 1)
  // Whole-layer masks per (layer, image), kept for the run: the three variants and three phases reuse them
  // (a VGG-16 image's activations are 15 M bits).
  std::map<std::pair<int, std::int64_t>, Mask> inputs_, outputs_;
};

}  // namespace sparsim::scnn
