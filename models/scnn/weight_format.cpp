#include "models/scnn/weight_format.hpp"

#include <algorithm>

#include "models/scnn/format.hpp"

namespace sparsim::scnn {

std::int64_t block_size(Granularity g, const ConvShape& s) {
  switch (g) {
    case Granularity::Vector:
      return s.S;
    case Granularity::Kernel:
      return s.R * s.S;
    case Granularity::Filter:
      return s.C * s.R * s.S;
    case Granularity::Element:
      break;
  }
  return 1;
}

int position_bits(std::int64_t positions) {
  int bits = 1;
  while ((std::int64_t{1} << bits) < positions) ++bits;
  return bits;
}

Granularity weight_format_granularity(const Mask& w, const ConvShape& s, Granularity requested) {
  const std::int64_t block = block_size(requested, s);
  if (block <= 1 || w.size() != s.K * s.C * s.R * s.S) return Granularity::Element;
  // Blocks are trailing dimensions of K x C x R x S: contiguous runs of `block` weights.
  for (std::int64_t b = 0; b < w.size(); b += block) {
    const bool kept = w.get(b);
    for (std::int64_t i = 1; i < block; ++i)
      if (w.get(b + i) != kept) return Granularity::Element;
  }
  return requested;
}

namespace {

WeightFormatBits stream(std::uint64_t entries, std::uint64_t value_bits, std::uint64_t index_bits) {
  WeightFormatBits f;
  f.entries = entries;
  f.value_bits = value_bits;
  f.index_bits = index_bits;
  f.bytes = (value_bits + index_bits + 7) / 8;
  return f;
}

}  // namespace

WeightFormatBits group_weight_format(const LayerData& d, std::int64_t k0, std::int64_t kn, const GridSpec& g) {
  const ConvShape& s = d.shape;
  const auto vb = static_cast<std::uint64_t>(g.value_bits);
  WeightFormatBits total;
  switch (d.weight_granularity) {
    case Granularity::Element:
      for (std::int64_t c = 0; c < s.C; ++c) {
        EntryCounter counter(g.index_bits);
        for (std::int64_t r = 0; r < s.R; ++r)
          for (std::int64_t q = 0; q < s.S; ++q)
            for (std::int64_t k = 0; k < kn; ++k)
              if (d.weights.get(d.widx(k0 + k, c, r, q))) counter.nonzero_at((r * s.S + q) * kn + k);
        const auto e = static_cast<std::uint64_t>(counter.entries());
        total += stream(e, e * vb, e * static_cast<std::uint64_t>(g.index_bits));
      }
      break;
    case Granularity::Vector: {
      const auto ib = static_cast<std::uint64_t>(position_bits(kn * s.R));
      for (std::int64_t c = 0; c < s.C; ++c) {
        std::uint64_t kept = 0;
        for (std::int64_t r = 0; r < s.R; ++r)
          for (std::int64_t k = 0; k < kn; ++k) kept += d.weights.get(d.widx(k0 + k, c, r, 0)) ? 1 : 0;
        total += stream(kept, kept * static_cast<std::uint64_t>(s.S) * vb, kept * ib);
      }
      break;
    }
    case Granularity::Kernel: {
      const auto ib = static_cast<std::uint64_t>(position_bits(kn));
      for (std::int64_t c = 0; c < s.C; ++c) {
        std::uint64_t kept = 0;
        for (std::int64_t k = 0; k < kn; ++k) kept += d.weights.get(d.widx(k0 + k, c, 0, 0)) ? 1 : 0;
        total += stream(kept, kept * static_cast<std::uint64_t>(s.R * s.S) * vb, kept * ib);
      }
      break;
    }
    case Granularity::Filter: {
      const auto ib = static_cast<std::uint64_t>(position_bits(kn));
      std::uint64_t kept = 0;
      for (std::int64_t k = 0; k < kn; ++k) kept += d.weights.get(d.widx(k0 + k, 0, 0, 0)) ? 1 : 0;
      for (std::int64_t c = 0; c < s.C; ++c)  // the kept-filter list travels with the first channel's stream
        total += stream(c == 0 ? kept : 0, kept * static_cast<std::uint64_t>(s.R * s.S) * vb, c == 0 ? kept * ib : 0);
      break;
    }
  }
  return total;
}

std::vector<WeightFormatBits> group_weight_formats(const LayerData& data, const PlaneMapping& m, const GridSpec& g) {
  std::vector<WeightFormatBits> out;
  for (std::int64_t k0 = 0; k0 < data.shape.K; k0 += m.kc)
    out.push_back(group_weight_format(data, k0, std::min(m.kc, data.shape.K - k0), g));
  return out;
}

}  // namespace sparsim::scnn
