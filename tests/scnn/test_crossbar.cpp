// The scatter crossbar as structure (crossbar.hpp): bank queues, one product per bank per cycle, the array's
// issue rule, and the coordinate unit's routing; and the values that flow through it in a whole run.
#include <catch2/catch.hpp>

#include "models/scnn/crossbar.hpp"
#include "models/scnn/pe_cursor.hpp"
#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn;
using namespace sparsim::scnn::test;

TEST_CASE("scnn crossbar: each bank takes one product per cycle in arrival order", "[scnn][crossbar]") {
  Accumulator acc;
  acc.reset(16, 4, true);
  Crossbar x;
  x.reset(4, 6);
  for (int i = 0; i < 3; ++i) x.push(1, {i, 10 * (i + 1)});  // three for bank 1
  x.push(2, {5, 7});                                         // one for bank 2
  REQUIRE_FALSE(x.accepts(0));
  REQUIRE_FALSE(x.accepts(2));
  REQUIRE(x.accepts(3));
  x.retire(acc);  // bank 1 takes entry 0, bank 2 entry 5
  REQUIRE(acc.values[0] == 10);
  REQUIRE(acc.values[5] == 7);
  REQUIRE(acc.values[1] == 0);
  REQUIRE(x.occupancy(1) == 2);
  REQUIRE(x.occupancy(2) == 0);
  REQUIRE(x.accepts(2));
  REQUIRE_FALSE(x.accepts(1));
  x.retire(acc);
  x.retire(acc);
  REQUIRE(x.empty());
  REQUIRE(acc.values[1] == 20);
  REQUIRE(acc.values[2] == 30);
  REQUIRE(acc.touched[2] == 1);
  REQUIRE(acc.touched[3] == 0);
}

TEST_CASE("scnn crossbar: the coordinate unit routes a pair to banks by position and channel", "[scnn][crossbar]") {
  // One PE owning outputs 0..7 x 0..7 of a 3x3 stride-1 pad-1 layer; bank = (pos mod 8) * 4 + k mod 4.
  PeFrame f;
  f.own_y = f.acc_y = f.valid_y = {0, 8};
  f.own_x = f.acc_x = f.valid_x = {0, 8};
  ArrayShape x;
  x.pad = 1;
  x.kc = 4;
  x.set_banks(32, 4);
  Crossbar xbar;
  xbar.reset(32, 16);
  PeTally t;
  // Two activations in one row, two weights: (k 0, r 1, s 1) and (k 1, r 0, s 0).
  const ActEntry a[2] = {{3, 3, 2}, {3, 4, 3}};
  const WtEntry w[2] = {{0, 1, 1, 5}, {1, 0, 0, -1}};
  route_products(a, 2, w, 2, f, x, true, xbar, t);
  REQUIRE(t.products == 4);
  REQUIRE(t.valid == 4);
  // (3,3)*(k0,1,1) -> output (3,3), pos 27, bank (27 mod 8)*4 + 0 = 12; (3,3)*(k1,0,0) -> (4,4), pos 36, bank 17;
  // (3,4)*(k0,1,1) -> (3,4), pos 28, bank 16; (3,4)*(k1,0,0) -> (4,5), pos 37, bank 21.
  REQUIRE(xbar.occupancy(12) == 1);
  REQUIRE(xbar.occupancy(17) == 1);
  REQUIRE(xbar.occupancy(16) == 1);
  REQUIRE(xbar.occupancy(21) == 1);
  Accumulator acc;
  acc.reset(64 * 4, 32, true);
  xbar.retire(acc);
  REQUIRE(xbar.empty());
  REQUIRE(acc.values[27 * 4 + 0] == 10);
  REQUIRE(acc.values[36 * 4 + 1] == -2);
  REQUIRE(acc.values[28 * 4 + 0] == 15);
  REQUIRE(acc.values[37 * 4 + 1] == -3);
  // A product landing outside the valid range (the padding border) is multiplied and dropped.
  const ActEntry edge[1] = {{0, 0, 1}};
  route_products(edge, 1, w, 1, f, x, true, xbar, t);  // (0,0)*(k0,1,1) -> output (0,0): kept
  const WtEntry far[1] = {{2, 2, 2, 1}};
  route_products(edge, 1, far, 1, f, x, true, xbar, t);  // (0,0)*(k2,2,2) -> output (-1,-1): dropped
  REQUIRE(t.products == 6);
  REQUIRE(t.valid == 5);
}

TEST_CASE("scnn crossbar: a pair whose products share a bank holds the array until the queue drains",
          "[scnn][crossbar]") {
  // One channel, four activations at one position and four weights of one output channel at one (r, s):
  // all 16 products go to the same accumulator entry, so to one bank: 16 cycles, 15 of them stalls.
  PeFrame f;
  f.own_y = f.acc_y = f.valid_y = {0, 4};
  f.own_x = f.acc_x = f.valid_x = {0, 4};
  ArrayShape x;
  x.kc = 1;
  x.set_banks(32, 4);
  std::vector<ActEntry> acts(4, ActEntry{1, 1, 1});
  std::vector<WtEntry> wts(4, WtEntry{0, 0, 0, 2});
  const std::vector<std::int64_t> ao = {0, 4}, wo = {0, 4};
  const PeOperands op{&acts, &ao, &wts, &wo, 1};
  for (int depth : {0, 4}) {
    x.queue_depth = depth;
    Accumulator fast_acc, det_acc;
    fast_acc.reset(16, 32, true);
    det_acc.reset(16, 32, true);
    const PeTally fast = run_group_fast(op, f, x, fast_acc);
    PeCursor cursor(op, f, x, det_acc);
    while (!cursor.done()) cursor.tick();
    INFO("queue depth " << depth);
    REQUIRE(cursor.tally() == fast);
    REQUIRE(fast.cycles == 16);
    REQUIRE(fast.conflict_cycles == 15);
    REQUIRE(det_acc.values[5] == 32);
    REQUIRE(fast_acc.values[5] == 32);
  }
}

TEST_CASE("scnn crossbar: values flow through the detailed bank queues", "[scnn][crossbar][functional]") {
  // Few banks and queues ahead of them: many conflicts, products held in the queues across cycles.
  const Network net = network_of({
      conv_layer("k3s1p1", 5, 9, 13, 3, 1, 1, 0.6, 0.7),
      conv_layer("k3s2p1", 4, 7, 15, 3, 2, 1, 0.6, 0.7),
  });
  auto sim =
      make_sim(net, TimingMode::Detailed, true, {"accelerator.pe.acc_banks=6", "accelerator.pe.bank_queue_depth=2"}, 1,
               {Phase::FF, Phase::BP, Phase::WU});
  run_all({sim.get()});
  int checked = 0;
  for (const JobResult& j : sim->results.jobs) {
    if (j.variant != "scnn") continue;
    INFO(j.layer << " " << phase_name(j.phase));
    REQUIRE(j.functional_checked);
    REQUIRE(j.functional_pass);
    REQUIRE(counter(j, "scnn.mult", "conflict_pe_cycles") > 0);
    ++checked;
  }
  REQUIRE(checked == 6);
}
