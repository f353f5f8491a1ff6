// Timing of the SystemC model: fast and detailed modes agree within bounds; the representative-SM mode agrees
// with simulating every SM; and the mechanisms the model exists for show up (wave quantization, tile
// padding waste on skinny GEMMs, operand delivery limiting the 2x of the sparse math).
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "stc_test_util.hpp"
#include "workloads/library.hpp"

using namespace sparsim;
using namespace sparsim::stc;
using testing::gemm_op;

namespace {

std::vector<GemmOp> suite() {
  return {gemm_op(256, 256, 256),   gemm_op(300, 200, 1000),  gemm_op(1024, 128, 4096),
          gemm_op(2048, 2048, 512), gemm_op(128, 128, 64, 8), gemm_op(4096, 1024, 1024)};
}

std::map<std::string, std::uint64_t> cycles_of(const std::string& text) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream is(text);
  for (std::string v, l, rest; is >> v >> l;) {
    std::uint64_t c = 0;
    is >> c;
    std::getline(is, rest);
    out[v + " " + l] = c;
  }
  return out;
}

std::uint64_t counter_of(const std::string& text, const std::string& job, const std::string& counter) {
  std::istringstream is(text);
  for (std::string line; std::getline(is, line);) {
    if (line.rfind(job + " ", 0) != 0) continue;
    const auto at = line.find(" " + counter + "=");
    if (at == std::string::npos) return 0;
    return std::stoull(line.substr(at + counter.size() + 2));
  }
  return 0;
}

}  // namespace

namespace {
// Fast vs detailed: the SM blocks agree by construction (bandwidth servers on an exact timeline); the HBM
// is the shared DRAM model, whose fast mode is separate code measured against its command-level detailed
// mode, so cycles differ by what the DRAM's two modes do. Returns the worst relative cycle difference.
double fast_vs_detailed(const StcParams& p, const std::vector<StcJob>& jobs) {
  const std::string fast = testing::in_child([&] { return testing::simulate(p, TimingMode::Fast, jobs); });
  const std::string detailed = testing::in_child([&] { return testing::simulate(p, TimingMode::Detailed, jobs); });
  REQUIRE(fast.find("EXCEPTION") == std::string::npos);
  const auto f = cycles_of(fast), d = cycles_of(detailed);
  REQUIRE(f.size() == jobs.size());
  REQUIRE(d.size() == jobs.size());
  double worst = 0.0, sum = 0.0;
  for (const auto& [job, c] : d) {
    const double err = std::abs(static_cast<double>(f.at(job)) - static_cast<double>(c)) / static_cast<double>(c);
    INFO(job << ": detailed " << c << " fast " << f.at(job));
    // Regression guards at today's fidelity (docs/stc.md): the fast DRAM reorders only within a queue's
    // depth of requests placed before, which small bandwidth-bound GEMMs of short row pieces feel most
    // (worst 57 %, mean 9.6 % with the representative SM; 13 % and 2.8 % with all 16 SMs simulated).
    CHECK(err < 0.65);
    worst = std::max(worst, err);
    sum += err;
    // Work does not depend on the timing mode.
    CHECK(counter_of(fast, job, "tensor_core.macs") == counter_of(detailed, job, "tensor_core.macs"));
    CHECK(counter_of(fast, job, "dram.read_bytes") == counter_of(detailed, job, "dram.read_bytes"));
  }
  CHECK(sum / static_cast<double>(d.size()) < 0.15);
  WARN("mean cycle difference " << 100 * sum / static_cast<double>(d.size()) << " %");
  return worst;
}
}  // namespace

TEST_CASE("fast mode within bounds of the detailed mode (representative SM)", "[stc][timing]") {
  const double worst = fast_vs_detailed(testing::h200_params(), testing::sparse_and_dense(suite()));
  WARN("stc fast vs detailed (representative SM): worst cycle difference " << worst * 100 << " %");
}

TEST_CASE("fast mode within bounds of the detailed mode (all SMs)", "[stc][timing]") {
  const double worst = fast_vs_detailed(testing::h200_params({"accelerator.sim.sm_model=all", "accelerator.sms=16"}),
                                        testing::sparse_and_dense(suite()));
  WARN("stc fast vs detailed (16 SMs, all simulated): worst cycle difference " << worst * 100 << " %");
}

TEST_CASE("one representative SM per wave agrees with simulating all 132 SMs", "[stc][timing]") {
  std::vector<GemmOp> ops = suite();
  for (auto op :
       {gemm_op(4096, 4096, 4096), gemm_op(12288, 512, 4096), gemm_op(768, 4096, 3072), gemm_op(4096, 128, 11008)})
    ops.push_back(op);
  const auto jobs = testing::sparse_and_dense(ops);
  const std::string rep =
      testing::in_child([&] { return testing::simulate(testing::h200_params(), TimingMode::Fast, jobs); });
  const std::string all = testing::in_child([&] {
    return testing::simulate(testing::h200_params({"accelerator.sim.sm_model=all"}), TimingMode::Fast, jobs);
  });
  const auto rc = cycles_of(rep), ac = cycles_of(all);
  REQUIRE(rc.size() == jobs.size());
  REQUIRE(ac.size() == jobs.size());
  double worst = 0.0, sum = 0.0;
  for (const auto& [job, c] : ac) {
    const double err = std::abs(static_cast<double>(rc.at(job)) - static_cast<double>(c)) / static_cast<double>(c);
    worst = std::max(worst, err);
    sum += err;
    INFO(job << ": all SMs " << c << " cycles, representative " << rc.at(job));
    // Few-CTA GEMMs (split-K, edge tiles) differ most: the representative SM gets a fair share of the L2
    // and HBM where the all-SM run queues whole pieces in arrival order.
    CHECK(err < 0.25);
    // Work counters: the representative SM's CTAs stand for every SM of their wave.
    const double macs_all = static_cast<double>(counter_of(all, job, "tensor_core.macs"));
    const double macs_rep = static_cast<double>(counter_of(rep, job, "tensor_core.macs"));
    CHECK(macs_rep == Approx(macs_all).epsilon(0.15));
  }
  // The HBM sees the representative's wave-mates' tiles issued together, the all-SM run each SM's own.
  CHECK(sum / static_cast<double>(ac.size()) < 0.10);
  WARN("representative vs all SMs: worst cycle difference " << worst * 100 << " %, mean "
                                                            << 100 * sum / static_cast<double>(ac.size()) << " %");
}

TEST_CASE("waves of thread blocks quantize time", "[stc][timing]") {
  // 128x256 sparse tiles: 132 CTAs fill one wave of 132 SMs, 133 need a second wave.
  const auto jobs = testing::sparse_and_dense({gemm_op(128 * 132, 256, 8192), gemm_op(128 * 133, 256, 8192)});
  const std::string out = testing::simulate(testing::h200_params(), TimingMode::Fast, jobs);
  const auto c = cycles_of(out);
  const std::string one = "sparse " + gemm_op(128 * 132, 256, 8192).layer,
                    two = "sparse " + gemm_op(128 * 133, 256, 8192).layer;
  INFO(out);
  // (1.5x when the SMs alone set the pace; the HBM's share of the time dilutes the step a little.)
  CHECK(static_cast<double>(c.at(two)) > 1.3 * static_cast<double>(c.at(one)));
}

TEST_CASE("2:4 pays on large GEMMs but not on skinny ones, and never reaches 2x", "[stc][timing]") {
  const auto big = gemm_op(8192, 8192, 8192), skinny = gemm_op(768, 128, 3072);
  const auto jobs = testing::sparse_and_dense({big, skinny});
  const std::string out = testing::simulate(testing::h200_params(), TimingMode::Fast, jobs);
  const auto c = cycles_of(out);
  const double s_big =
      static_cast<double>(c.at("dense " + big.layer)) / static_cast<double>(c.at("sparse " + big.layer));
  const double s_skinny =
      static_cast<double>(c.at("dense " + skinny.layer)) / static_cast<double>(c.at("sparse " + skinny.layer));
  INFO(out);
  CHECK(s_big > 1.05);
  CHECK(s_big < 2.0);
  CHECK(s_skinny < 1.0);  // 6 CTAs of 128x256 (half of it padding) against a dense kernel that fills the GPU
}

TEST_CASE("operand delivery is what holds the sparse kernel below 2x", "[stc][timing]") {
  // Same kernels and math rate; with shared memory, the SM's L2 port, the L2 and the HBM made (nearly) free, the
  // sparse kernel approaches the 2x of its math units; with the H200's real ones it does not.
  const auto op = gemm_op(8192, 8192, 8192);
  const auto jobs = testing::sparse_and_dense({op});
  const std::string real =
      testing::in_child([&] { return testing::simulate(testing::h200_params(), TimingMode::Fast, jobs); });
  const std::string ideal = testing::in_child([&] {
    return testing::simulate(
        testing::h200_params({"accelerator.sm.smem_bank_bytes=64", "accelerator.sm.l2_port_bytes_per_cycle=4096",
                              "memory.l2.bytes_per_cycle=1000000", "memory.dram.channels=1536"}),
        TimingMode::Fast, jobs);
  });
  const auto r = cycles_of(real), i = cycles_of(ideal);
  const double sr = static_cast<double>(r.at("dense " + op.layer)) / static_cast<double>(r.at("sparse " + op.layer));
  const double si = static_cast<double>(i.at("dense " + op.layer)) / static_cast<double>(i.at("sparse " + op.layer));
  INFO("speedup with the H200's operand paths " << sr << ", with free operand paths " << si);
  CHECK(si > 1.8);
  CHECK(si <= 2.0);
  CHECK(sr < 1.5);
}

TEST_CASE("the tiler's analytical estimate tracks the simulation", "[stc][timing]") {
  std::vector<GemmOp> ops = suite();
  ops.push_back(gemm_op(8192, 8192, 8192));
  ops.push_back(gemm_op(4096, 2048, 11008));
  const auto jobs = testing::sparse_and_dense(ops);
  GpuTop top("stc", testing::h200_params(), TimingMode::Fast, false, 1, jobs, nullptr, nullptr);
  sc_core::sc_start();
  double worst = 0.0;
  for (const auto& r : top.results()) {
    const double err = std::abs(r.mapping["estimate_error"].get<double>());
    worst = std::max(worst, err);
    INFO(r.variant << " " << r.layer << " " << r.mapping.dump());
    // The estimate takes the HBM at its peak; the simulated HBM has row misses and refresh.
    CHECK(err < 0.65);
  }
  WARN("worst |estimate - simulation| / simulation: " << worst);
}

TEST_CASE("functional mode checks every sparse job through the compressed operand", "[stc][functional]") {
  TrainingStep step;
  Layer l = fc("fc", 256, 512, 64);
  l.sparsity.nm = NMPattern{2, 4};
  step.network.layers.push_back(l);
  step = expand_training_step(step.network, 2, {Phase::FF, Phase::BP, Phase::WU});
  GpuTop top("stc", testing::h200_params(), TimingMode::Fast, true, 5, stc_jobs(step), nullptr, nullptr);
  sc_core::sc_start();
  int checked = 0;
  for (const auto& r : top.results()) {
    const bool sparse = r.mapping["sparse"].get<bool>();
    CHECK(r.functional_checked == sparse);
    if (sparse) {
      ++checked;
      CHECK(r.functional_pass);
      CHECK(r.functional_max_abs_error == 0.0);
    }
    // WU and the dense variants never run sparse; sparse-bp-dense runs BP dense.
    if (r.phase == Phase::WU || r.variant == "dense" || (r.variant == "sparse-bp-dense" && r.phase == Phase::BP))
      CHECK_FALSE(sparse);
  }
  CHECK(checked == 3);  // sparse: FF and BP; sparse-bp-dense: FF
}

namespace {
// One line per job: "variant layer cycles reused macs refreshes" (reused: 1 when the job took an identical
// earlier job's results).
std::string simulate_reuse(const StcParams& p, TimingMode mode, const std::vector<StcJob>& jobs) {
  GpuTop top("stc", p, mode, false, 1, jobs, nullptr, nullptr);
  sc_core::sc_start();
  std::ostringstream os;
  for (const auto& r : top.results()) {
    std::uint64_t macs = 0, refreshes = 0;
    for (const auto& c : r.counters) {
      if (c.block == "tensor_core" && c.name == "macs") macs = c.value;
      if (c.block == "dram" && c.name == "refreshes") refreshes = c.value;
    }
    os << r.variant << " " << r.layer << " " << r.cycles << " " << (r.mapping.contains("reused_from_job") ? 1 : 0)
       << " " << macs << " " << refreshes << "\n";
  }
  return os.str();
}

struct ReuseLine {
  std::uint64_t cycles = 0, macs = 0, refreshes = 0;
  bool reused = false;
};
std::map<std::string, ReuseLine> reuse_lines(const std::string& text) {
  std::map<std::string, ReuseLine> out;
  std::istringstream is(text);
  for (std::string v, l; is >> v >> l;) {
    ReuseLine x;
    int reused = 0;
    is >> x.cycles >> reused >> x.macs >> x.refreshes;
    x.reused = reused != 0;
    out[v + " " + l] = x;
  }
  return out;
}

std::vector<GemmOp> named(std::vector<GemmOp> ops) {
  for (std::size_t i = 0; i < ops.size(); ++i) ops[i].layer = "op" + std::to_string(i);
  return ops;
}
}  // namespace

TEST_CASE("fast mode takes an identical long GEMM's results from its first run and moves short neighbours little",
          "[stc][timing][reuse]") {
  // Three identical LLaMA-sized projections (about 650,000 cycles each) and two identical small GEMMs
  // (under accelerator.sim.reuse_min_cycles, so simulated every time).
  const auto jobs =
      testing::sparse_and_dense(named({gemm_op(4096, 8192, 4096), gemm_op(4096, 8192, 4096), gemm_op(256, 256, 256),
                                       gemm_op(4096, 8192, 4096), gemm_op(256, 256, 256)}));
  const std::string on =
      testing::in_child([&] { return simulate_reuse(testing::h200_params(), TimingMode::Fast, jobs); });
  const std::string off = testing::in_child([&] {
    return simulate_reuse(testing::h200_params({"accelerator.sim.reuse_identical_gemms=false"}), TimingMode::Fast,
                          jobs);
  });
  REQUIRE(on.find("EXCEPTION") == std::string::npos);
  const auto a = reuse_lines(on), b = reuse_lines(off);
  REQUIRE(a.size() == jobs.size());
  REQUIRE(b.size() == jobs.size());
  int reused = 0;
  std::uint64_t refreshes_on = 0, refreshes_off = 0;
  for (const auto& [job, x] : a) {
    const ReuseLine& y = b.at(job);
    INFO(job << ": reused " << x.reused << " cycles " << x.cycles << " simulated " << y.cycles);
    REQUIRE_FALSE(y.reused);
    const bool small = job.find("op2") != std::string::npos || job.find("op4") != std::string::npos;
    // The first of each kind is simulated; the small ones always are.
    CHECK(x.reused == (!small && job.find("op0") == std::string::npos));
    reused += x.reused ? 1 : 0;
    CHECK(x.macs == y.macs);
    // Long jobs within 3 %. A short job right after a reused span starts on an idle DRAM instead of one
    // still busy with the previous kernel's tail: measured 3-8 % faster here.
    CHECK(std::abs(static_cast<double>(x.cycles) - static_cast<double>(y.cycles)) <
          (small ? 0.10 : 0.03) * static_cast<double>(y.cycles));
    refreshes_on += x.refreshes;
    refreshes_off += y.refreshes;
  }
  CHECK(reused == 4);  // op1 and op3, sparse and dense
  // The skipped spans' refreshes are counted once (in the twin's counters), not again by the next job.
  INFO("refreshes with reuse " << refreshes_on << ", simulated " << refreshes_off);
  CHECK(std::abs(static_cast<double>(refreshes_on) - static_cast<double>(refreshes_off)) <
        0.05 * static_cast<double>(refreshes_off));
}

TEST_CASE("detailed mode simulates every GEMM even when it has an identical twin", "[stc][timing][reuse]") {
  const auto jobs = testing::sparse_and_dense(named({gemm_op(256, 256, 256), gemm_op(256, 256, 256)}));
  const auto params = testing::h200_params({"accelerator.sim.reuse_min_cycles=0"});
  const auto fast = reuse_lines(testing::in_child([&] { return simulate_reuse(params, TimingMode::Fast, jobs); }));
  const auto detailed =
      reuse_lines(testing::in_child([&] { return simulate_reuse(params, TimingMode::Detailed, jobs); }));
  REQUIRE(fast.size() == 4);
  REQUIRE(detailed.size() == 4);
  CHECK(fast.at("sparse op1").reused);
  CHECK(fast.at("dense op1").reused);
  for (const auto& [job, x] : detailed) {
    INFO(job);
    CHECK_FALSE(x.reused);
  }
}
