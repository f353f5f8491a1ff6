#pragma once
// The operands of one convolution instance as the hardware sees them: sparsity masks generated at the
// layer's densities (weights K x C x R x S, input activations C x H x W, and the ReLU pattern of the
// outputs K x Ho x Wo that the post-processing unit compresses), plus values when the run is functional.
#include <cstdint>
#include <vector>

#include "dataflows/scnn/mapper.hpp"
#include "workloads/mask.hpp"
#include "workloads/network.hpp"

namespace sparsim::scnn {

struct LayerData {
  ConvShape shape;
  Densities densities;
  Mask weights, inputs, outputs;
  std::vector<std::int16_t> weight_values, input_values;  // functional runs only (dense layout, 0 where masked)
  // The format of the compressed weight stream (weight_format.hpp): element (SCNN's own) unless the FF
  // weights were pruned in whole blocks of a coarser granularity.
  Granularity weight_granularity = Granularity::Element;
  bool functional() const { return !weight_values.empty(); }
  std::int64_t widx(std::int64_t k, std::int64_t c, std::int64_t r, std::int64_t s) const {
    return ((k * shape.C + c) * shape.R + r) * shape.S + s;
  }
  std::int64_t iidx(std::int64_t c, std::int64_t y, std::int64_t x) const { return (c * shape.H + y) * shape.W + x; }
};

// Entries (non-zeros plus zero-run placeholders) of channel c of an input tile in the compressed format,
// the tile read row-major, as both the SCNN IARAM and DCNN-opt's compressed DRAM copy store it.
std::int64_t compressed_tile_entries(const LayerData& data, std::int64_t c, const Range& rows, const Range& cols,
                                     int index_bits);

// Operands from given masks (OperandMasks: the network's own); a functional run draws the non-zeros' values
// from `weight_rng` and `act_rng`.
LayerData make_layer_data(const ConvShape& shape, const Densities& d, Mask weights, Mask inputs, Mask outputs,
                          Rng& weight_rng, Rng& act_rng, bool functional);
// Operands with uniformly random masks at the densities: weights from `weight_rng` (shared by every image),
// activations from `act_rng` (matmul layers, which have no network masks, and tests).
LayerData make_layer_data(const ConvShape& shape, const Densities& d, Rng& weight_rng, Rng& act_rng, bool functional);

// Dense reference convolution of the masked values (functional check): K x Ho x Wo, exact in int64.
std::vector<std::int64_t> reference_conv(const LayerData& data);

}  // namespace sparsim::scnn
