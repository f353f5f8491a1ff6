#pragma once
// Planar geometry of the PT-IS-CP-sparse dataflow: a convolution's shape, and how one planar axis (rows or
// columns) is split among the PEs of a grid row/column. Plain data; no SystemC.
#include <cstdint>
#include <vector>

#include "workloads/network.hpp"

namespace sparsim::scnn {

// One convolution instance (a conv group): C input channels, K filters of R x S (rows x columns).
struct ConvShape {
  std::int64_t C = 1, K = 1, H = 1, W = 1, R = 1, S = 1, stride = 1, pad = 0;
  std::int64_t Ho() const { return (H + 2 * pad - R) / stride + 1; }
  std::int64_t Wo() const { return (W + 2 * pad - S) / stride + 1; }
  std::int64_t dense_macs() const { return K * C * R * S * Ho() * Wo(); }
};

// The per-instance convolution behind a layer. Fully connected layers become 1x1 convolutions over a
// 1 x tokens plane (one PE column holds everything: the PT dataflow has no plane to split).
ConvShape conv_shape_of(const Layer& layer);
std::int64_t instances_of(const Layer& layer);  // conv groups

// Half-open range [lo, hi).
struct Range {
  std::int64_t lo = 0, hi = 0;
  std::int64_t size() const { return hi > lo ? hi - lo : 0; }
  bool contains(std::int64_t v) const { return v >= lo && v < hi; }
};

// One planar axis split among `pes` PEs for the outputs in `out_range`.
struct AxisTiling {
  std::vector<Range> out;  // outputs owned by each PE (empty for PEs beyond the plane: ragged tiling)
  std::vector<Range> in;   // inputs held by each PE (the PE's input tile)
  std::vector<Range> acc;  // outputs the PE's products can reach (own tile plus halo): accumulator extent
  Range valid;             // out_range: products landing outside it are discarded
};

// Outputs of `out_range` and the inputs they need are each split evenly among the `pes` PEs (sizes differ by
// at most one). A PE's products that land in another PE's output tile are its output halo; products
// outside `out_range` (inputs shared with a neighbouring row chunk, padding borders) are discarded.
AxisTiling tile_axis(std::int64_t in_size, std::int64_t kernel, std::int64_t stride, std::int64_t pad, Range out_range,
                     int pes);

// Floor division for possibly negative numerators.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

}  // namespace sparsim::scnn
