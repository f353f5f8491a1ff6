// Functional mode: the array computes real values through N:M index selection, tile by tile, and they
// equal a dense reference GEMM with the pruned weights, for FF, BP and WU; the mask unit's rank network
// equals a sort.
#include <catch2/catch.hpp>

#include "models/sat/functional.hpp"
#include "tests/sat/sat_harness.hpp"

using namespace sat_test;

TEST_CASE("sat: functional: FF and BP and WU of the sparse and dense variants equal the dense reference") {
  const Config cfg = config("  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n");
  const TrainingStep step =
      step_of(net_of({conv("c1", 16, 24, 6, 3, 1, 1), fc("fc", 200, 19)}), 2, 8, 2, {Phase::FF, Phase::BP, Phase::WU});
  const RunResults r = simulate(cfg, step, TimingMode::Fast, true);
  int checked = 0;
  for (const auto& j : r.jobs) {
    INFO(j.variant << " " << j.layer << " " << phase_name(j.phase) << " err " << j.functional_max_abs_error);
    CHECK(j.functional_checked);
    CHECK(j.functional_pass);
    if (j.variant == "sparse" && j.phase == Phase::WU) CHECK(j.mapping["mask_functional_pass"].get<bool>());
    ++checked;
  }
  CHECK(checked == 12);  // conv and fc: FF, BP, WU in two variants
}

TEST_CASE("sat: functional: output-stationary sparse array equals the reference at 1:4") {
  const Config cfg = config("  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n  dataflow: output_stationary\n",
                            {"workload.sparsity.n=1", "workload.sparsity.m=4"});
  const TrainingStep step = step_of(net_of({fc("fc", 130, 21)}), 1, 4, 5, {Phase::FF, Phase::BP, Phase::WU});
  const RunResults r = simulate(cfg, step, TimingMode::Fast, true);
  for (const auto& j : r.jobs) CHECK(j.functional_pass);
}

TEST_CASE("sat: functional: a wrong in-group index is caught by the reference comparison") {
  using namespace sparsim::sat;
  FunctionalOp f(8, 64, 4, Nm{2, 8}, 3, 16);
  FunctionalOp bad(8, 64, 4, Nm{2, 8}, 3, 16);
  bad.kept_idx[5] = static_cast<std::uint8_t>((bad.kept_idx[5] + 1) % 8);
  f.tile(0, 8, 0, 64, 0, 4);
  bad.tile(0, 8, 0, 64, 0, 4);
  CHECK(f.max_abs_error() <= f.tolerance());
  CHECK(bad.max_abs_error() > bad.tolerance());
}

TEST_CASE("sat: functional: pruned A keeps exactly N of every M along K") {
  using namespace sparsim::sat;
  FunctionalOp f(5, 40, 3, Nm{2, 8}, 9, 16);
  for (std::int64_t r = 0; r < 5; ++r)
    for (std::int64_t g = 0; g < 40; g += 8) {
      int nz = 0;
      for (std::int64_t k = g; k < g + 8; ++k) nz += f.a[r * 40 + k] != 0.0;
      CHECK(nz == 2);
    }
}

TEST_CASE("sat: mask unit: rank-by-comparators equals top-N by sorting including a ragged last group") {
  using namespace sparsim::sat;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> d(0, 1);
  for (auto [n, m] : std::vector<std::pair<int, int>>{{1, 2}, {2, 4}, {2, 8}, {1, 8}}) {
    std::vector<double> v(83);
    for (auto& x : v) x = d(rng);
    v[3] = v[4];  // a tie
    CHECK(nm_mask_by_rank(v, Nm{n, m}) == nm_mask_by_sort(v, Nm{n, m}));
  }
}
