// Fast mode (steady states advanced in one step) and detailed mode (every cycle) must give identical
// cycles, stalls and counters. The detailed run happens in a forked child, the fast one here.
#include <catch2/catch.hpp>

#include "tests/sat/sat_harness.hpp"

using namespace sat_test;

namespace {
const char* kSmall = "  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n";

void modes_agree(const std::string& yaml, std::vector<std::string> sets, const Network& net, int n, int m,
                 std::int64_t batch) {
  sets.push_back("workload.sparsity.n=" + std::to_string(n));
  sets.push_back("workload.sparsity.m=" + std::to_string(m));
  auto run = [&](TimingMode mode) {
    const Config cfg = config(yaml, sets);
    const TrainingStep step = step_of(net, n, m, batch, {Phase::FF, Phase::BP, Phase::WU});
    return summary(simulate(cfg, step, mode));
  };
  const std::string detailed = in_child([&] { return run(TimingMode::Detailed); });
  const std::string fast = run(TimingMode::Fast);
  REQUIRE(!detailed.empty());
  CHECK(fast == detailed);
}

Network convs() { return net_of({conv("c1", 16, 32, 8, 3, 1, 1), conv("c2", 32, 64, 8, 3, 2, 1), fc("fc", 1024, 10)}); }
}  // namespace

TEST_CASE("sat: fast and detailed modes agree: dense") { modes_agree(kSmall, {}, convs(), 0, 0, 2); }
TEST_CASE("sat: fast and detailed modes agree: 1:2") { modes_agree(kSmall, {}, convs(), 1, 2, 2); }
TEST_CASE("sat: fast and detailed modes agree: 2:4") { modes_agree(kSmall, {}, convs(), 2, 4, 2); }
TEST_CASE("sat: fast and detailed modes agree: 2:8") { modes_agree(kSmall, {}, convs(), 2, 8, 2); }
TEST_CASE("sat: fast and detailed modes agree: 1:8") { modes_agree(kSmall, {}, convs(), 1, 8, 2); }

TEST_CASE("sat: fast and detailed modes agree: ragged tiles") {
  modes_agree(kSmall, {}, net_of({conv("odd", 19, 13, 7, 3, 1, 1), fc("fc", 100, 37)}), 2, 8, 3);
}

TEST_CASE("sat: fast and detailed modes agree: bandwidth-starved GLB") {
  modes_agree(std::string(kSmall) + "  glb: {banks: 2, bank_width_bytes: 16}\n", {}, convs(), 2, 8, 2);
}

TEST_CASE("sat: fast and detailed modes agree: DRAM-bound") {
  modes_agree(std::string(kSmall) + "memory:\n  dram: {bandwidth_bytes_per_cycle: 2, queue_depth: 1}\n", {}, convs(), 2,
              8, 1);
}

TEST_CASE("sat: fast and detailed modes agree: output-stationary") {
  modes_agree(std::string(kSmall) + "  dataflow: output_stationary\n", {}, convs(), 2, 4, 2);
}

TEST_CASE("sat: fast and detailed modes agree: small buffers force many GLB tiles") {
  modes_agree(std::string(kSmall) + "  glb: {capacity_bytes: 16384}\n  obuf: {capacity_bytes: 2048}\n", {}, convs(), 2,
              8, 2);
}

TEST_CASE("sat: fast and detailed modes agree: weight preload bank conflicts") {
  modes_agree(std::string(kSmall) + "  dataflow: weight_stationary\n  glb: {banks: 1, bank_width_bytes: 4}\n", {},
              net_of({fc("fc", 64, 32)}), 2, 4, 8);
}
