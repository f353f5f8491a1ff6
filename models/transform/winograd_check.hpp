#pragma once
// The functional check of a Winograd op (--functional): one channel of the layer's input (capped at 16 x 16)
// and a random 3x3 kernel through the transforms tile by tile (workloads/winograd.hpp's reference, the same
// matrices the lowering counts) against direct convolution, with the layer's padding and ragged tiles.
#include <cstdint>

#include "workloads/network.hpp"

namespace sparsim::transform {

// Largest absolute difference between the Winograd and the direct output; both are sums of at most 9
// products of values in [-1, 1], so anything above 1e-9 is a wrong transform, not rounding.
double winograd_check_error(const Layer& l, ConvAlgorithm a, std::uint64_t seed);
inline constexpr double kWinogradCheckTolerance = 1e-9;

}  // namespace sparsim::transform
