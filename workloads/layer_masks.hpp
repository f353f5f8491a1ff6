#pragma once
// Real masks for a network's layers: a layer's mask file when it names one, otherwise a mask generated
// from its density specification with a seeded generator. Each mask's generator is seeded from (seed,
// name of the layer owning the weights, purpose, sample), so a mask depends neither on which other masks
// were asked for first nor on which subset of the network's layers is simulated.
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/mask.hpp"

namespace sparsim {

// Weight mask layout: conv [Cout, Cin/groups, KH, KW], fc [Cout, Cin]; matmul layers have none ({}).
std::vector<std::int64_t> weight_mask_shape(const Layer& l);
// One sample's input activations: conv [Cin, H, W], fc [tokens, Cin], matmul [count, k, n] (operand B).
std::vector<std::int64_t> activation_mask_shape(const Layer& l);
// One sample's output gradients (the BP input): conv [Cout, Ho, Wo], fc [tokens, Cout], matmul [count, m, n].
std::vector<std::int64_t> gradient_mask_shape(const Layer& l);

// A mask file path as written in a network file, resolved against that file's directory.
std::string resolve_mask_path(const Network& net, const std::string& mask_file);

// Clustering length of generated activation/gradient masks, in pixels (see masks::clustered).
inline constexpr double kActivationCluster = 4.0;

// The weight mask of layer `index` as used in `phase` (always in the weight layout above; BP reads it
// transposed). From a file: mask_file, or for BP mask_file_bp when set. Generated: N:M top-k of synthetic
// weights along Cin (FF, WU) or Cout (BP) -- the two masks of bidirectional pruning, from the same
// weights -- further magnitude-pruned to weight_density; without N:M, magnitude pruning (element
// granularity) or coarse pruning (vector/kernel/filter) to weight_density. Layers that share weights use
// their owner's mask. Throws InputError naming the file and layer on a bad or mismatched mask file.
Mask weight_mask(const Network& net, int index, Phase phase, std::uint64_t seed);
// Spatially clustered activation mask of one sample at activation_density (all ones for matmul inputs
// with density 1).
Mask activation_mask(const Network& net, int index, std::int64_t sample, std::uint64_t seed);
// Spatially clustered output-gradient mask of one sample at gradient_density.
Mask gradient_mask(const Network& net, int index, std::int64_t sample, std::uint64_t seed);

// The ReLU pattern of layer `index`'s outputs, in the gradient layout above: the next layer's input mask when
// that layer reads exactly these outputs (same element count and layout), otherwise clustered at the next
// layer's activation density (all ones after the last layer).
Mask output_mask(const Network& net, int index, std::int64_t sample, std::uint64_t seed);

// Where weight_mask(net, index, phase, seed) comes from, for reports: "file PATH" for a mask file, else
// "generated: " and the generator (dense, magnitude, uniform, N:M, transposable N:M, vector, kernel, filter).
std::string weight_mask_source(const Network& net, int index, Phase phase);

// Header-level checks of every mask file a network names: readable, the layer's shape, and a density that
// matches the layer's weight_density (x N:M density) within 0.005. `full` also streams every bitmap to
// verify its checksum and count.
void check_mask_files(const Network& net, bool full);

}  // namespace sparsim
