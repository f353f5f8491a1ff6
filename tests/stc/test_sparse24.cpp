// Functional 2:4 format: metadata encode/decode, compression errors, sparse MMA against the dense product
// of the pruned matrix, and the transposable mask used when BP runs sparse.
#include <catch2/catch.hpp>

#include <random>

#include "models/stc/sparse24.hpp"

using namespace sparsim::stc;

TEST_CASE("2:4 metadata follows the documented layout", "[stc][functional]") {
  // Row 0: groups {0,5,0,7} {3,0,0,0} {0,0,0,0} {0,0,2,-4}; row 1: {1,2,0,0} then zeros.
  const std::vector<double> a = {0, 5, 0, 7, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, -4,
                                 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const Compressed24 c = compress_24(a, 2, 16);
  REQUIRE(c.values.size() == 16);
  REQUIRE(c.meta.size() == 2);
  CHECK(meta_nibble(c, 0, 0) == (1 | (3 << 2)));  // kept at 1 and 3
  CHECK(meta_nibble(c, 0, 1) == (0 | (1 << 2)));  // one non-zero at 0, padded with index 1
  CHECK(meta_nibble(c, 0, 2) == (0 | (1 << 2)));  // all zero: indices 0 and 1
  CHECK(meta_nibble(c, 0, 3) == (2 | (3 << 2)));
  CHECK(c.meta[0] == static_cast<std::uint16_t>(13 | (4 << 4) | (4 << 8) | (14 << 12)));
  CHECK(c.values[0] == 5);
  CHECK(c.values[1] == 7);
  CHECK(c.values[2] == 3);
  CHECK(c.values[3] == 0);
  CHECK(c.values[6] == 2);
  CHECK(c.values[7] == -4);
  CHECK(meta_nibble(c, 1, 0) == (0 | (1 << 2)));
  CHECK(decompress_24(c) == a);
}

TEST_CASE("2:4 compression rejects a group with three non-zeros and bad widths", "[stc][functional]") {
  CHECK_THROWS_WITH(compress_24({1, 2, 3, 0}, 1, 4), Catch::Contains("more than 2 non-zeros"));
  CHECK_THROWS_WITH(compress_24({1, 2, 0}, 1, 3), Catch::Contains("cols % 4"));
  CHECK_FALSE(is_24({1, 2, 3, 0}, 1, 4));
  CHECK(is_24({1, 0, 3, 0}, 1, 4));
}

TEST_CASE("sparse MMA on compressed A equals the dense product of the pruned A", "[stc][functional]") {
  std::mt19937_64 rng(7);
  for (auto [m, k, n] : {std::tuple{4, 16, 8}, {16, 64, 16}, {64, 128, 32}, {12, 36, 5}}) {
    std::normal_distribution<double> d;
    std::vector<double> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
    for (auto& x : a) x = d(rng);
    for (auto& x : b) x = d(rng);
    const auto pruned = prune_24(a, m, k);
    REQUIRE(is_24(pruned, m, k));
    const auto c = compress_24(pruned, m, k);
    CHECK(decompress_24(c) == pruned);
    CHECK(sparse_mma(c, b, n) == dense_mm(pruned, b, m, k, n));
    // The unpruned product differs: the check would catch a datapath that ignored the indices.
    CHECK(sparse_mma(c, b, n) != dense_mm(a, b, m, k, n));
  }
  CHECK(check_sparse_tile(32, 64, 16, false, rng) == 0.0);
  CHECK(check_sparse_tile(32, 64, 16, true, rng) == 0.0);
}

TEST_CASE("a corrupted metadata nibble makes the sparse MMA disagree", "[stc][functional]") {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> d;
  std::vector<double> a(8 * 16), b(16 * 4);
  for (auto& x : a) x = d(rng);
  for (auto& x : b) x = d(rng);
  const auto pruned = prune_24(a, 8, 16);
  auto c = compress_24(pruned, 8, 16);
  const int nib = meta_nibble(c, 0, 0);
  const int i0 = nib & 3, i1 = nib >> 2;
  const int other = i0 == 0 ? (i1 == 1 ? 2 : 1) : 0;  // an index that is not kept
  c.meta[0] = static_cast<std::uint16_t>((c.meta[0] & ~0xF) | (other | (i1 << 2)));
  CHECK(sparse_mma(c, b, 4) != dense_mm(pruned, b, 8, 16, 4));
}

TEST_CASE("the transposable 2:4 mask is 2:4 along rows and along columns", "[stc][functional]") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> d;
  const int rows = 16, cols = 24;
  std::vector<double> a(rows * cols);
  for (auto& x : a) x = d(rng);
  const auto t = prune_24_transposable(a, rows, cols);
  CHECK(is_24(t, rows, cols));
  std::vector<double> tt(a.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      tt[static_cast<std::size_t>(c * rows + r)] = t[static_cast<std::size_t>(r * cols + c)];
  CHECK(is_24(tt, cols, rows));
  int kept = 0;
  for (double x : t) kept += x != 0.0;
  CHECK(kept == rows * cols / 2);
  // It keeps no more magnitude than the row-only mask, which is free in the columns.
  double sum_t = 0, sum_r = 0;
  for (double x : t) sum_t += std::abs(x);
  for (double x : prune_24(a, rows, cols)) sum_r += std::abs(x);
  CHECK(sum_t <= sum_r);
  CHECK(sum_t > 0.8 * sum_r);
}
