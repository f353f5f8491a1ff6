#pragma once
// Real values for --functional runs: random operands of one op, the N:M pruning and compression the
// mask unit produces (values plus in-group indices), the array's per-tile computation through index
// selection, and a dense reference GEMM with the pruned weights to compare against.
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "dataflows/sat/sat_geometry.hpp"

namespace sparsim::sat {

// Top-N of each group of M consecutive values of `v` (by magnitude; ties keep the lower index), the
// way the mask unit's comparator lanes rank them: an element is kept when fewer than N others beat it.
std::vector<std::uint8_t> nm_mask_by_rank(const std::vector<double>& v, Nm nm);
// Reference for the same mask: sorts each group.
std::vector<std::uint8_t> nm_mask_by_sort(const std::vector<double>& v, Nm nm);

// One layer's dense weights W[co][ci][pos] (group 0; pos = kernel position, 0 for fc), drawn from
// `seed` by position without storage, so the FF and the BP operand of a layer read the same W: FF
// A[m = co][k = pos * cin_g + ci] (N:M along Cin), BP A[m = pos * cin_g + ci][k = co] (N:M along Cout).
double layer_weight(std::uint64_t seed, i64 co, i64 ci, i64 pos);
std::function<double(i64, i64)> ff_weights(std::uint64_t seed, i64 cin_g);
std::function<double(i64, i64)> bp_weights(std::uint64_t seed, i64 cin_g);

// A layer's W by (co, ci, pos).
using LayerWeights = std::function<double(i64 co, i64 ci, i64 pos)>;
// The layer's W under one transposable N:M mask (N of every M along Cin and along Cout at once, the same
// mask for FF and BP): each M x M block of a kernel position keeps the pattern
// masks::transposable_nm_from_weights picks for it; edge blocks of a Cout or Cin that M does not divide
// are padded with zeros, so they keep at most N per row and column. Each block is computed once.
LayerWeights transposable_weights(std::uint64_t seed, Nm nm, i64 cout_g, i64 cin_g);
// FF's and BP's A operands read from a layer's W (as ff_weights / bp_weights do).
std::function<double(i64, i64)> ff_operand(LayerWeights w, i64 cin_g);
std::function<double(i64, i64)> bp_operand(LayerWeights w, i64 cin_g);

struct FunctionalOp {
  i64 M = 0, K = 0, N = 0;
  Nm nm;
  std::vector<double> a;               // M x K, pruned (dense layout), what the reference multiplies
  std::vector<double> kept_val;        // compressed A: per row, kept values in k order
  std::vector<std::uint8_t> kept_idx;  // their positions inside their group of M
  std::vector<i64> row_start;          // offset of each row's kept values
  std::vector<i64> cols;               // output columns checked (a deterministic sample of N)
  std::vector<double> b;               // K x cols.size()
  std::vector<double> out;             // M x cols.size(), accumulated tile by tile by the array

  // A's dense values come from `a_of(m, k)` when given (a layer's W), else from the seeded generator;
  // each row of A is then pruned N:M along K by the mask unit's rank network and compressed.
  FunctionalOp(i64 M, i64 K, i64 N, Nm nm, std::uint64_t seed, i64 max_cols,
               const std::function<double(i64, i64)>& a_of = {});
  // The array's datapath for rows [m0, m0+ml), reduction range [k0, k0+kl) (group-aligned), columns
  // [n0, n0+nl): each kept weight selects its activation by group base + index.
  void tile(i64 m0, i64 ml, i64 k0, i64 kl, i64 n0, i64 nl);
  // Max |out - A_pruned * B| over the checked outputs.
  double max_abs_error() const;
  double tolerance() const;
};

}  // namespace sparsim::sat
