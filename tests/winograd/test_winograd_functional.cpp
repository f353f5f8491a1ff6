// Winograd F(2x2,3x3) and F(4x4,3x3) with the Lavin & Gray matrices against direct convolution, and what
// a layer pruned in the Winograd domain computes. Values are random doubles, so equality holds to
// rounding (1e-9 relative to the outputs' scale), and a wrong matrix entry shows as an O(1) error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "workloads/winograd.hpp"

using namespace sparsim;

namespace {

std::vector<double> random_values(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double m = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

// G^+ = (G^T G)^-1 G^T (3 x alpha): G has full column rank, so G^+ G = I and g = G^+ U G^+T recovers
// the kernel of any U = G g G^T.
std::vector<double> pseudo_inverse_g(const WinogradMatrices& w) {
  double gtg[3][3] = {};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < w.alpha; ++k) gtg[i][j] += w.g(k, i) * w.g(k, j);
  const double det = gtg[0][0] * (gtg[1][1] * gtg[2][2] - gtg[1][2] * gtg[2][1]) -
                     gtg[0][1] * (gtg[1][0] * gtg[2][2] - gtg[1][2] * gtg[2][0]) +
                     gtg[0][2] * (gtg[1][0] * gtg[2][1] - gtg[1][1] * gtg[2][0]);
  double inv[3][3];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
      inv[i][j] = (gtg[r0][c0] * gtg[r1][c1] - gtg[r0][c1] * gtg[r1][c0]) / det;
    }
  std::vector<double> p(static_cast<std::size_t>(3 * w.alpha), 0.0);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < w.alpha; ++k)
      for (int j = 0; j < 3; ++j) p[static_cast<std::size_t>(i * w.alpha + k)] += inv[i][j] * w.g(k, j);
  return p;
}

std::vector<double> inverse_transform(const std::vector<double>& u, const WinogradMatrices& w) {
  const std::vector<double> p = pseudo_inverse_g(w);
  std::vector<double> g(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int a = 0; a < w.alpha; ++a)
        for (int b = 0; b < w.alpha; ++b)
          g[static_cast<std::size_t>(i * 3 + j)] += p[static_cast<std::size_t>(i * w.alpha + a)] *
                                                    u[static_cast<std::size_t>(a * w.alpha + b)] *
                                                    p[static_cast<std::size_t>(j * w.alpha + b)];
  return g;
}

// What Y = A^T (U (.) B^T d B) A computes for an arbitrary U, written out by linearity without the
// transforms: output (ty*m + p, tx*m + q) = sum over the alpha x alpha input tile d[k][l] of
// K_pq[k][l] d[k][l], K_pq[k][l] = sum_ij A^T[p][i] A^T[q][j] B^T[i][k] B^T[j][l] U[i][j]: m^2 kernels of
// alpha x alpha that repeat every tile (a tile-periodic, locally connected layer). For U = G g G^T,
// K_pq is g shifted by (p, q), i.e. the direct convolution.
std::vector<double> tile_periodic_reference(const std::vector<double>& in, int h, int w, int pad,
                                            const std::vector<double>& u, const WinogradMatrices& W) {
  const int m = W.m, al = W.alpha, ho = h + 2 * pad - 2, wo = w + 2 * pad - 2;
  std::vector<double> out(static_cast<std::size_t>(ho * wo), 0.0);
  for (int y = 0; y < ho; ++y)
    for (int x = 0; x < wo; ++x) {
      const int p = y % m, q = x % m, y0 = y - p, x0 = x - q;
      double s = 0.0;
      for (int k = 0; k < al; ++k)
        for (int l = 0; l < al; ++l) {
          double kern = 0.0;
          for (int i = 0; i < al; ++i)
            for (int j = 0; j < al; ++j)
              kern += W.at(p, i) * W.at(q, j) * W.bt(i, k) * W.bt(j, l) * u[static_cast<std::size_t>(i * al + j)];
          const int iy = y0 + k - pad, ix = x0 + l - pad;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) s += kern * in[static_cast<std::size_t>(iy * w + ix)];
        }
      out[static_cast<std::size_t>(y * wo + x)] = s;
    }
  return out;
}

}  // namespace

TEST_CASE("dense Winograd F(2x2,3x3) and F(4x4,3x3) equal direct convolution") {
  for (ConvAlgorithm a : {ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4})
    for (int size : {4, 7, 8, 13})  // ragged and whole tiles
      for (int pad : {0, 1}) {
        INFO(conv_algorithm_name(a) << " size " << size << " pad " << pad);
        const auto in = random_values(static_cast<std::size_t>(size * size), 10 + size);
        const auto k = random_values(9, 99);
        const auto direct = direct_conv2d(in, size, size, k, pad);
        CHECK(max_abs_diff(winograd_conv2d(in, size, size, k, pad, a), direct) < 1e-9);
      }
}

TEST_CASE("a wrong transform matrix entry is caught by the direct comparison") {
  // The check above can fail: perturbing U by one entry moves the outputs by O(1).
  const auto in = random_values(64, 3);
  const auto k = random_values(9, 4);
  auto u = transform_kernel(k, ConvAlgorithm::Winograd2x2);
  u[5] += 0.5;
  CHECK(max_abs_diff(winograd_conv2d(in, 8, 8, k, 1, ConvAlgorithm::Winograd2x2, &u), direct_conv2d(in, 8, 8, k, 1)) >
        0.01);
}

TEST_CASE("U in the range of G g G^T: the pseudo-inverse recovers g and Winograd equals its direct convolution") {
  for (ConvAlgorithm a : {ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4}) {
    const WinogradMatrices& w = winograd_matrices(a);
    const auto k = random_values(9, 21);
    const auto u = transform_kernel(k, a);
    const auto g = inverse_transform(u, w);
    CHECK(max_abs_diff(g, k) < 1e-12);
    const auto in = random_values(100, 22);
    CHECK(max_abs_diff(winograd_conv2d(in, 10, 10, k, 1, a, &u), direct_conv2d(in, 10, 10, g, 1)) < 1e-9);
  }
}

TEST_CASE("Winograd-domain pruned U computes the tile-periodic operator, not a 3x3 convolution") {
  // Pruning U (half its positions, the smallest |u|) leaves the range of G g G^T: the layer is then no
  // direct 3x3 convolution. What it computes is still exactly known: the tile-periodic operator K_pq
  // (tile_periodic_reference), evaluated here without any transform. The nearest 3x3 kernel (the
  // pseudo-inverse g* = G^+ U G^+T) gives a different output, which is why Liu et al. train the pruned
  // layer in the Winograd domain rather than map it back.
  for (ConvAlgorithm a : {ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4}) {
    INFO(conv_algorithm_name(a));
    const WinogradMatrices& w = winograd_matrices(a);
    const auto k = random_values(9, 31);
    auto u = transform_kernel(k, a);
    std::vector<double> mag(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) mag[i] = std::abs(u[i]);
    std::vector<double> sorted = mag;
    std::sort(sorted.begin(), sorted.end());
    const double cut = sorted[sorted.size() / 2];
    int kept = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      if (mag[i] < cut) u[i] = 0.0;
      kept += u[i] != 0.0;
    }
    REQUIRE(kept == static_cast<int>(u.size() / 2));
    const auto in = random_values(121, 32);
    const auto wino = winograd_conv2d(in, 11, 11, k, 1, a, &u);
    CHECK(max_abs_diff(wino, tile_periodic_reference(in, 11, 11, 1, u, w)) < 1e-9);
    const auto nearest = direct_conv2d(in, 11, 11, inverse_transform(u, w), 1);
    CHECK(max_abs_diff(wino, nearest) > 1e-3);
  }
}

TEST_CASE("the tile-periodic reference reduces to direct convolution for an unpruned U") {
  const auto k = random_values(9, 41);
  const auto in = random_values(81, 42);
  for (ConvAlgorithm a : {ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4})
    CHECK(max_abs_diff(tile_periodic_reference(in, 9, 9, 1, transform_kernel(k, a), winograd_matrices(a)),
                       direct_conv2d(in, 9, 9, k, 1)) < 1e-9);
}
