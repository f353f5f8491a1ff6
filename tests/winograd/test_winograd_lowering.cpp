// The Winograd lowering: op shapes, per-tile transform counts derived from the matrices, fill-in
// densities, and which layers the config turns into Winograd.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "sim/config/config.hpp"
#include "sim/workload_setup.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/winograd.hpp"

using namespace sparsim;

namespace {

Layer conv3x3(std::int64_t cin, std::int64_t cout, std::int64_t hw) {
  Layer l;
  l.name = std::string("c");  // (GCC 12 warns falsely, -Wrestrict, on assigning the literal)
  l.cin = cin, l.cout = cout, l.h = l.w = hw, l.kh = l.kw = 3, l.pad = 1;
  return l;
}

const GemmOp& op_of(const TrainingStep& s, Phase p) {
  for (const auto& op : s.ops)
    if (op.phase == p) return op;
  FAIL("no op of the phase");
  return s.ops.front();
}

}  // namespace

TEST_CASE("per-tile transform counts follow from the Lavin & Gray matrices") {
  // F(2x2,3x3), counted by hand in workloads/winograd.cpp.
  const TileTransforms f2 = tile_transforms(ConvAlgorithm::Winograd2x2);
  CHECK(f2.input.adds == 32);
  CHECK(f2.input.const_mults == 0);
  CHECK(f2.weight.adds == 28);
  CHECK(f2.weight.const_mults == 42);
  CHECK(f2.output.adds == 24);
  CHECK(f2.grad_output.adds == 12);
  CHECK(f2.grad_input.adds == 32);
  CHECK(f2.weight_grad.adds == 35);
  CHECK(f2.weight_grad.const_mults == 42);
  const TileTransforms f4 = tile_transforms(ConvAlgorithm::Winograd4x4);
  CHECK(f4.input.adds == 192);
  CHECK(f4.input.const_mults == 144);
  CHECK(f4.weight.adds == 72);
  CHECK(f4.weight.const_mults == 117);
  CHECK(f4.output.adds == 140);
  CHECK(f4.output.const_mults == 60);
  CHECK(f4.grad_output.adds == 120);
  CHECK(f4.grad_input.adds == 192);
  CHECK(f4.weight_grad.adds == 99);
}

TEST_CASE("a 3x3 conv lowers to one GEMM per transformed-tile position in every phase") {
  Network net;
  net.name = std::string("one");
  net.layers.push_back(conv3x3(64, 128, 56));
  for (ConvAlgorithm a : {ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4}) {
    INFO(conv_algorithm_name(a));
    net.layers[0].algorithm = a;
    const TrainingStep s = expand_training_step(net, 2, {Phase::FF, Phase::BP, Phase::WU});
    REQUIRE(s.ops.size() == 3);
    const std::int64_t m = a == ConvAlgorithm::Winograd2x2 ? 2 : 4, tiles = (56 / m) * (56 / m), cols = 2 * tiles;
    const std::int64_t pos = (m + 2) * (m + 2);
    CHECK(winograd_tiles(net.layers[0], a) == tiles);
    const GemmOp& ff = op_of(s, Phase::FF);
    CHECK(ff.M == 128);
    CHECK(ff.K == 64);
    CHECK(ff.N == cols);
    CHECK(ff.instances == pos);
    CHECK(ff.conv_algorithm == a);
    CHECK(ff.direct_macs == 2 * 128 * 64 * 9 * 56 * 56);
    // 9 multiplications per output for direct, alpha^2 / m^2 for Winograd: 2.25x and 4x fewer.
    CHECK(static_cast<double>(ff.direct_macs) / static_cast<double>(ff.macs()) ==
          Approx(9.0 * m * m / static_cast<double>(pos)));
    const GemmOp& bp = op_of(s, Phase::BP);
    CHECK(bp.M == 64);
    CHECK(bp.K == 128);
    CHECK(bp.N == cols);
    const GemmOp& wu = op_of(s, Phase::WU);
    CHECK(wu.M == 128);
    CHECK(wu.K == cols);
    CHECK(wu.N == 64);
    CHECK_FALSE(wu.a_is_weight);
    const TileTransforms t = tile_transforms(a);
    CHECK(ff.transform_adds == t.input.adds * cols * 64 + t.weight.adds * 128 * 64 + t.output.adds * cols * 128);
    CHECK(ff.transform_const_mults ==
          t.input.const_mults * cols * 64 + t.weight.const_mults * 128 * 64 + t.output.const_mults * cols * 128);
    const std::int64_t covered = (56 + 2) * (56 + 2);  // 56 is a multiple of m: the tiles cover 58 x 58
    CHECK(bp.transform_adds ==
          t.grad_output.adds * cols * 128 + t.grad_input.adds * cols * 64 + 2 * 64 * (tiles * pos - covered));
    CHECK(wu.transform_adds ==
          t.input.adds * cols * 64 + t.grad_output.adds * cols * 128 + t.weight_grad.adds * 128 * 64);
  }
}

TEST_CASE("ragged outputs take ceil(Ho/m) x ceil(Wo/m) tiles") {
  Layer l = conv3x3(8, 8, 7);  // Ho = Wo = 7
  CHECK(winograd_tiles(l, ConvAlgorithm::Winograd2x2) == 16);
  CHECK(winograd_tiles(l, ConvAlgorithm::Winograd4x4) == 4);
  l.pad = 0;  // Ho = 5
  CHECK(winograd_tiles(l, ConvAlgorithm::Winograd2x2) == 9);
}

TEST_CASE("eligibility: 3x3, stride 1, one group, conv") {
  Layer l = conv3x3(8, 8, 8);
  CHECK(winograd_ineligible_reason(l).empty());
  l.stride = 2;
  CHECK(winograd_ineligible_reason(l).find("stride") != std::string::npos);
  l.stride = 1, l.kh = l.kw = 1;
  CHECK(winograd_ineligible_reason(l).find("1x1") != std::string::npos);
  l.kh = l.kw = 3, l.groups = 8;
  CHECK(winograd_ineligible_reason(l).find("groups") != std::string::npos);
  l.groups = 1, l.kind = LayerKind::FullyConnected;
  CHECK(!winograd_ineligible_reason(l).empty());
}

TEST_CASE("fill-in of the transformed weights: exact on a mask, analytic for uniform masks") {
  // Kernel 0 keeps only g[0][0], which column 0 of G spreads to rows {0,1,2}: 9 of 16 positions. Kernel 1
  // keeps only g[1][1]: column 1 of G is non-zero in rows {1,2}: 4 positions.
  Mask m({2, 1, 3, 3});
  m.set(0, true);
  m.set(9 + 4, true);
  CHECK(transformed_weight_density(m, ConvAlgorithm::Winograd2x2) == Approx(13.0 / 32.0));
  // F(4x4,3x3): column 0 of G is non-zero in rows 0..4 (25 of 36), column 1 in rows 1..4 (16 of 36).
  CHECK(transformed_weight_density(m, ConvAlgorithm::Winograd4x4) == Approx(41.0 / 72.0));
  // A uniform random mask at density 0.3: its exact fill-in matches the analytic expectation.
  Rng rng(5);
  const Mask u = masks::uniform({64, 64, 3, 3}, 0.3, rng);
  for (ConvAlgorithm a : {ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4})
    CHECK(transformed_weight_density(u, a) == Approx(fill_in_density(a, 'U', u.density())).margin(0.01));
  // Supports of G's rows for F(2x2,3x3): 1, 3, 3, 1.
  const double d = 0.3;
  double want = 0.0;
  for (int si : {1, 3, 3, 1})
    for (int sj : {1, 3, 3, 1}) want += 1.0 - std::pow(1.0 - d, si * sj);
  CHECK(fill_in_density(ConvAlgorithm::Winograd2x2, 'U', d) == Approx(want / 16.0));
  CHECK(fill_in_density(ConvAlgorithm::Winograd2x2, 'V', 1.0) == Approx(1.0));
  CHECK(fill_in_density(ConvAlgorithm::Winograd4x4, 'M', 0.0) == Approx(0.0));
}

TEST_CASE("workload.conv_algorithm lowers only the eligible convs of ResNet-18") {
  const Config cfg = Config::from_text(
      "accelerator:\n  name: sat\nworkload:\n  network: resnet18\n  batch: 1\n  conv_algorithm: winograd_2x2_3x3\n",
      "t.yaml", {});
  const TrainingStep s = configured_training_step(cfg);
  int wino = 0, direct_3x3_stride2 = 0;
  for (const auto& op : s.ops) {
    if (op.phase != Phase::FF) continue;
    const Layer& l = s.network.layers[static_cast<std::size_t>(op.layer_index)];
    const bool eligible = winograd_ineligible_reason(l).empty();
    CHECK((op.conv_algorithm != ConvAlgorithm::Direct) == eligible);
    wino += eligible;
    direct_3x3_stride2 += l.kh == 3 && l.stride == 2;
  }
  CHECK(wino == 13);  // layer1: 4, layer2-4: 3 each (their first conv has stride 2)
  CHECK(direct_3x3_stride2 == 3);
}

TEST_CASE("Winograd-domain densities apply to the element-wise stage, fill-in otherwise") {
  const std::string base =
      "accelerator:\n  name: sat\nworkload:\n  network: resnet18\n  layers: layer1.0.conv1\n  batch: 1\n"
      "  conv_algorithm: winograd_4x4_3x3\n  sparsity:\n    n: 0\n    m: 0\n";
  const Config sparse = Config::from_text(
      base + "    winograd_weight_density: 0.25\n    winograd_activation_density: 0.4\n", "t.yaml", {});
  const TrainingStep s = configured_training_step(sparse);
  CHECK(op_of(s, Phase::FF).a_density == Approx(0.25));
  CHECK(op_of(s, Phase::FF).b_density == Approx(0.4));
  CHECK(op_of(s, Phase::WU).b_density == Approx(0.4));
  CHECK(op_of(s, Phase::BP).a_density == Approx(0.25));
  // Spatial pruning at 0.3 (magnitude masks): the exact fill-in of the layer's own mask, far above 0.3.
  const Config spatial = Config::from_text(base + "    weight_density: 0.3\n", "t.yaml", {});
  const TrainingStep p = configured_training_step(spatial);
  const GemmOp& ff = op_of(p, Phase::FF);
  const double u = ff.a_density;
  CHECK(u == Approx(transformed_weight_density(weight_mask(p.network, ff.layer_index, Phase::FF, 1),
                                               ConvAlgorithm::Winograd4x4)));
  CHECK(u > 0.5);  // the uniform estimate is 0.75
  CHECK(u < 1.0);
  const Layer& l = p.network.layers[static_cast<std::size_t>(ff.layer_index)];
  CHECK(ff.direct_density == Approx(0.3 * l.sparsity.activation_density));
  CHECK(op_of(p, Phase::BP).a_density == Approx(u));
}

TEST_CASE("a layer's algorithm: overrides workload.conv_algorithm both ways") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("sparsim-wino-override-" + std::to_string(::getpid()) + ".yaml"))
          .string();
  std::ofstream(path) << "name: three\nlayers:\n"
                         "  - {name: a, type: conv, cin: 8, cout: 8, hw: 8, kernel: 3, pad: 1}\n"
                         "  - {name: b, type: conv, cin: 8, cout: 8, hw: 8, kernel: 3, pad: 1, algorithm: direct}\n"
                         "  - {name: c, type: conv, cin: 8, cout: 8, hw: 8, kernel: 3, pad: 1, algorithm: "
                         "winograd_4x4_3x3}\n";
  auto algorithms = [&](const std::string& config_alg) {
    const Config cfg = Config::from_text(
        "workload:\n  network: " + path + "\n  phases: FF\n  conv_algorithm: " + config_alg + "\n", "t.yaml", {});
    std::string out;
    for (const auto& op : configured_training_step(cfg).ops)
      out += std::string(conv_algorithm_name(op.conv_algorithm)) + " ";
    return out;
  };
  CHECK(algorithms("direct") == "direct direct winograd_4x4_3x3 ");
  CHECK(algorithms("winograd_2x2_3x3") == "winograd_2x2_3x3 direct winograd_4x4_3x3 ");
  std::filesystem::remove(path);
}

// N:M in the Winograd domain: the layer's pattern prunes U per tile position (along Cin in FF, along Cout
// in BP), so the element-wise GEMMs carry it and an N:M datapath runs them sparse; WU's dM stays dense.
TEST_CASE("an N:M layer lowered to Winograd carries its pattern in the Winograd domain") {
  const std::string base =
      "accelerator:\n  name: sat\nworkload:\n  network: resnet18\n  layers: layer1.0.conv1\n  batch: 1\n"
      "  conv_algorithm: winograd_2x2_3x3\n  sparsity:\n    n: 2\n    m: 8\n";
  const TrainingStep s = configured_training_step(Config::from_text(base, "t.yaml", {}));
  for (Phase p : {Phase::FF, Phase::BP}) {
    CHECK(op_of(s, p).a_nm.n == 2);
    CHECK(op_of(s, p).a_nm.m == 8);
    CHECK(op_of(s, p).a_density == Approx(0.25));  // N/M x a dense spatial kernel's U (density 1)
  }
  CHECK(op_of(s, Phase::FF).K == 64);  // along Cin
  CHECK(op_of(s, Phase::BP).K == 64);  // along Cout (64 -> 64 here)
  CHECK_FALSE(op_of(s, Phase::WU).a_nm.active());
  // With a Winograd-domain density on top: N/M times it.
  const TrainingStep d =
      configured_training_step(Config::from_text(base + "    winograd_weight_density: 0.5\n", "t.yaml", {}));
  CHECK(op_of(d, Phase::FF).a_density == Approx(0.125));
}
