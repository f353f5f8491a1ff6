#pragma once
// Compressed weight formats of SCNN per pruning granularity (Mao et al. 2017, "Exploring the Regularity of
// Sparse Structure in CNNs", arXiv 1705.08922): how many value bits and index bits the weight stream of one
// output-channel group takes. SCNN streams a group's weights per input channel c: one stream holds the kn
// output channels' R x S weights of channel c, ordered (r, s, k) with k innermost (sparse_grid.cpp).
//
//   element (fine): SCNN's own format, every non-zero a value plus a 4-bit zero-run index, plus the
//                   placeholder entries of runs longer than 15 (format.hpp).
//   vector  (1-D):  a kept block is a kernel row (k, c, r) of S weights; the stream has kn x R block
//                   positions; each kept row costs one index of ceil(log2(kn x R)) bits (its position) plus
//                   its S values, dense.
//   kernel  (2-D):  a kept block is a kernel (k, c) of R x S weights; kn positions per stream; each kept
//                   kernel costs ceil(log2(kn)) index bits plus R x S values.
//   filter  (3-D):  a kept block is a filter k (C x R x S); every channel's stream holds R x S values per kept
//                   filter, and the group's list of kept filters (ceil(log2(kn)) bits each) is sent once, in
//                   the first channel's stream.
// Index widths are at least one bit. A stream's bytes are its bits rounded up to whole bytes.
#include <cstdint>
#include <vector>

#include "models/scnn/layer_data.hpp"
#include "workloads/network.hpp"

namespace sparsim::scnn {

struct WeightFormatBits {
  std::uint64_t value_bits = 0, index_bits = 0;
  std::uint64_t entries = 0;  // element: non-zeros plus placeholders; coarse: kept blocks
  std::uint64_t bytes = 0;    // the streams' bytes (each stream rounded up to whole bytes)
  WeightFormatBits& operator+=(const WeightFormatBits& o) {
    value_bits += o.value_bits;
    index_bits += o.index_bits;
    entries += o.entries;
    bytes += o.bytes;
    return *this;
  }
};

// Weights per block of a granularity in a K x C x R x S layer (1 for element).
std::int64_t block_size(Granularity g, const ConvShape& s);
// Bits of a block position among `positions`: ceil(log2(positions)), at least 1.
int position_bits(std::int64_t positions);
// The granularity a weight mask is encoded at: `requested` when every block of it is all kept or all pruned
// and a block holds more than one weight; otherwise element (SCNN's fine-grained format).
Granularity weight_format_granularity(const Mask& weights, const ConvShape& s, Granularity requested);
// The weight streams of output channels [k0, k0 + kn), one per input channel, in data.weight_granularity's format.
WeightFormatBits group_weight_format(const LayerData& data, std::int64_t k0, std::int64_t kn, const GridSpec& g);
// Every output-channel group of the mapping (what DRAM delivers before each group).
std::vector<WeightFormatBits> group_weight_formats(const LayerData& data, const PlaneMapping& m, const GridSpec& g);

}  // namespace sparsim::scnn
