#include "models/scnn/layer_data.hpp"

#include "models/scnn/format.hpp"
#include "sim/alloc_guard.hpp"

namespace sparsim::scnn {

std::int64_t compressed_tile_entries(const LayerData& data, std::int64_t c, const Range& rows, const Range& cols,
                                     int index_bits) {
  EntryCounter counter(index_bits);
  std::int64_t pos = 0;
  for (std::int64_t y = rows.lo; y < rows.hi; ++y)
    for (std::int64_t x = cols.lo; x < cols.hi; ++x, ++pos)
      if (data.inputs.get(data.iidx(c, y, x))) counter.nonzero_at(pos);
  return counter.entries();
}

namespace {

// Non-zero values in [-4, 4] \ {0}: products and sums stay exact in integers.
void fill_values(const Mask& mask, std::vector<std::int16_t>& values, Rng& rng) {
  check_allocation(static_cast<double>(mask.size()), sizeof(std::int16_t), "an operand's values");
  values.assign(static_cast<std::size_t>(mask.size()), 0);
  for (std::int64_t i = 0; i < mask.size(); ++i)
    if (mask.get(i)) {
      const auto v = static_cast<std::int16_t>(1 + static_cast<int>(rng() % 4));
      values[static_cast<std::size_t>(i)] = (rng() & 1U) ? v : static_cast<std::int16_t>(-v);
    }
}

}  // namespace

LayerData make_layer_data(const ConvShape& s, const Densities& d, Mask weights, Mask inputs, Mask outputs,
                          Rng& weight_rng, Rng& act_rng, bool functional) {
  LayerData data;
  data.shape = s;
  data.densities = d;
  data.weights = std::move(weights);
  data.inputs = std::move(inputs);
  data.outputs = std::move(outputs);
  if (functional) {
    fill_values(data.weights, data.weight_values, weight_rng);
    fill_values(data.inputs, data.input_values, act_rng);
  }
  return data;
}

LayerData make_layer_data(const ConvShape& s, const Densities& d, Rng& weight_rng, Rng& act_rng, bool functional) {
  Mask weights = masks::uniform({s.K, s.C, s.R, s.S}, d.weights, weight_rng);
  Mask inputs = masks::uniform({s.C, s.H, s.W}, d.inputs, act_rng);
  Mask outputs = masks::uniform({s.K, s.Ho(), s.Wo()}, d.outputs, act_rng);
  return make_layer_data(s, d, std::move(weights), std::move(inputs), std::move(outputs), weight_rng, act_rng,
                         functional);
}

std::vector<std::int64_t> reference_conv(const LayerData& data) {
  const ConvShape& s = data.shape;
  const std::int64_t Ho = s.Ho(), Wo = s.Wo();
  std::vector<std::int64_t> out(static_cast<std::size_t>(s.K * Ho * Wo), 0);
  for (std::int64_t k = 0; k < s.K; ++k)
    for (std::int64_t yo = 0; yo < Ho; ++yo)
      for (std::int64_t xo = 0; xo < Wo; ++xo) {
        std::int64_t sum = 0;
        for (std::int64_t c = 0; c < s.C; ++c)
          for (std::int64_t r = 0; r < s.R; ++r) {
            const std::int64_t y = yo * s.stride - s.pad + r;
            if (y < 0 || y >= s.H) continue;
            for (std::int64_t q = 0; q < s.S; ++q) {
              const std::int64_t x = xo * s.stride - s.pad + q;
              if (x < 0 || x >= s.W) continue;
              sum += static_cast<std::int64_t>(data.weight_values[static_cast<std::size_t>(data.widx(k, c, r, q))]) *
                     data.input_values[static_cast<std::size_t>(data.iidx(c, y, x))];
            }
          }
        out[static_cast<std::size_t>((k * Ho + yo) * Wo + xo)] = sum;
      }
  return out;
}

}  // namespace sparsim::scnn
