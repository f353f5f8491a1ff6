#include "models/sat/functional.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <tuple>

#include "sim/alloc_guard.hpp"
#include "workloads/mask.hpp"

namespace sparsim::sat {

std::vector<std::uint8_t> nm_mask_by_rank(const std::vector<double>& v, Nm nm) {
  std::vector<std::uint8_t> keep(v.size(), 1);
  if (!nm.sparse()) return keep;
  for (std::size_t g = 0; g < v.size(); g += nm.m) {
    const std::size_t end = std::min(v.size(), g + nm.m);
    for (std::size_t i = g; i < end; ++i) {
      i64 beaten_by = 0;  // one comparator per pair: |v_j| > |v_i|, or equal with j before i
      for (std::size_t j = g; j < end; ++j)
        if (j != i && (std::abs(v[j]) > std::abs(v[i]) || (std::abs(v[j]) == std::abs(v[i]) && j < i))) ++beaten_by;
      keep[i] = beaten_by < nm.n;
    }
  }
  return keep;
}

std::vector<std::uint8_t> nm_mask_by_sort(const std::vector<double>& v, Nm nm) {
  std::vector<std::uint8_t> keep(v.size(), 1);
  if (!nm.sparse()) return keep;
  for (std::size_t g = 0; g < v.size(); g += nm.m) {
    const std::size_t end = std::min(v.size(), g + nm.m);
    std::vector<std::size_t> order(end - g);
    std::iota(order.begin(), order.end(), g);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t x, std::size_t y) { return std::abs(v[x]) > std::abs(v[y]); });
    for (std::size_t r = 0; r < order.size(); ++r) keep[order[r]] = r < static_cast<std::size_t>(nm.n);
  }
  return keep;
}

double layer_weight(std::uint64_t seed, i64 co, i64 ci, i64 pos) {
  // splitmix64 of the position: uniform in [-1, 1), distinct magnitudes in practice.
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL *
                               (static_cast<std::uint64_t>(co) * 0x100000001B3ULL +
                                static_cast<std::uint64_t>(ci) * 0x1000193ULL + static_cast<std::uint64_t>(pos) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-52 - 1.0;
}

std::function<double(i64, i64)> ff_weights(std::uint64_t seed, i64 cin_g) {
  return [=](i64 m, i64 k) { return layer_weight(seed, m, k % cin_g, k / cin_g); };
}

std::function<double(i64, i64)> bp_weights(std::uint64_t seed, i64 cin_g) {
  return [=](i64 m, i64 k) { return layer_weight(seed, k, m % cin_g, m / cin_g); };
}

LayerWeights transposable_weights(std::uint64_t seed, Nm nm, i64 cout_g, i64 cin_g) {
  using Key = std::tuple<i64, i64, i64>;  // (pos, co block, ci block)
  auto blocks = std::make_shared<std::map<Key, std::vector<char>>>();
  const i64 m = nm.m;
  return [=](i64 co, i64 ci, i64 pos) {
    if (!nm.sparse() || nm.n >= nm.m) return layer_weight(seed, co, ci, pos);
    const i64 r0 = co / m * m, c0 = ci / m * m;
    auto [it, fresh] = blocks->try_emplace(Key{pos, r0, c0});
    if (fresh) {
      std::vector<float> w(static_cast<std::size_t>(m * m), 0.0f);
      for (i64 r = 0; r < m; ++r)
        for (i64 c = 0; c < m; ++c)
          if (r0 + r < cout_g && c0 + c < cin_g)
            w[static_cast<std::size_t>(r * m + c)] = static_cast<float>(layer_weight(seed, r0 + r, c0 + c, pos));
      const Mask mask =
          masks::transposable_nm_from_weights(w, {m, m}, NMPattern{static_cast<int>(nm.n), static_cast<int>(m)});
      it->second.resize(w.size());
      for (std::size_t i = 0; i < w.size(); ++i) it->second[i] = mask.get(static_cast<std::int64_t>(i));
    }
    return it->second[static_cast<std::size_t>((co - r0) * m + (ci - c0))] ? layer_weight(seed, co, ci, pos) : 0.0;
  };
}

std::function<double(i64, i64)> ff_operand(LayerWeights w, i64 cin_g) {
  return [w = std::move(w), cin_g](i64 m, i64 k) { return w(m, k % cin_g, k / cin_g); };
}

std::function<double(i64, i64)> bp_operand(LayerWeights w, i64 cin_g) {
  return [w = std::move(w), cin_g](i64 m, i64 k) { return w(k, m % cin_g, m / cin_g); };
}

FunctionalOp::FunctionalOp(i64 m, i64 k, i64 n, Nm pattern, std::uint64_t seed, i64 max_cols,
                           const std::function<double(i64, i64)>& a_of)
    : M(m), K(k), N(n), nm(pattern) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  check_allocation(static_cast<double>(M) * static_cast<double>(K), sizeof(double), "a functional op's A operand");
  a.resize(static_cast<std::size_t>(M * K));
  for (i64 r = 0; r < M; ++r)
    for (i64 c = 0; c < K; ++c) a[static_cast<std::size_t>(r * K + c)] = a_of ? a_of(r, c) : dist(rng);
  // Prune each row of A along K (the reduction dimension) and compress it.
  row_start.resize(static_cast<std::size_t>(M + 1), 0);
  for (i64 r = 0; r < M; ++r) {
    std::vector<double> row(a.begin() + r * K, a.begin() + (r + 1) * K);
    const auto keep = nm_mask_by_rank(row, nm);
    for (i64 c = 0; c < K; ++c) {
      if (!keep[c]) {
        a[r * K + c] = 0.0;
        continue;
      }
      kept_val.push_back(row[c]);
      kept_idx.push_back(static_cast<std::uint8_t>(nm.sparse() ? c % nm.m : 0));
    }
    row_start[r + 1] = static_cast<i64>(kept_val.size());
  }
  const i64 nc = std::min(N, max_cols);
  for (i64 j = 0; j < nc; ++j) cols.push_back(nc == N ? j : j * N / nc);
  check_allocation(static_cast<double>(K) * static_cast<double>(nc) + static_cast<double>(M) * static_cast<double>(nc),
                   sizeof(double), "a functional op's B operand and outputs");
  b.resize(static_cast<std::size_t>(K * nc));
  for (auto& x : b) x = dist(rng);
  out.assign(static_cast<std::size_t>(M * nc), 0.0);
}

void FunctionalOp::tile(i64 m0, i64 ml, i64 k0, i64 kl, i64 n0, i64 nl) {
  const i64 nc = static_cast<i64>(cols.size());
  std::vector<i64> in_tile;
  for (i64 j = 0; j < nc; ++j)
    if (cols[j] >= n0 && cols[j] < n0 + nl) in_tile.push_back(j);
  if (in_tile.empty()) return;
  for (i64 r = m0; r < m0 + ml; ++r) {
    // The PE holds whole groups: N kept values per group of M, so a value's group is its position in
    // the compressed row divided by N, and its k is the group base plus the stored in-group index.
    const i64 q0 = row_start[r] + kept(nm, k0);
    const i64 q1 = row_start[r] + kept(nm, std::min(K, k0 + kl));
    for (i64 q = q0; q < q1; ++q) {
      const i64 k = kept_position(nm, q - row_start[r], kept_idx[q]);
      const double w = kept_val[q];
      for (i64 j : in_tile) out[r * nc + j] += w * b[k * nc + j];
    }
  }
}

double FunctionalOp::max_abs_error() const {
  const i64 nc = static_cast<i64>(cols.size());
  double err = 0;
  for (i64 r = 0; r < M; ++r)
    for (i64 j = 0; j < nc; ++j) {
      double ref = 0;
      for (i64 k = 0; k < K; ++k) ref += a[r * K + k] * b[k * nc + j];
      err = std::max(err, std::abs(ref - out[r * nc + j]));
    }
  return err;
}

double FunctionalOp::tolerance() const { return 1e-9 * static_cast<double>(K + 1); }

}  // namespace sparsim::sat
