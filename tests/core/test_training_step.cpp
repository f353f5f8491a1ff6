// The expansion of a network into FF/BP/WU GEMMs.
#include <catch2/catch.hpp>

#include "workloads/library.hpp"

using namespace sparsim;

TEST_CASE("a conv layer lowers to three GEMMs with the same MAC count and transposed N:M") {
  Network net;
  net.name = "one";
  Layer l = conv("c", 64, 128, 28, 3, 1, 1);
  l.sparsity.nm = {2, 8};
  net.layers.push_back(l);
  const auto step = expand_training_step(net, 4, {Phase::FF, Phase::BP, Phase::WU});
  REQUIRE(step.ops.size() == 3);
  const auto& ff = step.ops[0];
  const auto& bp = step.ops[1];
  const auto& wu = step.ops[2];
  CHECK(ff.phase == Phase::FF);
  CHECK(ff.M == 128);
  CHECK(ff.K == 64 * 9);
  CHECK(ff.N == 4 * 28 * 28);
  CHECK(bp.M == 64 * 9);
  CHECK(bp.K == 128);  // BP reduces over the output channels: the second N:M mask runs along Cout
  CHECK(wu.K == 4 * 28 * 28);
  CHECK(ff.a_nm.n == 2);
  CHECK(bp.a_nm.m == 8);
  CHECK_FALSE(wu.a_nm.active());
  CHECK(ff.macs() == bp.macs());
  CHECK(ff.macs() == wu.macs());
  CHECK(ff.macs() == 4 * l.macs_per_sample());
}

TEST_CASE("no BP for the first layer; BP and WU run in reverse layer order") {
  Network net = load_network("resnet18");
  const auto step = expand_training_step(net, 1, {Phase::FF, Phase::BP, Phase::WU});
  const std::size_t n = net.layers.size();
  CHECK(step.ops.size() == n + (n - 1) + n);
  CHECK(step.ops[n].layer == "fc");
  CHECK(step.ops.back().layer == "conv1");
  CHECK(step.ops.back().phase == Phase::WU);
}

TEST_CASE("grouped convolutions become independent per-group GEMMs") {
  Network net;
  net.name = "dw";
  net.layers.push_back(conv("dw", 32, 32, 56, 3, 1, 1, 32));
  const auto step = expand_training_step(net, 1, {Phase::FF});
  REQUIRE(step.ops.size() == 1);
  CHECK(step.ops[0].instances == 32);
  CHECK(step.ops[0].M == 1);
  CHECK(step.ops[0].K == 9);
  CHECK(step.ops[0].macs() == net.layers[0].macs_per_sample());
}

TEST_CASE("unprunable layers stay dense in every phase") {
  Network net = load_network("resnet18");
  for (auto& l : net.layers) l.sparsity.nm = {2, 4};
  const auto step = expand_training_step(net, 1, {Phase::FF});
  CHECK_FALSE(step.ops.front().a_nm.active());  // conv1: 3 input channels
  CHECK(step.ops.back().a_nm.active());
}
