// The fast mode is separate code (in-order, closed-form command times); its error against the detailed
// controller is measured here on a suite of traces with stated bounds, which fail if either side changes
// its behaviour beyond them. docs/memory.md has the table (bench/memory/fast_vs_detailed.sh).
#include <catch2/catch.hpp>

#include <cmath>

#include "tests/memory/memory_harness.hpp"

using namespace memory_test;

namespace {
double error(const ReplayResult& fast, const ReplayResult& detailed) {
  return std::abs(static_cast<double>(fast.cycles) - static_cast<double>(detailed.cycles)) /
         static_cast<double>(detailed.cycles);
}
}  // namespace

TEST_CASE("dram fast mode: identical on a single access and on a lone conflict") {
  const DramSpec s = tiny_spec();
  for (const auto& t :
       std::vector<std::vector<TraceRequest>>{{{addr(s, 0, 0, 5, 0), false, 0}},
                                              {{addr(s, 0, 0, 5, 0), false, 0}, {addr(s, 0, 0, 6, 0), false, 0}},
                                              {{addr(s, 0, 0, 5, 0), true, 0}}}) {
    CHECK(replay_fast(s, t).cycles == replay_detailed(s, t).cycles);
  }
}

TEST_CASE("dram fast mode: streaming within 1 % of the detailed controller on every preset") {
  for (const std::string& name : dram_preset_names()) {
    DramSpec s = *dram_preset(name);
    // One channel of a GPU preset streams a page within one bank group (tCCD_L bound), where the detailed
    // controller overlaps the next page's bank group and the in-order fast mode does not (next test).
    if (s.hash_channels) s.address_mapping = "rorabacochbg";
    s.channels = 1;
    INFO(name);
    for (bool write : {false, true}) {
      const auto t = sequential(s, 20000, write);
      const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
      INFO((write ? "writes" : "reads") << ": fast " << f.cycles << " detailed " << d.cycles);
      CHECK(error(f, d) < 0.01);
      CHECK(f.stats.activates == Approx(d.stats.activates).epsilon(0.05));
    }
  }
}

TEST_CASE("dram fast mode: one GPU HBM channel streaming page by page within 25 %") {
  DramSpec s = *dram_preset("HBM3E_H200");
  s.channels = 1;
  const auto t = sequential(s, 20000, false);
  const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
  INFO("fast " << f.cycles << " detailed " << d.cycles);
  CHECK(error(f, d) < 0.25);
  WARN("HBM3E_H200, one channel, sequential reads: fast " << f.cycles << " detailed " << d.cycles);
}

TEST_CASE("dram fast mode: random and mixed traces within the published bound (15 %)") {
  for (const char* name : {"DDR4_3200", "HBM2"}) {
    const DramSpec s = *dram_preset(name);
    for (double w : {0.0, 1.0 / 3}) {
      const auto t = random_trace(s, 20000, w, 3);
      const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
      INFO(name << " writes " << w << ": fast " << f.cycles << " detailed " << d.cycles);
      CHECK(error(f, d) < 0.15);
    }
  }
}

TEST_CASE("dram fast mode: rate-limited streams are bounded by the issue rate in both modes") {
  const DramSpec s = *dram_preset("DDR4_3200");
  const auto t = sequential(s, 5000, false, 8);
  const ReplayResult f = replay_fast(s, t), d = replay_detailed(s, t);
  const std::int64_t last_issue = 4999 * 8;
  CHECK(d.cycles > last_issue);
  CHECK(d.cycles < last_issue + 200);
  CHECK(error(f, d) < 0.01);
}
