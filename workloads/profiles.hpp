#pragma once
// Sparsity profiles: one spec string that applies a sparsity pattern to any network, e.g.
// "nm=2:8", "weights=0.3,positions=uniform", "weights=0.5,granularity=kernel", "relu=0.4,gradients=0.5".
// Items (comma-separated, applied left to right, to conv and fc layers unless said otherwise):
//   nm=N:M            N:M weights on prunable layers (bidirectional: FF along Cin, BP along Cout)
//   transposable      generated N:M masks are one mask, N:M along Cin and Cout at once
//   weights=D         unstructured weight density D on prunable layers
//   positions=P       magnitude (default) or uniform (random pruning) positions for generated masks
//   granularity=G     element, vector, kernel or filter (coarse-grained pruning, Mao et al. 2017)
//   relu=D            input-activation density D on layers whose input is a ReLU output (relu_input)
//   activations=D     input-activation density D on every layer, matmuls included
//   gradients=D       output-gradient density D (the BP input) on every layer, matmuls included
//   dense             every weight dense again, no N:M
// Bad specs throw InputError("<where>: <item>: <what>").
#include <string>

#include "workloads/network.hpp"

namespace sparsim {

void apply_sparsity_profile(Network& net, const std::string& spec, const std::string& where = "profile");

}  // namespace sparsim
