#include "models/scnn/operand_masks.hpp"

#include <stdexcept>

#include "dataflows/scnn/geometry.hpp"
#include "workloads/layer_masks.hpp"

namespace sparsim::scnn {

namespace {

// The elements of `whole` from `first` on, as a mask of `shape` (a word at a time: fc6 of VGG-16 has 10^8).
Mask cut(const Mask& whole, std::int64_t first, const std::vector<std::int64_t>& shape) {
  Mask part(shape);
  if (first < 0 || first + part.size() > whole.size())
    throw std::logic_error("scnn operand masks: a group's slice lies outside the layer's mask");
  const auto& src = whole.words();
  auto& dst = part.words();
  const auto word = static_cast<std::size_t>(first >> 6);
  const auto shift = static_cast<unsigned>(first & 63);
  for (std::size_t j = 0; j < dst.size(); ++j) {
    std::uint64_t w = src[word + j] >> shift;
    if (shift && word + j + 1 < src.size()) w |= src[word + j + 1] << (64 - shift);
    dst[j] = w;
  }
  if (part.size() % 64) dst.back() &= (std::uint64_t{1} << (part.size() % 64)) - 1;
  return part;
}

// An fc layer's [tokens, channels] mask as SCNN's [channels, 1, tokens] plane.
Mask transposed_plane(const Mask& whole) {
  const std::int64_t tokens = whole.shape()[0], channels = whole.shape()[1];
  Mask plane({channels, 1, tokens});
  for (std::int64_t t = 0; t < tokens; ++t)
    for (std::int64_t c = 0; c < channels; ++c)
      if (whole.get(t * channels + c)) plane.set(c * tokens + t, true);
  return plane;
}

}  // namespace

Mask OperandMasks::weights(int index, Phase phase, std::int64_t inst) {
  const int kind = phase == Phase::BP ? 1 : 0;
  auto it = weights_.find({index, kind});
  if (it == weights_.end())
    it = weights_
             .emplace(std::pair{index, kind},
                      weight_mask(net_, index, phase == Phase::BP ? Phase::BP : Phase::FF, seed_))
             .first;
  const ConvShape s = conv_shape_of(net_.layers.at(static_cast<std::size_t>(index)));
  const std::int64_t per_group = s.K * s.C * s.R * s.S;
  return cut(it->second, inst * per_group, {s.K, s.C, s.R, s.S});
}

const Mask& OperandMasks::whole(std::map<std::pair<int, std::int64_t>, Mask>& cache, int index, std::int64_t image,
                                bool output) {
  auto it = cache.find({index, image});
  if (it == cache.end()) {
    it = cache
             .emplace(std::pair{index, image},
                      output ? output_mask(net_, index, image, seed_) : activation_mask(net_, index, image, seed_))
             .first;
  }
  return it->second;
}

Mask OperandMasks::inputs(int index, std::int64_t image, std::int64_t inst) {
  const Layer& l = net_.layers.at(static_cast<std::size_t>(index));
  const Mask& all = whole(inputs_, index, image, false);
  if (l.kind == LayerKind::FullyConnected) return transposed_plane(all);
  const ConvShape s = conv_shape_of(l);
  return cut(all, inst * s.C * s.H * s.W, {s.C, s.H, s.W});
}

Mask OperandMasks::outputs(int index, std::int64_t image, std::int64_t inst) {
  const Layer& l = net_.layers.at(static_cast<std::size_t>(index));
  const Mask& all = whole(outputs_, index, image, true);
  if (l.kind == LayerKind::FullyConnected) return transposed_plane(all);
  const ConvShape s = conv_shape_of(l);
  return cut(all, inst * s.K * s.Ho() * s.Wo(), {s.K, s.Ho(), s.Wo()});
}

}  // namespace sparsim::scnn
