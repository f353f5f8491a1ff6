// WU (weight gradient), sparsim's training extension: X-tile-stationary PEs streaming only the dY within
// their tile's reach, with pairs filtered by kernel offset and a cross-PE reduction, compute dW exactly as
// the forward definition does, across strides, padding, ragged tiles, several groups and FIFO passes.
#include <catch2/catch.hpp>

#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn::test;

TEST_CASE("scnn wu: dW equals the dense reference weight gradient", "[scnn][wu][functional]") {
  const Network net = network_of({
      training_layer("k3s1p1", 5, 9, 13, 3, 1, 1, 0.5, 0.6, 0.4),  // ragged tiles
      training_layer("k5s1p2", 3, 6, 11, 5, 1, 2, 0.7, 0.8, 0.5),
      training_layer("k3s2p1", 4, 7, 15, 3, 2, 1, 0.6, 0.7, 0.5),    // strided
      training_layer("k3s2p0", 4, 5, 10, 3, 2, 0, 0.6, 0.7, 0.5),    // a forward row no output reaches
      training_layer("k11s4p0", 3, 4, 37, 11, 4, 0, 0.8, 1.0, 0.7),  // AlexNet conv1-like
      training_layer("k1s1p0", 16, 12, 6, 1, 1, 0, 0.4, 0.5, 0.3),   // 6x6 plane: PEs without a tile
  });
  auto sim = make_sim(net, TimingMode::Fast, true, {}, 1, {Phase::WU});
  auto all = make_sim(net, TimingMode::Fast, true, {}, 2, {Phase::FF, Phase::BP, Phase::WU});
  run_all({sim.get(), all.get()});
  require_phase_exact(sim->results, Phase::WU, net.layers.size());
  require_phase_exact(all->results, Phase::WU, net.layers.size());
  for (const auto& j : all->results.jobs)
    if (j.variant == "scnn") REQUIRE(j.functional_pass);  // FF and BP of the same run stay exact too
}

TEST_CASE("scnn wu: several groups and FIFO passes on a small grid with an fc layer", "[scnn][wu][functional]") {
  Layer fcl = fc("fc", 40, 10);
  fcl.sparsity.gradient_density = 0.5;
  const Network net = network_of({training_layer("big3x3", 8, 20, 40, 3, 1, 1, 0.4, 0.5, 0.5),
                                  training_layer("big5x5s2", 6, 10, 37, 5, 2, 2, 0.5, 0.6, 0.5), fcl});
  auto sim = make_sim(net, TimingMode::Fast, true,
                      {"accelerator.pe.acc_bank_entries=4", "accelerator.pe.weight_fifo_entries=6",
                       "accelerator.grid.rows=4", "accelerator.grid.cols=3"},
                      1, {Phase::WU});
  run_all({sim.get()});
  require_phase_exact(sim->results, Phase::WU, 3);
  const auto* j = find_job(sim->results, "big5x5s2", "scnn");
  INFO(j->mapping.dump());
  REQUIRE(j->mapping["kc"].get<int>() == 128 / 25);   // kc x R x S partial sums fit the accumulators
  REQUIRE(j->mapping["groups"].get<int>() == 2 * 6);  // ceil(10 / 5) channel groups x C
}

TEST_CASE("scnn wu: filtered pairs and useful products and the reduction", "[scnn][wu][timing]") {
  const Network net = network_of({training_layer("l1", 32, 64, 28, 3, 1, 1, 0.4, 0.5, 0.3),
                                  training_layer("l2", 16, 32, 27, 5, 1, 2, 0.4, 0.6, 0.4)});
  auto sim = make_sim(net, TimingMode::Fast, false, {}, 1, {Phase::WU});
  auto slow_links = make_sim(net, TimingMode::Fast, false, {"accelerator.pe.halo_entries_per_cycle=1"}, 1, {Phase::WU});
  run_all({sim.get(), slow_links.get()});
  for (const char* l : {"l1", "l2"}) {
    const auto* s = find_job(sim->results, l, "scnn");
    const auto* o = find_job(sim->results, l, "dcnn-opt");
    const auto* d = find_job(sim->results, l, "dcnn");
    INFO(l << " scnn " << s->cycles << " dcnn " << d->cycles);
    REQUIRE(s->phase == Phase::WU);
    // SCNN issues only pairs that meet in the kernel: exactly the products DCNN-opt does not gate.
    REQUIRE(counter(*s, "scnn.mult", "discarded") == 0);
    REQUIRE(counter(*s, "scnn.mult", "multiplies") == o->issued_macs);
    REQUIRE(counter(*s, "scnn.mult", "wu_filtered") > 0);
    // Every issued product needs a multiplier slot: cycles x 64 PEs x F x I bounds them from above.
    REQUIRE(counter(*s, "scnn.mult", "busy_pe_cycles") * 16 >= counter(*s, "scnn.mult", "multiplies"));
    // Both designs reduce every PE's partial dW block over the other 63 PEs.
    const std::uint64_t dw = l == std::string("l1") ? 64 * 32 * 9 : 32 * 16 * 25;
    REQUIRE(counter(*s, "scnn.halo", "adds") == 63 * dw);
    REQUIRE(counter(*d, "dcnn.halo", "adds") == 63 * dw);
    // The reduction is real work: slower links cost cycles.
    REQUIRE(find_job(slow_links->results, l, "scnn")->cycles > s->cycles);
  }
}
