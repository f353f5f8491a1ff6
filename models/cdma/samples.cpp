#include "models/cdma/samples.hpp"

#include <algorithm>

#include "models/cdma/activations.hpp"

namespace sparsim::cdma {

namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr Codec kCodecs[] = {Codec::None, Codec::Zvc, Codec::Rle, Codec::Zlib};

}  // namespace

std::uint64_t TensorData::packed_of(Codec c, std::uint64_t j) const {
  const CodecSizes& s = codec[static_cast<int>(c)];
  return j < full_chunks ? s.sample[j % s.sample.size()] : s.tail;
}

double TensorData::ratio(Codec c, std::uint64_t raw_total) const {
  const std::uint64_t t = total(c);
  return t ? static_cast<double>(raw_total) / static_cast<double>(t) : 0.0;
}

TensorData sample_tensor(const TensorPlan& t, const SampleOptions& o) {
  TensorData d;
  d.chunk_bytes = o.chunk_bytes;
  d.full_chunks = t.bytes / o.chunk_bytes;
  d.tail_bytes = t.bytes % o.chunk_bytes;
  const ActivationSpec spec{t.density, o.clustering, o.bytes_per_element};
  const std::uint64_t samples = std::min<std::uint64_t>(o.sample_chunks, d.full_chunks);
  std::uint64_t nonzero_weighted = 0, sampled_bytes = 0;
  auto add_block = [&](std::uint64_t bytes, std::uint64_t index, bool tail) {
    const std::uint64_t seed = splitmix64(o.seed ^ splitmix64(static_cast<std::uint64_t>(t.id) * 1000003ULL + index));
    const auto words = generate_activations(spec, bytes, seed);
    nonzero_weighted += static_cast<std::uint64_t>(measured_density(words, o.bytes_per_element) * bytes + 0.5);
    sampled_bytes += bytes;
    for (Codec c : kCodecs) {
      CodecSizes& s = d.codec[static_cast<int>(c)];
      const auto packed = compress(c, words, o.zlib_level);
      const auto back = decompress(c, packed, words.size());
      ++s.checked_chunks;
      if (back != words) ++s.mismatches;
      (tail ? s.tail : s.sample.emplace_back()) = packed.size();
    }
  };
  for (std::uint64_t j = 0; j < samples; ++j) add_block(o.chunk_bytes, j, false);
  if (d.tail_bytes) add_block(d.tail_bytes, samples, true);
  d.measured_density = sampled_bytes ? static_cast<double>(nonzero_weighted) / static_cast<double>(sampled_bytes) : 0.0;
  for (Codec c : kCodecs) {
    CodecSizes& s = d.codec[static_cast<int>(c)];
    std::uint64_t sum_samples = 0;
    for (auto v : s.sample) sum_samples += v;
    std::uint64_t total = s.tail;
    if (!s.sample.empty()) {
      const std::uint64_t rounds = d.full_chunks / s.sample.size(), rest = d.full_chunks % s.sample.size();
      total += rounds * sum_samples;
      for (std::uint64_t j = 0; j < rest; ++j) total += s.sample[j];
    }
    s.total = total;
  }
  return d;
}

}  // namespace sparsim::cdma
