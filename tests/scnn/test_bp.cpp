// BP (backward data), sparsim's training extension: the Cartesian-product datapath running the transposed
// convolution computes dX exactly as the forward definition does, across strides (dY dilated), padding,
// ragged tiles and row chunks; dY stays inside the ReLU pattern; sparse BP beats dense BP within the bound.
#include <catch2/catch.hpp>
#include <cmath>

#include "models/scnn/bp_data.hpp"
#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn::test;

TEST_CASE("scnn bp: transposed-conv outputs equal the dense reference", "[scnn][bp][functional]") {
  const Network net = network_of({
      training_layer("k3s1p1", 5, 9, 13, 3, 1, 1, 0.5, 0.6, 0.4),  // ragged tiles; next layer's density sets ReLU
      training_layer("k5s1p2", 3, 6, 11, 5, 1, 2, 0.7, 0.8, 0.5),
      training_layer("k3s2p1", 4, 7, 15, 3, 2, 1, 0.6, 0.7, 0.5),  // dY dilated by 2
      training_layer("k3s2p0", 4, 5, 10, 3, 2, 0, 0.6, 0.7, 0.5),  // (10 - 3) mod 2 = 1 row no output reaches
      training_layer("k7s2p3", 3, 5, 20, 7, 2, 3, 0.5, 0.9, 0.6),
      training_layer("k11s4p0", 3, 4, 37, 11, 4, 0, 0.8, 1.0, 0.7),  // AlexNet conv1-like, 2 unreached rows
      training_layer("k1s1p0", 16, 12, 6, 1, 1, 0, 0.4, 0.5, 0.3),   // 6x6 plane: PEs without a tile
      training_layer("k3s1p0", 6, 5, 9, 3, 1, 0, 0.9, 0.9, 0.9),     // pad' = 2
  });
  auto sim = make_sim(net, TimingMode::Fast, true, {}, 1, {Phase::BP});
  auto batch = make_sim(net, TimingMode::Fast, true, {"accelerator.pe.stride_phases=false"}, 2, {Phase::FF, Phase::BP});
  run_all({sim.get(), batch.get()});
  require_phase_exact(sim->results, Phase::BP, net.layers.size());
  require_phase_exact(batch->results, Phase::BP, net.layers.size());
  for (const auto& j : batch->results.jobs)
    if (j.variant == "scnn") REQUIRE(j.functional_pass);  // FF of the same run stays exact too
}

TEST_CASE("scnn bp: row chunks, several groups and FIFO passes", "[scnn][bp][functional]") {
  Layer fcl = fc("fc", 40, 10);
  fcl.sparsity.weight_density = 0.3;
  fcl.sparsity.gradient_density = 0.5;
  const Network net = network_of({training_layer("big3x3", 8, 20, 40, 3, 1, 1, 0.4, 0.5, 0.5),
                                  training_layer("big5x5s2", 6, 10, 37, 5, 2, 2, 0.5, 0.6, 0.5), fcl});
  auto sim = make_sim(
      net, TimingMode::Fast, true,
      {"accelerator.pe.iaram_bytes=600", "accelerator.pe.oaram_bytes=1000", "accelerator.pe.acc_bank_entries=4",
       "accelerator.pe.weight_fifo_entries=6", "accelerator.grid.rows=4", "accelerator.grid.cols=3"},
      1, {Phase::BP});
  run_all({sim.get()});
  require_phase_exact(sim->results, Phase::BP, 3);
  const auto* j = find_job(sim->results, "big3x3", "scnn");
  INFO(j->mapping.dump());
  REQUIRE(j->mapping["chunks"].get<int>() > 1);
  REQUIRE(j->mapping["groups"].get<int>() > 1);
}

TEST_CASE("scnn bp: dY lies inside the ReLU pattern at the gradient density", "[scnn][bp]") {
  using namespace sparsim::scnn;
  const ConvShape f{16, 32, 20, 20, 3, 3, 2, 1};
  Rng wrng(1), arng(2), grng(3);
  const LayerData fwd = make_layer_data(f, {0.5, 0.6, 0.5}, wrng, arng, true);
  const ConvShape t = *bp_shape(f);
  REQUIRE(t.Ho() == f.H);
  REQUIRE(t.Wo() == f.W);
  const BpData b = make_bp_data(fwd, t, {0.5, 0.1, 0.6}, 0.3, grng);
  std::int64_t n = 0;
  for (std::int64_t i = 0; i < b.dy.size(); ++i)
    if (b.dy.get(i)) {
      REQUIRE(fwd.outputs.get(i));
      ++n;
    }
  REQUIRE(std::abs(static_cast<double>(n) / static_cast<double>(b.dy.size()) - 0.3) < 0.03);
  REQUIRE(b.data.inputs.count() == n);                    // dilation adds zeros only
  REQUIRE(!bp_shape(ConvShape{1, 1, 8, 8, 3, 3, 1, 3}));  // pad > R - 1: not covered by the transform
}

TEST_CASE("scnn bp: sparse BP beats dense BP within the ideal bound", "[scnn][bp][timing]") {
  const Network net = network_of({training_layer("l1", 32, 64, 14, 3, 1, 1, 0.4, 0.5, 0.3),
                                  training_layer("l2", 64, 64, 14, 3, 1, 1, 0.4, 0.5, 0.3)});
  auto sim = make_sim(net, TimingMode::Fast, false, {}, 1, {Phase::BP});
  run_all({sim.get()});
  for (const char* l : {"l1", "l2"}) {
    const auto* s = find_job(sim->results, l, "scnn");
    const auto* d = find_job(sim->results, l, "dcnn");
    INFO(l << " scnn " << s->cycles << " dcnn " << d->cycles);
    REQUIRE(s->phase == Phase::BP);
    REQUIRE(s->cycles < d->cycles);
    // Speedup cannot exceed dense MACs / non-zero products (weight x dY density, dY <= ReLU density 0.5).
    REQUIRE(static_cast<double>(d->cycles) / static_cast<double>(s->cycles) <= 1.0 / (0.4 * 0.3) + 1e-9);
    // Useful products equal DCNN-opt's ungated multiplies.
    const auto* o = find_job(sim->results, l, "dcnn-opt");
    REQUIRE(counter(*s, "scnn.mult", "multiplies") - counter(*s, "scnn.mult", "discarded") == o->issued_macs);
  }
}
