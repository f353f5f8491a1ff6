// Timing of the SAT-style model against closed forms and expected stall behaviour.
#include <catch2/catch.hpp>

#include <array>
#include <map>
#include <sstream>

#include "tests/sat/sat_harness.hpp"

using namespace sat_test;

namespace {
// A 4 x 4 weight-stationary array, 1 multiplier per PE, small DRAM and GLB numbers easy to follow.
const char* kTiny = R"(  array: {rows: 4, cols: 4, pe_multipliers: 1, max_m: 8}
  dataflow: weight_stationary
  glb: {capacity_bytes: 65536, banks: 4, bank_width_bytes: 8}
  obuf: {capacity_bytes: 65536}
memory:
  dram: {preset: DDR4_3200, channels: 1, refresh: false}
workload:
  sparsity: {n: 0, m: 0}
)";

std::uint64_t stall_sum(const JobResult& j) {
  std::uint64_t s = 0;
  for (const auto& [k, v] : j.stall_cycles) s += v;
  return s;
}
}  // namespace

TEST_CASE(
    "sat: one dense weight-stationary tile: load + weight load + stream + fill-drain + store match the closed form") {
  const Config cfg = config(kTiny);
  const std::int64_t R = 4, C = 4, S = 20, db = 2, burst = 64, banks = 4, width = 8;
  // FC 4 -> 4, batch 20: FF is out[4 x 20] = W[4 x 4] * X[4 x 20], exactly one array tile.
  const TrainingStep step = step_of(net_of({fc("fc", R, C)}), 0, 0, S, {Phase::FF});
  const RunResults r = simulate(cfg, step, TimingMode::Fast);
  const JobResult& j = job(r, "dense", Phase::FF);
  const std::int64_t weight_load = std::max(R, ((C * R * db + width - 1) / width + banks - 1) / banks);
  const std::int64_t stream = S;  // one column window (4 x 2 bytes) is one bank access: no starvation
  const std::int64_t fill_drain = R + C - 2;
  // DRAM (DDR4-3200, one channel, tCK 0.625 ns at the array's 1 GHz): the load (A and B, 12 bursts) and
  // the store (4 bursts) each pay at least one unloaded access, tRCD + CL + burst = 48 tCK = 30 cycles,
  // and at most that plus every burst behind a row miss (tRP + tRCD + burst = 48 tCK each).
  const std::int64_t dram = static_cast<std::int64_t>(j.stall_cycles.at("dram_bandwidth"));
  CHECK(j.cycles == static_cast<std::uint64_t>(dram + weight_load + stream + fill_drain));
  CHECK(j.stall_cycles.at("fill_drain") == static_cast<std::uint64_t>(weight_load + fill_drain));
  CHECK(dram >= 2 * 30);
  CHECK(j.stall_cycles.at("operand_starvation") == 0);
  CHECK(counter(j, "array", "busy_cycles") == static_cast<std::uint64_t>(S));
  CHECK(j.issued_macs == static_cast<std::uint64_t>(R * C * S));
  // DRAM moves whole bursts: a matrix row occupies the bursts its bytes fall in (rows a pitch apart,
  // matrices at burst-aligned bases), so a 40-byte row may straddle two.
  auto bursts_at = [&](std::int64_t rows, std::int64_t row_bytes) {
    std::int64_t n = 0;
    for (std::int64_t r = 0; r < rows; ++r)
      n += (r * row_bytes + row_bytes + burst - 1) / burst - r * row_bytes / burst;
    return n;
  };
  CHECK(dram <= 2 * 30 + (bursts_at(C, R * db) + bursts_at(R, S * db) + bursts_at(C, S * db)) * 30);
  CHECK(counter(j, "dram", "read_bytes") ==
        static_cast<std::uint64_t>((bursts_at(C, R * db) + bursts_at(R, S * db)) * burst));
  CHECK(counter(j, "dram", "write_bytes") == static_cast<std::uint64_t>(bursts_at(C, S * db) * burst));
}

TEST_CASE("sat: sparse MACs are N/M of dense for 1:2 and 2:4 and 2:8 and 1:8; WU stays dense") {
  for (auto [n, m] : std::vector<std::pair<int, int>>{{1, 2}, {2, 4}, {2, 8}, {1, 8}}) {
    // One process runs one design: each pattern in its own child.
    const std::string out = in_child([n = n, m = m] {
      const Config cfg =
          config("  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n",
                 {"workload.sparsity.n=" + std::to_string(n), "workload.sparsity.m=" + std::to_string(m)});
      const TrainingStep step = step_of(net_of({fc("fc", 256, 16)}), n, m, 8, {Phase::FF, Phase::BP, Phase::WU});
      const RunResults r = simulate(cfg, step, TimingMode::Fast);
      std::ostringstream s;
      for (const auto& j : r.jobs)
        s << j.variant << phase_name(j.phase) << " " << j.dense_macs << " " << j.issued_macs << " "
          << counter(j, "array", "skipped_macs") << "\n";
      return s.str();
    });
    std::istringstream in(out);
    std::string tag;
    std::uint64_t dense = 0, issued = 0, skipped = 0;
    int lines = 0;
    while (in >> tag >> dense >> issued >> skipped) {
      ++lines;
      INFO(n << ":" << m << " " << tag);
      CHECK(dense + 0 == issued + skipped);
      if (tag == "sparseFF" || tag == "sparseBP")
        CHECK(issued * static_cast<std::uint64_t>(m) == dense * static_cast<std::uint64_t>(n));
      else
        CHECK(issued == dense);
    }
    CHECK(lines == 6);
  }
}

TEST_CASE("sat: a GLB too narrow for the M/N-times activation stream starves the sparse array but not the dense one") {
  // 8 rows x 2 multipliers at 2:8 cover 64 reduction positions per column: 128 bytes per cycle, but two
  // 32-byte banks give 64: every column takes two cycles. Dense needs 32 bytes: no starvation.
  const Config cfg = config(
      "  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n"
      "  dataflow: weight_stationary\n"
      "  glb: {banks: 2, bank_width_bytes: 32}\n");
  const TrainingStep step = step_of(net_of({fc("fc", 512, 8)}), 2, 8, 64, {Phase::FF});
  const RunResults r = simulate(cfg, step, TimingMode::Fast);
  const JobResult& s = job(r, "sparse", Phase::FF);
  const JobResult& d = job(r, "dense", Phase::FF);
  CHECK(counter(s, "array", "busy_cycles") > 0);
  CHECK(s.stall_cycles.at("operand_starvation") == counter(s, "array", "busy_cycles"));
  CHECK(d.stall_cycles.at("operand_starvation") == 0);
}

TEST_CASE("sat: with banks for the full M/N-times stream the sparse array does not starve") {
  const Config cfg = config(
      "  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n"
      "  dataflow: weight_stationary\n"
      "  glb: {banks: 4, bank_width_bytes: 32}\n");
  const TrainingStep step = step_of(net_of({fc("fc", 512, 8)}), 2, 8, 64, {Phase::FF});
  const RunResults r = simulate(cfg, step, TimingMode::Fast);
  CHECK(job(r, "sparse", Phase::FF).stall_cycles.at("operand_starvation") == 0);
}

TEST_CASE("sat: a starved DRAM channel makes DRAM the dominant stall") {
  const Config cfg = config(
      "  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n"
      "memory:\n  dram: {preset: LPDDR4_3200, channels: 1, tck_ns: 20.0}\n");
  const TrainingStep step = step_of(net_of({conv("c", 32, 32, 8, 3, 1, 1)}), 2, 8, 2, {Phase::FF});
  const RunResults r = simulate(cfg, step, TimingMode::Fast);
  for (const auto& j : r.jobs) CHECK(j.stall_cycles.at("dram_bandwidth") * 2 > j.cycles);
}

TEST_CASE("sat: busy cycles and stalls by cause add up to every job's cycles; mask generation is reported") {
  const Config cfg = config("  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n");
  const TrainingStep step =
      step_of(net_of({conv("c1", 16, 32, 8, 3, 1, 1), conv("c2", 32, 32, 8, 3, 1, 1), fc("fc", 2048, 10)}), 2, 8, 2,
              {Phase::FF, Phase::BP, Phase::WU});
  const RunResults r = simulate(cfg, step, TimingMode::Fast);
  std::uint64_t groups = 0;
  for (const auto& j : r.jobs) {
    INFO(j.variant << " " << j.layer << " " << phase_name(j.phase));
    CHECK(counter(j, "array", "busy_cycles") + stall_sum(j) == j.cycles);
    CHECK(j.mapping.contains("estimate_error"));
    if (j.variant == "sparse" && j.phase == Phase::WU) CHECK(j.mapping.contains("mask_rank_cycles"));
    groups += counter(j, "mask_unit", "groups");
  }
  // Both masks of every layer: Cout x ceil(Cin*k*k/8) groups along Cin plus Cin*k*k x ceil(Cout/8).
  const std::uint64_t expect = (32 * 18 + 144 * 4) + (32 * 36 + 288 * 4) + (10 * 256 + 2048 * 2);
  CHECK(groups == expect);
  // The bound counts the work: 3 / (2 N/M + 1) = 2.0 where every layer is pruned and K divides into
  // groups; the fc's BP (K = 10: groups of 8 and 2, keeping 2 + 2) pulls it just below.
  double dense = 0, issued = 0;
  for (const auto& j : r.jobs)
    if (j.variant == "sparse") {
      dense += static_cast<double>(j.dense_macs);
      issued += static_cast<double>(j.issued_macs);
    }
  CHECK(r.extra["ideal_speedup_bound"].get<double>() == Approx(dense / issued));
  CHECK(r.extra["ideal_speedup_bound"].get<double>() < 2.0);
  CHECK(r.extra["ideal_speedup_bound"].get<double>() > 1.95);
  CHECK(r.extra["speedup"]["step"].get<double>() > 1.0);
}

TEST_CASE("sat: masks on demand: each pruned layer's sparse FF waits for its masks and WU pre-generates none") {
  const TrainingStep step =
      step_of(net_of({conv("c1", 16, 32, 8, 3, 1, 1), conv("c2", 32, 32, 8, 3, 1, 1), fc("fc", 2048, 10)}), 2, 8, 2,
              {Phase::FF, Phase::BP, Phase::WU});
  // "PHASE layer mask-jobs mask-stall rank-reported" of every sparse FF and WU job, then the mask jobs and
  // the sparse cycles of the step.
  const auto run = [&](const char* timing) {
    return in_child([&] {
      const RunResults r = simulate(config("  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n",
                                           {std::string("accelerator.mask_unit.timing=") + timing}),
                                    step, TimingMode::Fast);
      std::ostringstream os;
      std::uint64_t cycles = 0;
      std::uint64_t masks = 0;
      for (const auto& j : r.jobs) {
        if (j.variant != "sparse") continue;
        cycles += j.cycles;
        masks += counter(j, "mask_unit", "jobs");  // (a pre-generated layer's finish beside a later job)
        if (j.phase == Phase::BP) continue;
        os << phase_name(j.phase) << " " << j.layer << " " << counter(j, "mask_unit", "jobs") << " "
           << j.stall_cycles.at("mask_generation") << " " << j.mapping.contains("mask_rank_cycles") << "\n";
      }
      os << "masks " << masks << "\n"
         << "step " << cycles << "\n";
      return os.str();
    });
  };
  // Back from text: per "PHASE layer" its {mask jobs, mask stall, mask_rank_cycles reported}, and the totals.
  struct Parsed {
    std::map<std::string, std::array<std::uint64_t, 3>> jobs;
    std::uint64_t masks = 0, step = 0;
  };
  const auto parse = [](const std::string& text) {
    Parsed p;
    std::istringstream in(text);
    for (std::string key, layer; in >> key;) {
      if (key == "masks" || key == "step") {
        in >> (key == "step" ? p.step : p.masks);
        continue;
      }
      in >> layer;
      auto& j = p.jobs[key + " " + layer];
      in >> j[0] >> j[1] >> j[2];
    }
    return p;
  };
  const std::string pre_text = run("pregenerate"), demand_text = run("on_demand");
  INFO("pregenerate:\n" << pre_text << "on demand:\n" << demand_text);
  const Parsed pre = parse(pre_text), demand = parse(demand_text);
  REQUIRE(pre.jobs.size() == 6);
  for (const auto& [job, v] : pre.jobs) CHECK(v[2] == (job.rfind("WU", 0) == 0 ? 1 : 0));  // masks after WU
  REQUIRE(demand.jobs.size() == 6);
  for (const auto& [job, v] : demand.jobs) {
    INFO(job);
    const bool ff = job.rfind("FF", 0) == 0;
    CHECK(v[2] == (ff ? 1 : 0));
    if (ff) {
      CHECK(v[0] == 1);   // its masks are generated inside the FF job
      CHECK(v[1] > 100);  // and the array waits for them
    }
  }
  const std::uint64_t jobs_pre = pre.masks, jobs_demand = demand.masks, step_pre = pre.step, step_demand = demand.step;
  CHECK(jobs_pre == jobs_demand);  // the same layers' masks, once each
  CHECK(jobs_demand == 3);
  CHECK(step_demand > step_pre);  // pre-generation hides the unit behind later jobs
}

TEST_CASE("sat: a weight preload that loses the banks to the operand stream shows up as bank-conflict stalls") {
  // One 4-byte bank: a dense column of 8 rows x 2 positions x 2 B takes 8 bank cycles and leaves no slot
  // for the next tile's 8 x 16 x 2 B = 256 B of weights (64 accesses), which then outlast the 14-cycle
  // drain by 50 cycles per following tile. 32 output channels = 4 array tiles in one GLB tile.
  const Config cfg = config(
      "  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n"
      "  dataflow: weight_stationary\n"
      "  glb: {banks: 1, bank_width_bytes: 4}\n"
      "workload:\n  sparsity: {n: 0, m: 0}\n");
  const TrainingStep step = step_of(net_of({fc("fc", 16, 32)}), 0, 0, 8, {Phase::FF});
  const RunResults r = simulate(cfg, step, TimingMode::Fast);
  const JobResult& d = job(r, "dense", Phase::FF);
  REQUIRE(d.mapping["glb_tiles"]["M"].get<int>() == 1);
  CHECK(d.stall_cycles.at("bank_conflict") == 3 * 50);
  CHECK(d.stall_cycles.at("operand_starvation") == 4 * 8 * 7);
}

namespace {
// An outside block that holds every design job for 100 cycles (as the cDMA offload path may).
struct HoldGate : JobGate {
  int before = 0, after = 0;
  void before_job(std::size_t, const GemmOp&) override {
    ++before;
    sc_core::wait(sc_core::sc_time(100, sc_core::SC_NS));
  }
  void after_job(std::size_t, const GemmOp&) override { ++after; }
};
}  // namespace

TEST_CASE("sat: the JobGate holds only the design variant and its wait is reported as a gate stall") {
  const Config cfg = config("  array: {rows: 8, cols: 8, pe_multipliers: 2, max_m: 8}\n");
  const TrainingStep step = step_of(net_of({fc("fc", 256, 16)}), 2, 8, 8, {Phase::FF, Phase::BP, Phase::WU});
  HoldGate gate;
  const RunResults r = simulate(cfg, step, TimingMode::Fast, false, &gate);
  CHECK(gate.before == 3);
  CHECK(gate.after == 3);
  for (const auto& j : r.jobs) CHECK(j.stall_cycles.at("gate") == (j.variant == "sparse" ? 100u : 0u));
}
