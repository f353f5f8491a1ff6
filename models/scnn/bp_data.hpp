#pragma once
// The BP (backward-data) phase as a convolution the FF machinery can run (sparsim's own extension, not in
// the SCNN paper; docs/scnn.md "Training extension"). dX = conv_transpose(dY, W) is computed as a stride-1
// convolution whose input-stationary operand is dY dilated by the forward stride (stride - 1 zeros between
// gradient pixels, which the compressed format skips) and whose streamed "weights" are W with C and K
// swapped and the kernel flipped, padded by R - 1 - pad. The products then scatter straight to dX
// coordinates.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/scnn/layer_data.hpp"

namespace sparsim::scnn {

// The transposed shape: C' = K, K' = C, H' = Ho dilated plus the forward rows no output reached, stride 1,
// pad' = R - 1 - pad; its output plane is exactly H x W. Empty when the forward layer has a kernel that is
// not square or padding beyond R - 1 (pad' would be negative), which the transform does not cover.
std::optional<ConvShape> bp_shape(const ConvShape& fwd);

// Operands of one BP instance. `fwd` is the FF data of the same seeds (same weights, same input
// activations, and the ReLU pattern of the outputs). dY's non-zeros are a subset of that ReLU pattern: each
// ReLU non-zero is kept with probability gradient_density / output density (all kept when the gradient is
// denser than the pattern allows). dX's "outputs" mask is the forward input pattern (the ReLU of the
// previous layer zeroes the same positions of dX).
struct Gradient {
  Mask dy;                              // K x Ho x Wo
  std::vector<std::int16_t> dy_values;  // functional runs only
};
Gradient make_gradient(const LayerData& fwd, double gradient_density, Rng& grad_rng);

struct BpData {
  LayerData data;                       // the transposed convolution the grids run
  Mask dy;                              // K x Ho x Wo
  std::vector<std::int16_t> dy_values;  // functional runs only
};
BpData make_bp_data(const LayerData& fwd, const ConvShape& transposed, const Densities& transposed_densities,
                    double gradient_density, Rng& grad_rng);

// Dense reference of dX (C x H x W) straight from the forward definition: every (k, y, x, r, s) with
// y * stride + r - pad = i and x * stride + s - pad = j adds W[k][c][r][s] * dY[k][y][x] to dX[c][i][j].
std::vector<std::int64_t> reference_conv_transpose(const LayerData& fwd, const std::vector<std::int16_t>& dy_values);

// Dense reference of the WU phase, dW (K x C x R x S) straight from the forward definition:
// dW[k][c][r][s] = sum over (y, x) of dY[k][y][x] * X[c][y * stride + r - pad][x * stride + s - pad].
std::vector<std::int64_t> reference_weight_gradient(const LayerData& fwd, const std::vector<std::int16_t>& dy_values);

}  // namespace sparsim::scnn
