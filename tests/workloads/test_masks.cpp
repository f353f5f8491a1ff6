// Mask generators: exact counts, the structure each one promises, determinism, and properties that tell
// them apart (row imbalance of magnitude pruning, spatial clustering of activations).
#include <catch2/catch.hpp>
#include <cmath>

#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask.hpp"
#include "workloads/profiles.hpp"

using namespace sparsim;

namespace {

// Variance of the per-row density over dim 0.
double row_density_variance(const Mask& m) {
  const std::int64_t rows = m.shape()[0], per = m.size() / rows;
  double sum = 0, sq = 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t c = 0;
    for (std::int64_t i = 0; i < per; ++i) c += m.get(r * per + i);
    const double d = static_cast<double>(c) / per;
    sum += d;
    sq += d * d;
  }
  return sq / rows - (sum / rows) * (sum / rows);
}

// Fraction of horizontally adjacent pairs (last dimension) that agree.
double neighbour_agreement(const Mask& m) {
  const std::int64_t w = m.shape().back();
  std::int64_t same = 0, pairs = 0;
  for (std::int64_t i = 0; i + 1 < m.size(); ++i) {
    if ((i + 1) % w == 0) continue;
    same += m.get(i) == m.get(i + 1);
    ++pairs;
  }
  return static_cast<double>(same) / pairs;
}

}  // namespace

namespace {
// Recurrent steps written out as fc layers that share their weights (shares_weights): two chains.
Network shared_weight_steps() {
  return parse_network_yaml(
      "name: steps\nlayers:\n"
      "  - {name: r0.t1, type: fc, cin: 64, cout: 256}\n"
      "  - {name: r0.t2, type: fc, cin: 64, cout: 256, shares_weights: r0.t1}\n"
      "  - {name: r0.t3, type: fc, cin: 64, cout: 256, shares_weights: r0.t1}\n"
      "  - {name: r1.t1, type: fc, cin: 64, cout: 256}\n"
      "  - {name: r1.t2, type: fc, cin: 64, cout: 256, shares_weights: r1.t1}\n",
      "steps.yaml");
}
}  // namespace

TEST_CASE("uniform: exact count, seeded and deterministic") {
  Rng a(7), b(7), c(8);
  const Mask ma = masks::uniform({64, 3, 3, 3}, 0.3, a);
  CHECK(ma.count() == std::llround(0.3 * 64 * 27));
  CHECK(ma == masks::uniform({64, 3, 3, 3}, 0.3, b));
  CHECK(!(ma == masks::uniform({64, 3, 3, 3}, 0.3, c)));
}

TEST_CASE("magnitude: exact count and unequal rows, unlike uniform") {
  Rng r1(1), r2(1);
  const Mask mag = masks::magnitude({128, 256}, 0.25, r1);
  const Mask uni = masks::uniform({128, 256}, 0.25, r2);
  CHECK(mag.count() == 128 * 64);
  // Log-normal per-row scales make some rows keep far more weights than others.
  CHECK(row_density_variance(mag) > 10 * row_density_variance(uni));
}

TEST_CASE("N:M top-k keeps exactly N of every M along the axis, and detect_nm finds it") {
  const NMPattern patterns[] = {{1, 2}, {2, 4}, {1, 4}, {2, 8}, {1, 8}, {4, 8}, {3, 8}, {2, 16}};
  for (const auto p : patterns) {
    INFO(p.n << ":" << p.m);
    Rng rng(42);
    const Mask m = masks::nm({32, 64, 3, 3}, p, 1, rng);
    CHECK(m.count() == 32 * 9 * (64 / p.m) * p.n);
    CHECK(masks::satisfies_nm(m, p, 1));
    const NMPattern found = masks::detect_nm(m, 1);
    CHECK(found.n == p.n);
    CHECK(found.m == p.m);
    CHECK(!masks::satisfies_nm(m, p, 0));  // no structure along the other axis
  }
}

TEST_CASE("N:M keeps the largest magnitudes of each group") {
  const std::vector<float> w = {0.1f, -5.f, 3.f, 0.2f, 1.f, 2.f, -3.f, 4.f};
  const Mask m = masks::nm_from_weights(w, {2, 4}, NMPattern{2, 4}, 1);
  const bool want[] = {false, true, true, false, false, false, true, true};
  for (int i = 0; i < 8; ++i) CHECK(m.get(i) == want[i]);
}

TEST_CASE("detect_nm rejects unstructured masks of the same density") {
  Rng rng(3);
  const Mask m = masks::uniform({64, 256}, 0.5, rng);
  CHECK(!masks::detect_nm(m, 1).active());
  Rng rng2(3);
  CHECK(!masks::detect_nm(masks::uniform({64, 256}, 0.25, rng2), 1).active());
}

TEST_CASE("bidirectional N:M: forward mask along Cin, backward mask along Cout, same weights") {
  Rng rng(5);
  const auto pair = masks::bidirectional_nm({64, 32, 3, 3}, NMPattern{2, 8}, rng);
  CHECK(masks::satisfies_nm(pair.forward, {2, 8}, 1));
  CHECK(masks::satisfies_nm(pair.backward, {2, 8}, 0));
  CHECK(!masks::satisfies_nm(pair.forward, {2, 8}, 0));
  CHECK(!masks::satisfies_nm(pair.backward, {2, 8}, 1));
  CHECK(pair.forward.count() == pair.backward.count());
  // From the same weights, the two masks overlap far more than two independent 25 % masks would (6.25 %).
  std::int64_t both = 0;
  for (std::int64_t i = 0; i < pair.forward.size(); ++i) both += pair.forward.get(i) && pair.backward.get(i);
  CHECK(static_cast<double>(both) / pair.forward.size() > 0.10);
}

TEST_CASE("coarse pruning removes whole vectors, kernels or filters") {
  const std::vector<std::int64_t> shape = {16, 8, 3, 3};
  for (auto [g, block] :
       {std::pair{Granularity::Vector, 3}, std::pair{Granularity::Kernel, 9}, std::pair{Granularity::Filter, 72}}) {
    INFO(granularity_name(g));
    Rng rng(9);
    const Mask m = masks::coarse(shape, 0.5, g, rng);
    const std::int64_t blocks = m.size() / block;
    std::int64_t kept = 0;
    for (std::int64_t b = 0; b < blocks; ++b) {
      std::int64_t c = 0;
      for (std::int64_t i = 0; i < block; ++i) c += m.get(b * block + i);
      CHECK((c == 0 || c == block));
      kept += c == block;
    }
    CHECK(kept == blocks / 2);
  }
}

TEST_CASE("clustered activations: exact density and spatial runs, unlike uniform") {
  Rng r1(11), r2(11), r3(11);
  const Mask clustered = masks::clustered({16, 56, 56}, 0.4, 6.0, r1);
  const Mask uni = masks::uniform({16, 56, 56}, 0.4, r2);
  CHECK(clustered.count() == std::llround(0.4 * 16 * 56 * 56));
  // Independent positions agree with probability 0.4^2 + 0.6^2 = 0.52.
  CHECK(neighbour_agreement(uni) == Approx(0.52).margin(0.02));
  CHECK(neighbour_agreement(clustered) > 0.75);
  const Mask flat = masks::clustered({16, 56, 56}, 0.4, 1.0, r3);
  CHECK(neighbour_agreement(flat) < 0.60);
}

TEST_CASE("generators reject densities outside [0, 1] and N > M") {
  Rng rng(1);
  CHECK_THROWS_WITH(masks::uniform({4, 4}, 1.5, rng), Catch::Contains("outside [0, 1]"));
  CHECK_THROWS_WITH(masks::magnitude({4, 4}, -0.1, rng), Catch::Contains("outside [0, 1]"));
  CHECK_THROWS_WITH(masks::nm({4, 8}, NMPattern{5, 4}, 1, rng), Catch::Contains("N <= M"));
  CHECK_THROWS_WITH(masks::nm({4, 8}, NMPattern{2, 4}, 2, rng), Catch::Contains("axis"));
}

TEST_CASE("layer weight masks: 2:4 along Cin for FF, along Cout for BP, seeded per layer") {
  Network net = load_network("resnet18");
  const int index = 5;
  net.layers[index].sparsity.nm = NMPattern{2, 4};
  const Mask ff = weight_mask(net, index, Phase::FF, 1);
  const Mask bp = weight_mask(net, index, Phase::BP, 1);
  CHECK(ff.shape() == weight_mask_shape(net.layers[index]));
  CHECK(masks::satisfies_nm(ff, {2, 4}, 1));
  CHECK(masks::satisfies_nm(bp, {2, 4}, 0));
  CHECK(ff == weight_mask(net, index, Phase::FF, 1));
  CHECK(!(ff == weight_mask(net, index, Phase::FF, 2)));
  CHECK(weight_mask(net, index, Phase::WU, 1) == ff);
  // Combined with unstructured pruning, the N:M structure survives at the lower density.
  net.layers[index].sparsity.weight_density = 0.5;
  const Mask both = weight_mask(net, index, Phase::FF, 1);
  CHECK(both.density() == Approx(0.25).margin(1e-3));
  CHECK(masks::satisfies_nm(both, {2, 4}, 1));
}

TEST_CASE("layer masks: Han densities, clustered activations, shared recurrent weights") {
  const Network han = load_network("alexnet-han");
  const Mask w = weight_mask(han, 1, Phase::FF, 3);
  CHECK(w.density() == Approx(0.38).margin(1e-3));
  const Mask a = activation_mask(han, 1, 0, 3);
  CHECK(a.shape() == std::vector<std::int64_t>{96, 27, 27});
  CHECK(a.density() == Approx(0.88).margin(1e-3));
  CHECK(!(a == activation_mask(han, 1, 1, 3)));  // another sample, another pattern
  Network rec = shared_weight_steps();
  rec.layers[0].sparsity.weight_density = 0.3;
  CHECK(weight_mask(rec, 2, Phase::FF, 4) == weight_mask(rec, 0, Phase::FF, 4));
  CHECK(weight_mask(rec, 0, Phase::FF, 4).density() == Approx(0.3).margin(1e-3));
}

TEST_CASE("sparsity profiles: N:M, random and coarse pruning, ReLU and gradient densities") {
  Network net = load_network("mobilenetv2");
  apply_sparsity_profile(net, "nm=2:8, relu=0.4, gradients=0.6");
  for (const auto& l : net.layers) {
    INFO(l.name);
    CHECK(l.sparsity.nm.active() == l.sparsity.prunable);  // conv1 and depthwise stay dense
    CHECK(l.sparsity.gradient_density == 0.6);
    // Expansion inputs are linear bottleneck outputs: only ReLU6 outputs get the ReLU density.
    const bool expand = l.name.find(".expand") != std::string::npos;
    CHECK(l.sparsity.activation_density == ((expand || l.name == "conv1" || l.name == "conv_last") ? 1.0 : 0.4));
  }
  Network r = load_network("resnet18");
  apply_sparsity_profile(r, "weights=0.3,positions=uniform");
  CHECK(r.layers[3].sparsity.weight_density == 0.3);
  CHECK(weight_mask(r, 3, Phase::FF, 1).density() == Approx(0.3).margin(1e-3));
  // Uniform positions: rows about equally dense; magnitude-style: unequal.
  const double uniform_var = row_density_variance(weight_mask(r, 3, Phase::FF, 1));
  apply_sparsity_profile(r, "positions=magnitude");
  CHECK(row_density_variance(weight_mask(r, 3, Phase::FF, 1)) > 5 * uniform_var);
  apply_sparsity_profile(r, "granularity=filter");
  const Mask filters = weight_mask(r, 3, Phase::FF, 1);
  const std::int64_t per = filters.size() / filters.shape()[0];
  for (std::int64_t f = 0; f < filters.shape()[0]; ++f) {
    std::int64_t c = 0;
    for (std::int64_t i = 0; i < per; ++i) c += filters.get(f * per + i);
    CHECK((c == 0 || c == per));
  }
  CHECK_THROWS_WITH(apply_sparsity_profile(r, "nm=5:4"), Catch::Contains("nm=5:4"));
  CHECK_THROWS_WITH(apply_sparsity_profile(r, "relu=1.5"), Catch::Contains("[0, 1]"));
  CHECK_THROWS_WITH(apply_sparsity_profile(r, "sparsity=0.5"), Catch::Contains("unknown profile item"));
}

TEST_CASE("transposable N:M: one mask that is N:M along Cin and Cout, keeping more than a fixed pattern") {
  for (const auto p : {NMPattern{2, 4}, NMPattern{1, 4}, NMPattern{2, 8}, NMPattern{4, 8}}) {
    INFO(p.n << ":" << p.m);
    Rng rng(21);
    const std::vector<std::int64_t> shape = {32, 16, 3, 3};
    const auto w = masks::synthetic_weights(shape, rng);
    const Mask m = masks::transposable_nm_from_weights(w, shape, p);
    CHECK(masks::satisfies_nm(m, p, 1));
    CHECK(masks::satisfies_nm(m, p, 0));
    CHECK(m.count() == 32 * 16 * 9 * p.n / p.m);  // exactly N per row and column of every block
    // Kept magnitude beats the plain diagonal pattern (diagonals 0..N-1 in every block).
    double kept = 0, diagonal = 0;
    for (std::int64_t i = 0; i < m.size(); ++i) {
      const std::int64_t r = i / (16 * 9) % p.m, c = i / 9 % 16 % p.m;
      if (m.get(i)) kept += std::fabs(w[static_cast<std::size_t>(i)]);
      if ((c - r + p.m) % p.m < p.n) diagonal += std::fabs(w[static_cast<std::size_t>(i)]);
    }
    CHECK(kept > diagonal);
  }
  Rng rng(1);
  CHECK_THROWS_WITH(masks::transposable_nm({6, 8}, NMPattern{2, 4}, rng), Catch::Contains("multiples of M"));
}

TEST_CASE("transposable profile: FF and BP use the same mask, N:M both ways") {
  Network net = load_network("resnet18");
  apply_sparsity_profile(net, "nm=2:4,transposable");
  const Mask ff = weight_mask(net, 4, Phase::FF, 1), bp = weight_mask(net, 4, Phase::BP, 1);
  CHECK(ff == bp);
  CHECK(masks::satisfies_nm(ff, {2, 4}, 0));
  CHECK(masks::satisfies_nm(ff, {2, 4}, 1));
  apply_sparsity_profile(net, "nm=2:3");  // 64 channels are no multiple of 3
  CHECK_THROWS_WITH(weight_mask(net, 4, Phase::FF, 1),
                    Catch::Contains("layer " + net.layers[4].name) && Catch::Contains("multiples of M"));
}

TEST_CASE("a layer's generated masks do not change when a subset of layers is selected") {
  Network net = shared_weight_steps();
  apply_sparsity_profile(net, "weights=0.4,activations=0.5");
  Network subset = net;
  subset.layers = {net.layers[2], net.layers[4]};  // r0.t3 and r1.t2, their owners dropped
  CHECK(weight_mask(subset, 0, Phase::FF, 9) == weight_mask(net, 2, Phase::FF, 9));
  CHECK(weight_mask(subset, 0, Phase::FF, 9) == weight_mask(net, 0, Phase::FF, 9));  // shared with r0.t1
  CHECK(weight_mask(subset, 1, Phase::FF, 9) == weight_mask(net, 4, Phase::FF, 9));
  CHECK(activation_mask(subset, 1, 3, 9) == activation_mask(net, 4, 3, 9));
  CHECK(!(weight_mask(net, 0, Phase::FF, 9) == weight_mask(net, 3, Phase::FF, 9)));  // another layer's weights
}
