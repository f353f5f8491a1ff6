#pragma once
// Real compressed sizes of each offloaded tensor. A tensor of B bytes is moved as floor(B / chunk) full
// chunks plus a tail; `sample_chunks` full chunks and the tail are generated as real activation data at the
// tensor's density and compressed with every codec; the tensor's i-th full chunk takes the compressed size
// of sample i mod S. Each sample is decompressed again and compared word by word with the original.
#include <array>
#include <cstdint>
#include <vector>

#include "models/cdma/codec.hpp"
#include "models/cdma/plan.hpp"

namespace sparsim::cdma {

struct CodecSizes {
  std::vector<std::uint64_t> sample;  // compressed bytes of each sampled full chunk
  std::uint64_t tail = 0;             // compressed bytes of the tail chunk (0 without a tail)
  std::uint64_t total = 0;            // compressed bytes of the whole tensor
  std::uint64_t checked_chunks = 0;   // samples decompressed and compared
  std::uint64_t mismatches = 0;       // samples that did not decompress to the original
};

struct TensorData {
  std::uint64_t chunk_bytes = 0;
  std::uint64_t full_chunks = 0;
  std::uint64_t tail_bytes = 0;
  double measured_density = 0.0;    // over the generated samples
  std::array<CodecSizes, 4> codec;  // indexed by Codec (None: raw sizes)

  std::uint64_t chunk_count() const { return full_chunks + (tail_bytes ? 1 : 0); }
  std::uint64_t raw_of(std::uint64_t j) const { return j < full_chunks ? chunk_bytes : tail_bytes; }
  std::uint64_t packed_of(Codec c, std::uint64_t j) const;
  std::uint64_t total(Codec c) const { return codec[static_cast<int>(c)].total; }
  double ratio(Codec c, std::uint64_t raw_total) const;
};

struct SampleOptions {
  std::uint64_t chunk_bytes = 65536;
  std::uint64_t sample_chunks = 16;
  double clustering = 0.0;
  int bytes_per_element = 4;
  int zlib_level = 6;
  std::uint64_t seed = 1;
};

TensorData sample_tensor(const TensorPlan& t, const SampleOptions& options);

}  // namespace sparsim::cdma
