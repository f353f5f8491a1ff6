// Functional tests of the cDMA codecs: bit-exact round trips over densities 0..1, all-zero and all-non-zero
// blocks, sizes that are not a multiple of the ZVC window, clustered zeros and fp16 packing.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "models/cdma/activations.hpp"
#include "models/cdma/codec.hpp"

using namespace sparsim::cdma;

namespace {
const Codec kAll[] = {Codec::None, Codec::Zvc, Codec::Rle, Codec::Zlib};
}

TEST_CASE("codecs round-trip generated activations at densities 0 to 1") {
  for (int k = 0; k <= 10; ++k) {
    const double d = k / 10.0;
    for (std::uint64_t bytes : {4ull, 124ull, 128ull, 132ull, 4000ull, 65536ull, 65540ull}) {
      const auto words = generate_activations({d, 0.0, 4}, bytes, 100 + k);
      REQUIRE(words.size() == bytes / 4);
      for (Codec c : kAll) {
        const auto packed = compress(c, words);
        const auto back = decompress(c, packed, words.size());
        INFO("density " << d << " bytes " << bytes << " codec " << codec_name(c));
        REQUIRE(back == words);
      }
    }
  }
}

TEST_CASE("all-zero and all-non-zero blocks, partial windows") {
  for (std::size_t n : {1u, 31u, 32u, 33u, 63u, 64u, 255u, 256u, 1000u}) {
    const std::vector<std::uint32_t> zeros(n, 0u), ones(n, 0x3f800000u);
    for (Codec c : kAll) {
      REQUIRE(decompress(c, compress(c, zeros), n) == zeros);
      REQUIRE(decompress(c, compress(c, ones), n) == ones);
    }
    const std::size_t windows = (n + 31) / 32;
    REQUIRE(compress(Codec::Zvc, zeros).size() == 4 * windows);         // masks only
    REQUIRE(compress(Codec::Zvc, ones).size() == 4 * windows + 4 * n);  // masks plus every word
    REQUIRE(compress(Codec::Rle, ones).size() == 5 * n);                // a zero-run byte per literal
    REQUIRE(compress(Codec::Rle, zeros).size() == n / 255 + (n % 255 ? 1 : 0));
  }
}

TEST_CASE("zero-value compression size follows the density") {
  const std::uint64_t bytes = 1 << 20;
  for (double d : {0.05, 0.2, 0.5, 0.9}) {
    const auto words = generate_activations({d, 0.0, 4}, bytes, 7);
    const double measured = measured_density(words, 4);
    REQUIRE(std::abs(measured - d) < 0.01);
    const auto packed = compress(Codec::Zvc, words);
    REQUIRE(packed.size() == zvc_size(words));
    // 4-byte mask per 32 words plus the non-zero words: ratio 32 / (1 + 32 d).
    const double ratio = static_cast<double>(bytes) / static_cast<double>(packed.size());
    REQUIRE(ratio == Approx(32.0 / (1.0 + 32.0 * measured)).epsilon(1e-3));
  }
}

TEST_CASE("clustered zeros keep the density and lengthen zero runs, RLE pays per literal") {
  const std::uint64_t bytes = 1 << 20;
  const auto indep = generate_activations({0.3, 0.0, 4}, bytes, 11);
  const auto clustered = generate_activations({0.3, 0.9, 4}, bytes, 11);
  REQUIRE(std::abs(measured_density(clustered, 4) - 0.3) < 0.03);
  auto runs = [](const std::vector<std::uint32_t>& w) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < w.size(); ++i) n += w[i] == 0 && (i == 0 || w[i - 1] != 0);
    return n;
  };
  REQUIRE(runs(clustered) * 5 < runs(indep));  // same zeros in far fewer, longer runs
  for (const auto* w : {&indep, &clustered}) {
    std::size_t nnz = 0;
    for (auto x : *w) nnz += x != 0;
    // One run byte per literal, plus a byte per 255 zeros and the trailing run at most.
    const std::size_t rle = compress(Codec::Rle, *w).size();
    REQUIRE(rle >= 5 * nnz);
    REQUIRE(rle <= 5 * nnz + w->size() / 255 + 1);
    REQUIRE(decompress(Codec::Rle, compress(Codec::Rle, *w), w->size()) == *w);
  }
}

TEST_CASE("fp16 activations pack two per word and round-trip") {
  const auto words = generate_activations({0.4, 0.0, 2}, 4096 + 12, 5);
  REQUIRE(std::abs(measured_density(words, 2) - 0.4) < 0.05);
  for (Codec c : kAll) REQUIRE(decompress(c, compress(c, words), words.size()) == words);
}

TEST_CASE("generation is deterministic in the seed") {
  REQUIRE(generate_activations({0.5, 0.5, 4}, 8192, 3) == generate_activations({0.5, 0.5, 4}, 8192, 3));
  REQUIRE(generate_activations({0.5, 0.5, 4}, 8192, 3) != generate_activations({0.5, 0.5, 4}, 8192, 4));
}

TEST_CASE("malformed streams are rejected, not misread") {
  const auto words = generate_activations({0.5, 0.0, 4}, 1024, 9);
  for (Codec c : {Codec::Zvc, Codec::Rle, Codec::Zlib, Codec::None}) {
    auto packed = compress(c, words);
    packed.pop_back();
    REQUIRE_THROWS_AS(decompress(c, packed, words.size()), std::runtime_error);
  }
  REQUIRE_THROWS_AS(parse_codec("lz4"), std::invalid_argument);
}
