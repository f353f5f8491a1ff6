// The mapper: legal mappings only, a schedule that covers every output exactly once, and DRAM reuse
// that follows the loop order.
#include <catch2/catch.hpp>

#include <map>
#include <tuple>

#include "dataflows/sat/sat_mapper.hpp"

using namespace sparsim::sat;

TEST_CASE("sat: mapper: chosen GLB tiles fit both double-buffered buffers") {
  Hw hw;
  for (Nm nm : {Nm{}, Nm{2, 8}, Nm{1, 2}}) {
    const Problem p{512, 4608, 196, 1, nm};
    const Mapping m = map_op(hw, p);
    CHECK(fits(hw, p, m.stationarity, m.mg, m.kg, m.ng));
    CHECK(m.candidates > 1);
    CHECK(m.estimate_cycles > 0);
  }
}

TEST_CASE(
    "sat: mapper: every loop order's tile sequence covers each m-k-n tile once and stores each block once finally") {
  Hw hw;
  const Problem p{100, 700, 90, 2, Nm{2, 8}};
  for (const auto& order : std::vector<std::array<char, 3>>{{'m', 'n', 'k'}, {'k', 'm', 'n'}, {'n', 'k', 'm'}}) {
    Mapping m;
    m.mg = 32;
    m.kg = 256;
    m.ng = 40;
    m.order = order;
    estimate(hw, p, m);
    const TileSequence seq(p, m);
    std::map<std::tuple<long, long, long, long>, int> seen;
    std::map<std::tuple<long, long, long>, int> finals;
    long macs = 0;
    for (i64 g = 0; g < seq.size(); ++g) {
      const GlbTile t = seq.at(g);
      ++seen[{t.instance, t.im, t.ik, t.in}];
      if (t.run_end && t.final_k) ++finals[{t.instance, t.im, t.in}];
      if (t.run_end && !t.final_k) CHECK(!t.final_k);
      macs += t.ml * t.kl * t.nl;
    }
    CHECK(seen.size() == static_cast<std::size_t>(seq.size()));
    CHECK(finals.size() == static_cast<std::size_t>(2 * m.tm * m.tn));
    CHECK(macs == p.M * p.K * p.N * p.instances);
  }
}

TEST_CASE("sat: mapper: k innermost never spills partial sums; k outermost reloads them") {
  Hw hw;
  const Problem p{64, 1024, 128, 1, Nm{}};
  auto spills = [&](std::array<char, 3> order) {
    Mapping m;
    m.mg = 32;
    m.kg = 256;
    m.ng = 64;
    m.order = order;
    estimate(hw, p, m);
    const TileSequence seq(p, m);
    int psum_loads = 0;
    for (i64 g = 0; g < seq.size(); ++g) psum_loads += seq.at(g).load_psum;
    return psum_loads;
  };
  CHECK(spills({'m', 'n', 'k'}) == 0);
  CHECK(spills({'k', 'm', 'n'}) == 2 * 2 * 3);  // 2 x 2 blocks, reloaded at k = 1, 2, 3
}

// The DRAM estimate sees which channels a block's addresses reach (DRAMSim3's default order puts a whole
// 256 KiB run on one channel before the next takes over).
TEST_CASE("sat: mapper: a block's busiest channel share follows the address map") {
  Hw hw;
  hw.dram_channels = 4;
  hw.dram_run_bytes = 256 << 10;
  CHECK(busiest_channel_share(hw, 64, 1024, 1024) == 1.0);                       // 64 KiB: one run
  CHECK(busiest_channel_share(hw, 1024, 1024, 1024) == Approx(0.25));            // 1 MiB: four runs
  CHECK(busiest_channel_share(hw, 1536, 1024, 1024) == Approx(0.5 / 1.5));       // six runs: two on ch 0, 1
  CHECK(busiest_channel_share(hw, 4, 64, 1024 << 10) == 1.0);                    // pitch = 4 runs: all on ch 0
  CHECK(busiest_channel_share(hw, 4, 64, 256 << 10) == Approx(0.25));            // pitch = 1 run: round robin
  CHECK(busiest_channel_share(hw, 256, 64, 1024) == 1.0);                        // sparse rows within one run
  CHECK(busiest_channel_share(hw, 512, 64, 1024) == Approx(0.5).epsilon(0.01));  // ... and over two
  hw.dram_run_bytes = 0;                                                         // fine interleave
  CHECK(busiest_channel_share(hw, 64, 1024, 1024) == Approx(0.25));
  hw.dram_channels = 1;
  CHECK(busiest_channel_share(hw, 64, 1024, 1024) == 1.0);
}

TEST_CASE("sat: mapper: a tile on one channel takes that channel's time, not the module's peak") {
  Hw coarse, fine;
  coarse.dram_channels = fine.dram_channels = 4;
  coarse.dram_run_bytes = 256 << 10;
  fine.dram_run_bytes = 0;
  // 64 KiB on one channel of four: four times as long as when spread.
  CHECK(block_dram_cycles(coarse, 64, 1024, 1024) == Approx(4 * block_dram_cycles(fine, 64, 1024, 1024)));
  // A DRAM-bound op (little reuse): the estimate with coarse runs is higher, and the mapper still
  // returns a legal mapping for it.
  const Problem p{64, 64, 100000, 1, Nm{}};
  const Mapping a = map_op(coarse, p), b = map_op(fine, p);
  CHECK(a.estimate_dram_cycles > b.estimate_dram_cycles);
  CHECK(fits(coarse, p, a.stationarity, a.mg, a.kg, a.ng));
}
