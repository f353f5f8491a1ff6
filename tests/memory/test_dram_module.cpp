// The SystemC DRAM block as models use it: blocks with addresses from requester threads.
#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

#include "models/memory/dram_module.hpp"
#include "tests/memory/memory_harness.hpp"
#include "tests/support/in_child.hpp"

using namespace memory_test;
using sparsim::TimingMode;

namespace {
// One requester moving `blocks` one transfer after another; returns each transfer's duration in ns.
struct Requester : sc_core::sc_module {
  Requester(sc_core::sc_module_name n, const DramSpec& s, TimingMode mode,
            std::vector<std::vector<DramModule::Block>> b)
      : sc_module(n), dram("dram", s, mode, registry), blocks(std::move(b)) {
    SC_HAS_PROCESS(Requester);
    SC_THREAD(run);
  }
  void run() {
    for (const auto& t : blocks) {
      const sc_core::sc_time t0 = sc_core::sc_time_stamp();
      dram.transfer(t);
      durations.push_back((sc_core::sc_time_stamp() - t0).to_seconds() * 1e9);
    }
  }
  sparsim::StatsRegistry registry;
  DramModule dram;
  std::vector<std::vector<DramModule::Block>> blocks;
  std::vector<double> durations;
};

std::string simulate(const DramSpec& s, TimingMode mode, const std::vector<std::vector<DramModule::Block>>& blocks) {
  Requester r("r", s, mode, blocks);
  sc_core::sc_start();
  std::ostringstream out;
  for (double d : r.durations) out << d << " ";
  return out.str();
}

std::vector<double> parse(const std::string& s) {
  std::istringstream in(s);
  std::vector<double> v;
  double x = 0;
  while (in >> x) v.push_back(x);
  return v;
}
}  // namespace

TEST_CASE("dram module: a lone read takes tRCD + CL + burst in both modes") {
  DramSpec s = tiny_spec();
  s.tck_ns = 1.0;
  const std::vector<std::vector<DramModule::Block>> one = {{{addr(s, 0, 0, 3, 0), 1, 64, 64, false}}};
  const auto detailed = parse(sparsim::test_support::in_child([&] { return simulate(s, TimingMode::Detailed, one); }));
  const auto fast = parse(simulate(s, TimingMode::Fast, one));
  REQUIRE(detailed.size() == 1);
  CHECK(detailed[0] == s.tRCD + s.CL + s.burst_cycles());
  CHECK(fast[0] == detailed[0]);
}

TEST_CASE("dram module: fast and detailed modes on small and large blocks (bounds of docs/memory.md)") {
  DramSpec s = *dram_preset("LPDDR4_3200");
  s.tck_ns = 1.25;  // not a whole number of ps: the module's clock crossing must not lose cycles
  std::vector<std::vector<DramModule::Block>> transfers;
  transfers.push_back({{0, 64, 100, 4096, false}});  // a 2-D tile, first, on idle banks
  for (std::uint64_t bytes : {64u, 256u, 1024u, 4096u, 65536u, 1u << 20})
    transfers.push_back({{bytes * 7, 1, bytes, bytes, false}});
  transfers.push_back({{0, 64, 100, 4096, false}});                                  // a 2-D tile
  transfers.push_back({{1u << 22, 16, 256, 256, true}});                             // a store
  transfers.push_back({{0, 64, 100, 4096, false}, {1u << 22, 16, 256, 256, true}});  // both at once
  const auto detailed =
      parse(sparsim::test_support::in_child([&] { return simulate(s, TimingMode::Detailed, transfers); }));
  const auto fast = parse(simulate(s, TimingMode::Fast, transfers));
  REQUIRE(detailed.size() == transfers.size());
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    INFO("transfer " << i << ": fast " << fast[i] << " ns, detailed " << detailed[i] << " ns");
    CHECK(fast[i] == Approx(detailed[i]).epsilon(0.10));
  }
}

// Fast mode serves a long block on a sample of its bursts and extrapolates the rest. The extrapolated row
// events keep the identities of a real count: every column access is a hit, a miss or a conflict; every
// miss and conflict opens a row; and, beyond the rows open at the end, every opened row is closed. With a
// refresh inside many samples (a small sample, refresh on) these used to break by thousands: the sample's
// extra precharges (a refresh closes every bank) were scaled with the rest.
TEST_CASE("dram module: fast mode's extrapolated row events keep the counts' identities") {
  const std::string out = sparsim::test_support::in_child([] {
    DramSpec s = *dram_preset("DDR4_3200");
    std::vector<std::vector<DramModule::Block>> transfers;
    std::uint64_t bursts = 0;
    for (int i = 0; i < 120; ++i) {
      transfers.push_back({{static_cast<std::uint64_t>(i % 7) << 24, 1, 1u << 20, 1u << 20, false}});
      transfers.push_back({{(static_cast<std::uint64_t>(i % 5) << 24) + (1u << 28), 64, 4096, 8192, true}});
      bursts += ((1u << 20) + 64 * 4096) / static_cast<std::uint64_t>(s.burst_bytes());
    }
    Requester r("r", s, TimingMode::Fast, transfers);
    r.dram.set_steady_state_sample(64);
    sc_core::sc_start();
    const DramStats t = r.dram.totals();
    std::ostringstream o;
    o << t.activates << " " << t.precharges << " " << t.row_hits << " " << t.row_misses << " " << t.row_conflicts << " "
      << t.refreshes << " " << bursts << " " << s.channels * s.ranks * s.bankgroups * s.banks_per_group;
    return o.str();
  });
  std::istringstream in(out);
  std::uint64_t act = 0, pre = 0, hits = 0, misses = 0, conflicts = 0, refreshes = 0, bursts = 0, banks = 0;
  in >> act >> pre >> hits >> misses >> conflicts >> refreshes >> bursts >> banks;
  INFO(out);
  REQUIRE(refreshes > 100);  // refreshes fall inside the samples
  CHECK(act == misses + conflicts);
  CHECK(hits + misses + conflicts == bursts);
  CHECK(act >= pre);
  CHECK(act - pre <= banks);
}
