#include "models/stc/sparse24.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace sparsim::stc {

bool is_24(const std::vector<double>& a, int rows, int cols) {
  if (cols % 4 != 0) return false;
  for (int r = 0; r < rows; ++r)
    for (int g = 0; g < cols / 4; ++g) {
      int nz = 0;
      for (int i = 0; i < 4; ++i) nz += a[static_cast<std::size_t>(r) * cols + 4 * g + i] != 0.0;
      if (nz > 2) return false;
    }
  return true;
}

std::vector<double> prune_24(const std::vector<double>& a, int rows, int cols) {
  if (cols % 4 != 0) throw std::invalid_argument("2:4 pruning needs cols % 4 == 0");
  std::vector<double> out(a.size(), 0.0);
  for (int r = 0; r < rows; ++r)
    for (int g = 0; g < cols / 4; ++g) {
      const std::size_t base = static_cast<std::size_t>(r) * cols + 4 * g;
      std::array<int, 4> idx{0, 1, 2, 3};
      std::stable_sort(idx.begin(), idx.end(),
                       [&](int x, int y) { return std::abs(a[base + x]) > std::abs(a[base + y]); });
      out[base + idx[0]] = a[base + idx[0]];
      out[base + idx[1]] = a[base + idx[1]];
    }
  return out;
}

namespace {
// The 90 4x4 0/1 patterns with exactly two ones in every row and every column.
const std::vector<std::array<int, 4>>& transposable_patterns() {
  static const std::vector<std::array<int, 4>> patterns = [] {
    std::vector<int> rows;  // 4-bit row masks with two bits set
    for (int m = 0; m < 16; ++m)
      if (__builtin_popcount(m) == 2) rows.push_back(m);
    std::vector<std::array<int, 4>> out;
    for (int a : rows)
      for (int b : rows)
        for (int c : rows)
          for (int d : rows) {
            bool ok = true;
            for (int col = 0; col < 4 && ok; ++col)
              ok = ((a >> col) & 1) + ((b >> col) & 1) + ((c >> col) & 1) + ((d >> col) & 1) == 2;
            if (ok) out.push_back({a, b, c, d});
          }
    return out;
  }();
  return patterns;
}
}  // namespace

std::vector<double> prune_24_transposable(const std::vector<double>& a, int rows, int cols) {
  if (rows % 4 != 0 || cols % 4 != 0) throw std::invalid_argument("transposable 2:4 needs rows, cols % 4 == 0");
  std::vector<double> out(a.size(), 0.0);
  for (int br = 0; br < rows; br += 4)
    for (int bc = 0; bc < cols; bc += 4) {
      const std::array<int, 4>* best = nullptr;
      double best_sum = -1.0;
      for (const auto& p : transposable_patterns()) {
        double s = 0.0;
        for (int i = 0; i < 4; ++i)
          for (int j = 0; j < 4; ++j)
            if ((p[i] >> j) & 1) s += std::abs(a[static_cast<std::size_t>(br + i) * cols + bc + j]);
        if (s > best_sum) best_sum = s, best = &p;
      }
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          if (((*best)[i] >> j) & 1) {
            const std::size_t at = static_cast<std::size_t>(br + i) * cols + bc + j;
            out[at] = a[at];
          }
    }
  return out;
}

Compressed24 compress_24(const std::vector<double>& a, int rows, int cols) {
  if (cols % 4 != 0) throw std::invalid_argument("2:4 compression needs cols % 4 == 0, got " + std::to_string(cols));
  Compressed24 c;
  c.rows = rows;
  c.cols = cols;
  c.values.assign(static_cast<std::size_t>(rows) * cols / 2, 0.0);
  c.meta.assign(static_cast<std::size_t>(rows) * c.meta_words_per_row(), 0);
  for (int r = 0; r < rows; ++r)
    for (int g = 0; g < cols / 4; ++g) {
      const std::size_t base = static_cast<std::size_t>(r) * cols + 4 * g;
      std::array<int, 2> keep{-1, -1};
      int n = 0;
      for (int i = 0; i < 4; ++i)
        if (a[base + i] != 0.0) {
          if (n == 2)
            throw std::invalid_argument("row " + std::to_string(r) + " group " + std::to_string(g) +
                                        " has more than 2 non-zeros");
          keep[n++] = i;
        }
      for (int i = 0; n < 2 && i < 4; ++i)  // pad with zeros at the lowest unused indices
        if (i != keep[0]) keep[n++] = i;
      std::sort(keep.begin(), keep.end());
      const std::size_t v = static_cast<std::size_t>(r) * (cols / 2) + 2 * g;
      c.values[v] = a[base + keep[0]];
      c.values[v + 1] = a[base + keep[1]];
      const auto nibble = static_cast<std::uint16_t>(keep[0] | (keep[1] << 2));
      c.meta[static_cast<std::size_t>(r) * c.meta_words_per_row() + g / 4] |=
          static_cast<std::uint16_t>(nibble << (4 * (g % 4)));
    }
  return c;
}

int meta_nibble(const Compressed24& c, int r, int g) {
  return (c.meta[static_cast<std::size_t>(r) * c.meta_words_per_row() + g / 4] >> (4 * (g % 4))) & 0xF;
}

std::vector<double> decompress_24(const Compressed24& c) {
  std::vector<double> a(static_cast<std::size_t>(c.rows) * c.cols, 0.0);
  for (int r = 0; r < c.rows; ++r)
    for (int g = 0; g < c.cols / 4; ++g) {
      const int nib = meta_nibble(c, r, g);
      const std::size_t v = static_cast<std::size_t>(r) * (c.cols / 2) + 2 * g;
      a[static_cast<std::size_t>(r) * c.cols + 4 * g + (nib & 3)] = c.values[v];
      a[static_cast<std::size_t>(r) * c.cols + 4 * g + (nib >> 2)] = c.values[v + 1];
    }
  return a;
}

std::vector<double> sparse_mma(const Compressed24& a, const std::vector<double>& b, int n) {
  std::vector<double> c(static_cast<std::size_t>(a.rows) * n, 0.0);
  for (int r = 0; r < a.rows; ++r)
    for (int g = 0; g < a.cols / 4; ++g) {
      const int nib = meta_nibble(a, r, g);
      const std::size_t v = static_cast<std::size_t>(r) * (a.cols / 2) + 2 * g;
      for (int s = 0; s < 2; ++s) {
        const double x = a.values[v + s];
        const int krow = 4 * g + (s == 0 ? (nib & 3) : (nib >> 2));  // the B row the index selects
        for (int j = 0; j < n; ++j)
          c[static_cast<std::size_t>(r) * n + j] += x * b[static_cast<std::size_t>(krow) * n + j];
      }
    }
  return c;
}

std::vector<double> dense_mm(const std::vector<double>& a, const std::vector<double>& b, int m, int k, int n) {
  std::vector<double> c(static_cast<std::size_t>(m) * n, 0.0);
  for (int r = 0; r < m; ++r)
    for (int kk = 0; kk < k; ++kk) {
      const double x = a[static_cast<std::size_t>(r) * k + kk];
      if (x == 0.0) continue;  // adding x*b with x == 0 changes nothing; keeps the order of the sparse sum
      for (int j = 0; j < n; ++j) c[static_cast<std::size_t>(r) * n + j] += x * b[static_cast<std::size_t>(kk) * n + j];
    }
  return c;
}

double check_sparse_tile(int m, int k, int n, bool transposable, std::mt19937_64& rng) {
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<double> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n);
  for (auto& x : a) x = dist(rng);
  for (auto& x : b) x = dist(rng);
  const auto pruned = transposable ? prune_24_transposable(a, m, k) : prune_24(a, m, k);
  const auto sparse = sparse_mma(compress_24(pruned, m, k), b, n);
  const auto dense = dense_mm(pruned, b, m, k, n);
  double err = 0.0;
  for (std::size_t i = 0; i < dense.size(); ++i) err = std::max(err, std::abs(sparse[i] - dense[i]));
  return err;
}

}  // namespace sparsim::stc
