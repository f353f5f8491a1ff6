// The compressed format: bit-exact encoding, decoding, and the entry counter used by timing-only runs.
#include <catch2/catch.hpp>

#include <random>

#include "models/scnn/format.hpp"

using namespace sparsim::scnn;

TEST_CASE("scnn format: a run of more than 15 zeros inserts a zero placeholder", "[scnn][format]") {
  // 5, twenty zeros, 7: (5, run 0), placeholder (0, run 15) covering 16 positions, then (7, run 4).
  std::vector<std::int16_t> dense(22, 0);
  dense[0] = 5;
  dense[21] = 7;
  const CompressedStream s = encode(dense);
  REQUIRE(s.entries == 3);
  REQUIRE(s.bits() == 60);
  // Entry = 16 value bits then 4 index bits, LSB first: 5|0<<16, 0|15<<16, 7|4<<16 -> packed bytes.
  const std::vector<std::uint8_t> expected = {0x05, 0x00, 0x00, 0x00, 0xF0, 0x07, 0x00, 0x04};
  REQUIRE(s.bytes == expected);
  REQUIRE(decode(s) == dense);
}

TEST_CASE("scnn format: run lengths around the index limit round-trip", "[scnn][format]") {
  for (int run : {0, 1, 14, 15, 16, 17, 31, 32, 33, 47, 48, 100}) {
    std::vector<std::int16_t> dense(static_cast<std::size_t>(run) + 3, 0);
    dense[static_cast<std::size_t>(run)] = -3;
    dense.back() = 1;
    const CompressedStream s = encode(dense);
    INFO("run " << run);
    REQUIRE(s.entries == 2 + run / 16);
    REQUIRE(decode(s) == dense);
  }
}

TEST_CASE("scnn format: random streams round-trip and the entry counter matches the encoder", "[scnn][format]") {
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 200; ++trial) {
    const double density = (trial % 10 + 1) / 10.0 * 0.5;
    const int index_bits = 2 + trial % 4;
    std::vector<std::int16_t> dense(static_cast<std::size_t>(1 + rng() % 300), 0);
    EntryCounter counter(index_bits);
    for (std::size_t i = 0; i < dense.size(); ++i)
      if (std::uniform_real_distribution<double>(0, 1)(rng) < density) {
        dense[i] = static_cast<std::int16_t>(1 + rng() % 30000) * ((rng() & 1) ? 1 : -1);
        counter.nonzero_at(static_cast<std::int64_t>(i));
      }
    const CompressedStream s = encode(dense, 16, index_bits);
    REQUIRE(decode(s) == dense);
    REQUIRE(counter.entries() == s.entries);
    REQUIRE(static_cast<std::int64_t>(s.bytes.size()) == bytes_of(s.entries, 16, index_bits));
  }
}
