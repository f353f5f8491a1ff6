// The Cartesian-product scatter computes each convolution exactly: SCNN's outputs (after halo exchange,
// across ragged tiles and row chunks) equal a dense reference convolution of the same masked values.
#include <catch2/catch.hpp>

#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn::test;

namespace {
void require_all_exact(const RunResults& r, std::size_t expected_jobs) {
  std::size_t checked = 0;
  for (const auto& j : r.jobs) {
    if (j.variant != "scnn") continue;
    INFO("layer " << j.layer << " mapping " << j.mapping.dump());
    REQUIRE(j.functional_checked);
    REQUIRE(j.functional_pass);
    REQUIRE(j.functional_max_abs_error == 0.0);
    ++checked;
  }
  REQUIRE(checked == expected_jobs);
}
}  // namespace

TEST_CASE("scnn functional: strides and padding and kernel sizes and ragged tiles", "[scnn][functional]") {
  const Network net = network_of({
      conv_layer("k3s1p1", 5, 9, 13, 3, 1, 1, 0.5, 0.6),  // 13x13 on 8x8 PEs: ragged 2/1-wide tiles
      conv_layer("k5s1p2", 3, 6, 11, 5, 1, 2, 0.7, 0.8),  // halos two outputs deep
      conv_layer("k3s2p1", 4, 7, 15, 3, 2, 1, 0.6, 0.7),  // strided: products between outputs discarded
      conv_layer("k7s2p3", 3, 5, 20, 7, 2, 3, 0.5, 0.9),
      conv_layer("k11s4p0", 3, 4, 35, 11, 4, 0, 0.8, 1.0),  // AlexNet conv1-like
      conv_layer("k1s1p0", 16, 12, 6, 1, 1, 0, 0.4, 0.5),   // 6x6 plane: PEs without a tile
      conv_layer("k3s1p0", 6, 5, 9, 3, 1, 0, 0.9, 0.9),     // no padding: border products discarded
      conv_layer("k1s2p0", 5, 6, 12, 1, 2, 0, 0.7, 0.8),    // stride beyond the kernel: one phase has weights
      conv_layer("k3s5p1", 4, 5, 23, 3, 5, 1, 0.6, 0.9),    // 3 x 3 of the 5 x 5 phases hold weights
  });
  auto sim = make_sim(net, TimingMode::Fast, true);
  auto unsplit = make_sim(net, TimingMode::Fast, true, {"accelerator.pe.stride_phases=false"});
  run_all({sim.get(), unsplit.get()});
  require_all_exact(sim->results, net.layers.size());
  require_all_exact(unsplit->results, net.layers.size());
  // Pairing by stride phase skips only products that would be discarded: same useful products, fewer issued.
  const auto* split_job = find_job(sim->results, "k3s2p1", "scnn");
  const auto* plain_job = find_job(unsplit->results, "k3s2p1", "scnn");
  REQUIRE(split_job->issued_macs < plain_job->issued_macs);
  REQUIRE(counter(*split_job, "scnn.mult", "multiplies") - counter(*split_job, "scnn.mult", "discarded") ==
          counter(*plain_job, "scnn.mult", "multiplies") - counter(*plain_job, "scnn.mult", "discarded"));
}

TEST_CASE("scnn functional: temporal row chunks and small accumulators", "[scnn][functional]") {
  // Tiny RAMs force several row chunks, small Kc (several groups) and passes over a short weight FIFO.
  const Network net = network_of({
      conv_layer("big3x3", 8, 20, 40, 3, 1, 1, 0.4, 0.5),
      conv_layer("big5x5s2", 6, 10, 37, 5, 2, 2, 0.5, 0.6),
  });
  auto sim = make_sim(
      net, TimingMode::Fast, true,
      {"accelerator.pe.iaram_bytes=600", "accelerator.pe.oaram_bytes=1000", "accelerator.pe.acc_bank_entries=4",
       "accelerator.pe.weight_fifo_entries=6", "accelerator.grid.rows=4", "accelerator.grid.cols=3"});
  run_all({sim.get()});
  require_all_exact(sim->results, 2);
  for (const auto& j : sim->results.jobs)
    if (j.variant == "scnn") {
      INFO(j.mapping.dump());
      REQUIRE(j.mapping["chunks"].get<int>() > 1);
      REQUIRE(j.mapping["groups"].get<int>() > 1);
    }
}

TEST_CASE("scnn functional: batch of images and a fully connected layer", "[scnn][functional]") {
  Layer fcl = fc("fc", 40, 10);
  fcl.sparsity.weight_density = 0.3;
  const Network net = network_of({conv_layer("c", 4, 6, 9, 3, 1, 1, 0.5, 0.5), fcl});
  auto sim = make_sim(net, TimingMode::Fast, true, {}, 2);
  run_all({sim.get()});
  require_all_exact(sim->results, 2);
}
