// Fast mode's reuse of identical jobs (accelerator.sim.reuse_identical_gemms): which jobs take an earlier
// job's array part, that the twin is identical, and what the reuse costs in accuracy.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "tests/sat/sat_harness.hpp"

using namespace sat_test;

namespace {
const char* kArray = R"(  array: {rows: 16, cols: 16, pe_multipliers: 2, max_m: 8}
memory:
  dram: {preset: DDR4_3200, channels: 2}
workload:
  sparsity: {n: 2, m: 8}
)";

// A layer unlike the others, then three identical ones (as a ResNet stage repeats its blocks).
TrainingStep repeated_step() {
  return step_of(net_of({conv("a", 64, 128, 14, 3, 1, 1), conv("b1", 128, 128, 14, 3, 1, 1),
                         conv("b2", 128, 128, 14, 3, 1, 1), conv("b3", 128, 128, 14, 3, 1, 1)}),
                 2, 8, 2, {Phase::FF, Phase::BP, Phase::WU});
}

std::size_t index_of(const RunResults& r, const std::string& variant, Phase phase, const std::string& layer) {
  for (std::size_t i = 0; i < r.jobs.size(); ++i)
    if (r.jobs[i].variant == variant && r.jobs[i].phase == phase && r.jobs[i].layer == layer) return i;
  throw std::runtime_error("no such job");
}

bool reused(const JobResult& j) { return j.mapping.contains("reused_from_job"); }

// "variant phase cycles reused-jobs" per variant and phase.
std::string phase_totals(const RunResults& r) {
  std::map<std::pair<std::string, std::string>, std::pair<std::uint64_t, int>> t;
  for (const auto& j : r.jobs) {
    auto& e = t[{j.variant, phase_name(j.phase)}];
    e.first += j.cycles;
    e.second += reused(j) ? 1 : 0;
  }
  std::ostringstream os;
  for (const auto& [k, v] : t) os << k.first << " " << k.second << " " << v.first << " " << v.second << "\n";
  return os.str();
}
}  // namespace

TEST_CASE("sat reuse: an identical job takes its twin's array part and the step stays within 1 % of simulating all") {
  const std::string off = in_child([] {
    return phase_totals(
        simulate(config(kArray, {"accelerator.sim.reuse_identical_gemms=false"}), repeated_step(), TimingMode::Fast));
  });
  const RunResults r = simulate(config(kArray), repeated_step(), TimingMode::Fast);
  int count = 0;
  for (const auto& j : r.jobs) {
    if (!reused(j)) continue;
    ++count;
    const JobResult& twin = r.jobs.at(j.mapping["reused_from_job"].get<std::size_t>());
    INFO(j.variant << " " << j.layer << " " << phase_name(j.phase) << " from " << twin.layer);
    CHECK_FALSE(reused(twin));
    CHECK(twin.variant == j.variant);
    CHECK(twin.phase == j.phase);
    CHECK(twin.layer != j.layer);
    CHECK(twin.layer.rfind("b", 0) == 0);  // only the repeated layers have twins
    CHECK(j.issued_macs == twin.issued_macs);
    CHECK(counter(j, "array", "busy_cycles") == counter(twin, "array", "busy_cycles"));
    CHECK(counter(j, "dram", "read_bytes") == counter(twin, "dram", "read_bytes"));
  }
  // Two of the three repeats in each variant and phase could reuse; the mask unit's state rules some out.
  CHECK(count >= 8);
  CHECK(count <= 12);
  // Per variant and phase, the cycles agree with a run that simulates every job.
  std::istringstream a(off), b(phase_totals(r));
  std::string va, pa, vb, pb;
  std::uint64_t ca = 0, cb = 0;
  int ra = 0, rb = 0, lines = 0;
  while (a >> va >> pa >> ca >> ra && b >> vb >> pb >> cb >> rb) {
    INFO(va << " " << pa << ": " << ca << " simulated, " << cb << " with reuse");
    CHECK(va == vb);
    CHECK(pa == pb);
    CHECK(ra == 0);
    CHECK(std::abs(static_cast<double>(cb) - static_cast<double>(ca)) <= 0.01 * static_cast<double>(ca));
    ++lines;
  }
  CHECK(lines == 6);
}

TEST_CASE("sat reuse: a sparse BP job reuses only a twin that began beside the same mask-unit work") {
  const RunResults r = simulate(config(kArray), repeated_step(), TimingMode::Fast);
  // Backward order: b3, b2, b1. BP(b3) begins with the unit idle (it follows the FF jobs and the dense
  // layers' end), BP(b2) beside the queued masks of b3, BP(b1) beside those of b2: equal to BP(b2)'s.
  const JobResult& b1 = r.jobs[index_of(r, "sparse", Phase::BP, "b1")];
  REQUIRE(reused(b1));
  CHECK(b1.mapping["reused_from_job"].get<std::size_t>() == index_of(r, "sparse", Phase::BP, "b2"));
  CHECK_FALSE(reused(r.jobs[index_of(r, "sparse", Phase::BP, "b2")]));
}

TEST_CASE("sat reuse: none in detailed mode or when switched off or when no job is long enough") {
  const auto count = [](const RunResults& r) {
    int n = 0;
    for (const auto& j : r.jobs) n += reused(j) ? 1 : 0;
    return std::to_string(n);
  };
  const auto step = [] {
    return step_of(net_of({fc("x1", 256, 256), fc("x2", 256, 256), fc("x3", 256, 256)}), 2, 8, 16, {Phase::FF});
  };
  CHECK(in_child([&] { return count(simulate(config(kArray), step(), TimingMode::Fast)); }) == "4");
  CHECK(in_child([&] { return count(simulate(config(kArray), step(), TimingMode::Detailed)); }) == "0");
  CHECK(in_child([&] {
          return count(
              simulate(config(kArray, {"accelerator.sim.reuse_identical_gemms=false"}), step(), TimingMode::Fast));
        }) == "0");
  CHECK(count(simulate(config(kArray, {"accelerator.sim.reuse_min_cycles=100000000"}), step(), TimingMode::Fast)) ==
        "0");
}
