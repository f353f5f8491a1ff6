// The detailed array as structure (models/sat/array_core): cycle counts that follow from the skew and
// the weight loads, GLB bank conflicts that come from real addresses, and real values flowing through
// the PEs for FF, BP and WU on one layer's weights, compared with a dense reference.
#include <catch2/catch.hpp>

#include <sstream>

#include "models/memory/dram_spec.hpp"
#include "models/sat/array_core.hpp"
#include "models/sat/mask_unit.hpp"
#include "tests/sat/sat_harness.hpp"

using namespace sat_test;
using namespace sparsim::sat;

namespace {

Hw small_hw(i64 rows, i64 cols, i64 mults) {
  Hw hw;
  hw.rows = rows;
  hw.cols = cols;
  hw.pe_multipliers = mults;
  hw.max_m = 8;
  hw.glb_capacity = 1 << 20;
  hw.glb_banks = 16;
  hw.glb_bank_width = 32;
  hw.glb_bank_mapping = "interleave";  // word mod banks: conflicts follow from the addresses directly
  return hw;
}

GlbTile whole(i64 M, i64 K, i64 N) {
  GlbTile t;
  t.ml = M;
  t.kl = K;
  t.nl = N;
  t.load_a = t.load_b = t.run_start = t.run_end = t.final_k = true;
  return t;
}

}  // namespace

TEST_CASE("sat structure: one WS fold takes the weight shift, the stream and the skew, nothing more") {
  // 8x8 array, dense, 1 multiplier: a fold of 8 rows x 8 columns streaming 50 columns of B. Weights
  // shift down 8 rows first (the GLB delivers them in a cycle), then 50 steps enter, and the last
  // partial sum leaves the bottom-right PE R - 1 + C - 1 cycles after the last step entered.
  ArrayCore core(small_hw(8, 8, 1));
  ArrayTally t;
  core.run_glb_tile(whole(8, 8, 50), Stationarity::WeightStationary, Nm{}, 0, nullptr, t);
  CHECK(t.busy == 50);
  CHECK(t.fill_drain == 8 + 8 + 8 - 2);
  CHECK(t.stall_operand == 0);
  CHECK(t.macs == 8 * 8 * 50);
  CHECK(t.obuf_writes == 8 * 50);
}

TEST_CASE("sat structure: WS weights before each fold cost R cycles a fold, shadow registers hide them") {
  Hw hw = small_hw(8, 8, 1);
  ArrayTally shadow, before;
  {
    ArrayCore core(hw);
    core.run_glb_tile(whole(8, 32, 50), Stationarity::WeightStationary, Nm{}, 0, nullptr, shadow);
  }
  hw.ws_shadow_weights = false;
  {
    ArrayCore core(hw);
    core.run_glb_tile(whole(8, 32, 50), Stationarity::WeightStationary, Nm{}, 0, nullptr, before);
  }
  // Four folds along K: each streams 50 steps and drains R + C - 2.
  CHECK(shadow.cycles() == 8 + 4 * (50 + 14));
  CHECK(before.cycles() == 4 * (8 + 50 + 14));  // SCALE-Sim's 2R + C + T - 2 per fold
  CHECK(shadow.macs == before.macs);
}

TEST_CASE("sat structure: OS folds drain serially or behind the next fold") {
  Hw hw = small_hw(8, 8, 1);
  ArrayTally serial, overlapped;
  {
    ArrayCore core(hw);
    core.run_glb_tile(whole(16, 40, 8), Stationarity::OutputStationary, Nm{}, 0, nullptr, serial);
  }
  hw.os_overlapped_drain = true;
  {
    ArrayCore core(hw);
    core.run_glb_tile(whole(16, 40, 8), Stationarity::OutputStationary, Nm{}, 0, nullptr, overlapped);
  }
  // Two folds of 40 steps; the last PE (7, 7) finishes 14 cycles after the last step entered. The
  // first step waits one GLB read (the second fold's steps were read ahead during the first).
  CHECK(overlapped.cycles() == 1 + 2 * (40 + 14));  // SCALE-Sim's R + C + T - 2
  CHECK(serial.cycles() == 1 + 2 * (40 + 14 + 8));
  CHECK(serial.stall_operand == 1);
}

TEST_CASE("sat structure: partial sums wait for the output buffer's accumulator banks") {
  // 8x8 array, dense, 1 multiplier, 50 columns of B. With a bank per column nothing waits. With 4 banks,
  // columns c and c + 4 share one: 100 writes of a fold at one per cycle where the array makes 50 in 50
  // cycles, so it holds for about 50 (less the 4-cycle skew between the two columns and the pipelines' room).
  auto run = [](i64 banks, bool single, i64 K, Stationarity s, i64 M = 8, i64 N = 50) {
    Hw hw = small_hw(8, 8, 1);
    hw.obuf_banks = banks;
    hw.obuf_single_port = single;
    ArrayCore core(hw);
    ArrayTally t;
    core.run_glb_tile(whole(M, K, N), s, Nm{}, 0, nullptr, t);
    return t;
  };
  const auto WS = Stationarity::WeightStationary, OS = Stationarity::OutputStationary;
  const ArrayTally free = run(8, false, 8, WS), shared = run(4, false, 8, WS);
  CHECK(free.stall_obuf == 0);
  CHECK(shared.stall_obuf >= 40);
  CHECK(shared.stall_obuf <= 50);
  CHECK(shared.cycles() == free.cycles() + shared.stall_obuf);
  CHECK(shared.obuf_writes == free.obuf_writes);
  // Single-ported banks: the first K fold only writes (the sums start at zero), the second reads and
  // writes every sum, two cycles of its bank each.
  const ArrayTally one = run(8, false, 16, WS), single = run(8, true, 16, WS);
  CHECK(one.stall_obuf == 0);
  CHECK(single.stall_obuf >= 40);
  CHECK(single.stall_obuf <= 50);
  CHECK(single.obuf_reads == 8 * 50);
  // OS: a fold's 8 x 8 accumulators shift out down the columns in the R = 8 drain cycles; with 2 banks four
  // columns share each, 32 writes per bank a fold: 8 written in the drain, 16 waiting in the four columns'
  // pipelines (4 each, written while the next fold runs), so each of the two folds waits about 8 more.
  const ArrayTally os_free = run(8, false, 40, OS, 16, 8), os_shared = run(2, false, 40, OS, 16, 8);
  CHECK(os_free.stall_obuf == 0);
  CHECK(os_shared.stall_obuf >= 2 * (8 - 2));
  CHECK(os_shared.stall_obuf <= 2 * (8 + 2));
}

TEST_CASE("sat structure: OS row lanes whose A rows all sit in one bank conflict, the closed form cannot see it") {
  // K = 256 dense fp16: a row of A is 512 bytes = one full line of 16 banks x 32 bytes, so every row
  // lane's next word is in the same bank as every other's. The lanes are skewed by a cycle each, yet
  // with 16 rows asking for a new word every 16 steps the bank serialises them.
  Hw hw = small_hw(16, 4, 1);
  hw.edge_fifo_depth = 1;
  hw.glb_bank_mapping = "interleave";
  ArrayCore core(hw);
  ArrayTally t;
  core.run_glb_tile(whole(16, 256, 4), Stationarity::OutputStationary, Nm{}, 0, nullptr, t);
  const i64 closed_form = os_stream_cycles(hw, Nm{}, 16, 4, 256) - os_steps(hw, Nm{}, 256);
  CHECK(closed_form == 0);
  CHECK(t.stall_operand > 16);
  // With the rows padded off the bank line (pitch 528 bytes) the conflicts vanish...
  ArrayCore padded(hw);
  ArrayTally p;
  padded.run_glb_tile(whole(16, 264, 4), Stationarity::OutputStationary, Nm{}, 0, nullptr, p);
  CHECK(p.stall_operand < t.stall_operand / 4);
  // ...and so they do with the XOR bank mapping on the unpadded rows.
  hw.glb_bank_mapping = "xor";
  ArrayCore swizzled(hw);
  ArrayTally x;
  swizzled.run_glb_tile(whole(16, 256, 4), Stationarity::OutputStationary, Nm{}, 0, nullptr, x);
  CHECK(x.stall_operand < t.stall_operand / 4);
  CHECK(x.macs == t.macs);
}

TEST_CASE("sat structure: a narrow GLB starves the WS stream by the words each column needs") {
  Hw hw = small_hw(8, 8, 2);
  hw.glb_banks = 2;
  hw.glb_bank_width = 8;  // 16 bytes a cycle; a column of 16 fp16 values is 32 bytes: 2 cycles a step
  hw.edge_fifo_depth = 4;
  ArrayCore core(hw);
  ArrayTally t;
  core.run_glb_tile(whole(8, 16, 40), Stationarity::WeightStationary, Nm{}, 0, nullptr, t);
  // 40 columns of 4 words and 32 words of weights at 2 words a cycle: the banks are busy for 96
  // cycles, then the last step drains through R + C - 2 = 14. The stream reads 4 columns ahead
  // (FIFO depth) before the weights, so the array stalls for the rest.
  CHECK(t.busy == 40);
  CHECK(t.glb_words == 40 * 4 + 32);
  CHECK(t.cycles() >= 96 + 14);
  CHECK(t.cycles() <= 96 + 14 + 3);
  CHECK(t.stall_operand >= 30);
}

TEST_CASE("sat structure: values through the PEs equal the reference, and a corrupted index is caught") {
  for (const Stationarity s : {Stationarity::WeightStationary, Stationarity::OutputStationary})
    for (const Nm nm : {Nm{}, Nm{1, 2}, Nm{2, 4}, Nm{2, 8}, Nm{1, 8}}) {
      INFO(stationarity_name(s) << " " << nm.n << ":" << nm.m);
      FunctionalOp f(21, 72, 30, nm, 11, 30);
      ArrayCore core(small_hw(4, 5, 2));
      ArrayTally t;
      core.run_glb_tile(whole(21, 72, 30), s, nm, 1, &f, t);
      CHECK(f.max_abs_error() <= f.tolerance());
      CHECK(t.macs == 21 * kept(nm, 72) * 30);
      if (nm.sparse()) {
        FunctionalOp bad(21, 72, 30, nm, 11, 30);
        bad.kept_idx[7] = static_cast<std::uint8_t>((bad.kept_idx[7] + 1) % nm.m);
        ArrayCore again(small_hw(4, 5, 2));
        ArrayTally u;
        again.run_glb_tile(whole(21, 72, 30), s, nm, 0, &bad, u);
        CHECK(bad.max_abs_error() > bad.tolerance());
      }
    }
}

TEST_CASE("sat structure: WS weight registers loaded behind the stream or before each fold give the reference") {
  // 21 x 72 on a 4 x 5 array of 2 multipliers: 5 A row tiles x several k tiles, so the PEs' registers are
  // rewritten fold after fold (into the shadow set while the previous fold streams, or before each fold).
  for (const bool shadow : {true, false})
    for (const Nm nm : {Nm{}, Nm{2, 4}, Nm{1, 8}}) {
      INFO((shadow ? "shadow " : "before_fold ") << nm.n << ":" << nm.m);
      FunctionalOp f(21, 72, 30, nm, 5, 30);
      Hw hw = small_hw(4, 5, 2);
      hw.ws_shadow_weights = shadow;
      ArrayCore core(hw);
      ArrayTally t;
      core.run_glb_tile(whole(21, 72, 30), Stationarity::WeightStationary, nm, 0, &f, t);
      CHECK(f.max_abs_error() <= f.tolerance());
      CHECK(f.max_abs_error() >= 0.0);
    }
}

TEST_CASE("sat structure: the FF and BP operands come from one W, masked along Cin and along Cout") {
  const std::uint64_t seed = 99;
  const i64 cout = 8, cin = 16, taps = 9;
  FunctionalOp ff(cout, cin * taps, 4, Nm{2, 4}, 1, 4, ff_weights(seed, cin));
  FunctionalOp bp(cin * taps, cout, 4, Nm{2, 4}, 2, 4, bp_weights(seed, cin));
  i64 differ = 0;
  for (i64 co = 0; co < cout; ++co)
    for (i64 tap = 0; tap < taps; ++tap)
      for (i64 ci = 0; ci < cin; ++ci) {
        const double w = layer_weight(seed, co, ci, tap);
        const double in_ff = ff.a[static_cast<std::size_t>(co * cin * taps + tap * cin + ci)];
        const double in_bp = bp.a[static_cast<std::size_t>((tap * cin + ci) * cout + co)];
        CHECK((in_ff == 0.0 || in_ff == w));
        CHECK((in_bp == 0.0 || in_bp == w));
        differ += (in_ff == 0.0) != (in_bp == 0.0);
      }
  CHECK(differ > 0);  // the two masks of bidirectional pruning are different masks of the same W
}

TEST_CASE("sat structure: a transposable mask is one mask of W for FF and BP, N:M along Cin and Cout") {
  const std::uint64_t seed = 7;
  for (auto [cout, cin] : std::vector<std::pair<i64, i64>>{{8, 16}, {12, 20}}) {
    const i64 taps = 9;
    const Nm nm{2, 4};
    const LayerWeights w = transposable_weights(seed, nm, cout, cin);
    FunctionalOp ff(cout, cin * taps, 4, nm, 1, 4, ff_operand(w, cin));
    FunctionalOp bp(cin * taps, cout, 4, nm, 2, 4, bp_operand(w, cin));
    i64 differ = 0, kept = 0;
    for (i64 co = 0; co < cout; ++co)
      for (i64 tap = 0; tap < taps; ++tap)
        for (i64 ci = 0; ci < cin; ++ci) {
          const double in_ff = ff.a[static_cast<std::size_t>(co * cin * taps + tap * cin + ci)];
          const double in_bp = bp.a[static_cast<std::size_t>((tap * cin + ci) * cout + co)];
          CHECK((in_ff == 0.0 || in_ff == layer_weight(seed, co, ci, tap)));
          differ += in_ff != in_bp;
          kept += in_ff != 0.0;
        }
    CHECK(differ == 0);  // one mask: FF keeps exactly what BP keeps
    // Every group of 4 along Cin (a row of FF's A) and along Cout (a row of BP's A) keeps exactly 2.
    auto per_group = [&](const FunctionalOp& op) {
      for (i64 r = 0; r < op.M; ++r)
        for (i64 g = 0; g < op.K; g += nm.m) {
          i64 in_group = 0;
          for (i64 x = 0; x < nm.m; ++x) in_group += op.a[static_cast<std::size_t>(r * op.K + g + x)] != 0.0;
          CHECK(in_group == nm.n);
        }
    };
    per_group(ff);
    per_group(bp);
    CHECK(kept == cout * cin * taps / 2);
  }
}

namespace {
// Runs a network in detailed functional mode (in a child process) and lists every job's check.
std::string detailed_functional(const std::string& yaml, int n, int m, Network net, bool transposable = false) {
  for (auto& l : net.layers) l.sparsity.transposable = transposable;
  return in_child([&] {
    const Config cfg =
        config(yaml, {"workload.sparsity.n=" + std::to_string(n), "workload.sparsity.m=" + std::to_string(m)});
    const RunResults r =
        simulate(cfg, step_of(net, n, m, 2, {Phase::FF, Phase::BP, Phase::WU}), TimingMode::Detailed, true);
    std::ostringstream out;
    for (const auto& j : r.jobs) {
      out << j.variant << " " << j.layer << " " << phase_name(j.phase) << " checked=" << j.functional_checked
          << " pass=" << j.functional_pass << " err=" << j.functional_max_abs_error;
      if (j.mapping.contains("functional_instances_checked"))
        out << " instances=" << j.mapping["functional_instances_checked"].get<std::int64_t>();
      if (j.mapping.contains("mask_unit_groups_ranked_with_values"))
        out << " unit_groups=" << j.mapping["mask_unit_groups_ranked_with_values"].get<std::int64_t>()
            << " unit_ff=" << j.mapping["mask_unit_ff_mask_pass"].get<bool>()
            << " unit_bp=" << j.mapping["mask_unit_bp_mask_pass"].get<bool>();
      if (j.mapping.contains("transposable_mask_pass"))
        out << " transposable=" << j.mapping["transposable_mask_pass"].get<bool>();
      out << "\n";
    }
    return out.str();
  });
}

void all_pass(const std::string& report, int jobs) {
  INFO(report);
  int lines = 0;
  std::istringstream in(report);
  for (std::string line; std::getline(in, line); ++lines) {
    CHECK(line.find("checked=1") != std::string::npos);
    CHECK(line.find("pass=1") != std::string::npos);
  }
  CHECK(lines == jobs);
}

Network suite() {
  // Ragged in every dimension, a grouped conv, a strided conv and a classifier.
  return net_of({conv("c1", 24, 20, 7, 3, 1, 1), conv("g", 24, 16, 6, 3, 2, 1, 2), fc("fc", 150, 13)});
}
}  // namespace

TEST_CASE("sat structure: detailed functional runs pass on ragged, grouped and strided layers: WS") {
  const std::string yaml = "  array: {rows: 4, cols: 6, pe_multipliers: 4, max_m: 8}\n  dataflow: weight_stationary\n";
  for (auto [n, m] : std::vector<std::pair<int, int>>{{0, 0}, {1, 2}, {2, 4}, {4, 8}, {1, 8}}) {
    const std::string report = detailed_functional(yaml, n, m, suite());
    all_pass(report, 18);
    // Both groups of the grouped conv carry their own weights through the array, in FF, BP and WU.
    INFO(report);
    for (const char* job : {"sparse g FF ", "sparse g BP ", "sparse g WU ", "dense g FF "}) {
      const auto at = report.find(job);
      REQUIRE(at != std::string::npos);
      CHECK(report.substr(at, report.find('\n', at) - at).find("instances=2") != std::string::npos);
    }
    // The mask unit's lanes ranked every group of every sparse layer's W, both groups of the grouped conv
    // included, and both masks they produced equal a sort of each group.
    if (n != 0)
      for (const std::string layer : {"c1", "g", "fc"}) {
        const auto at = report.find("sparse " + layer + " WU ");
        REQUIRE(at != std::string::npos);
        const std::string line = report.substr(at, report.find('\n', at) - at);
        INFO(line);
        CHECK(line.find("unit_groups=0") == std::string::npos);
        CHECK(line.find("unit_groups=") != std::string::npos);
        CHECK(line.find("unit_ff=1 unit_bp=1") != std::string::npos);
      }
  }
}

// Every N:M pattern a 4-multiplier PE with 3-bit indices executes: N dividing the multipliers, N < M <= max_m,
// M not only a power of two (a ragged last group wherever K is not a multiple of M).
std::vector<std::pair<int, int>> every_pattern() {
  std::vector<std::pair<int, int>> out;
  for (const int n : {1, 2, 4})
    for (int m = n + 1; m <= 8; ++m) out.emplace_back(n, m);
  return out;
}

TEST_CASE("sat structure: detailed functional runs pass for every N:M pattern the array allows: WS and OS") {
  const auto patterns = every_pattern();
  REQUIRE(patterns.size() == 17);
  for (const char* dataflow : {"weight_stationary", "output_stationary"}) {
    const std::string yaml =
        std::string("  array: {rows: 4, cols: 6, pe_multipliers: 4, max_m: 8}\n  dataflow: ") + dataflow + "\n";
    for (auto [n, m] : patterns) {
      INFO(dataflow << " " << n << ":" << m);
      all_pass(detailed_functional(yaml, n, m, suite()), 18);
    }
  }
}

TEST_CASE("sat structure: detailed functional runs pass with transposable masks, and the mask is checked") {
  const std::string yaml = "  array: {rows: 4, cols: 6, pe_multipliers: 4, max_m: 8}\n  dataflow: weight_stationary\n";
  // Cout and Cin (per group) multiples of M; ragged tiles on the 4 x 6 array, a grouped and a strided conv.
  const Network net = net_of({conv("c4", 16, 8, 6, 3, 1, 1), conv("g", 32, 16, 6, 3, 2, 1, 2), fc("fc", 64, 24)});
  for (auto [n, m] : std::vector<std::pair<int, int>>{{2, 4}, {1, 4}, {2, 8}}) {
    const std::string report = detailed_functional(yaml, n, m, net, true);
    all_pass(report, 18);
    INFO(report);
    CHECK(report.find("transposable=1") != std::string::npos);
    CHECK(report.find("transposable=0") == std::string::npos);
  }
}

TEST_CASE("sat structure: a transposable mask on a layer whose Cout is not a multiple of M is a config error") {
  Network net = net_of({conv("c1", 16, 20, 6, 3, 1, 1)});
  net.layers[0].sparsity.transposable = true;
  const std::string yaml = "  array: {rows: 4, cols: 6, pe_multipliers: 4, max_m: 8}\n";
  const std::string msg = in_child([&] {
    try {
      simulate(config(yaml, {"workload.sparsity.n=2", "workload.sparsity.m=8"}),
               step_of(net, 2, 8, 1, {Phase::FF, Phase::BP, Phase::WU}), TimingMode::Fast);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  });
  CHECK(msg.find("layer c1: a transposable 2:8 mask needs Cout (20)") != std::string::npos);
}

TEST_CASE("sat structure: detailed functional runs pass on ragged, grouped and strided layers: OS") {
  const std::string yaml = "  array: {rows: 5, cols: 4, pe_multipliers: 4, max_m: 8}\n  dataflow: output_stationary\n";
  for (auto [n, m] : std::vector<std::pair<int, int>>{{0, 0}, {2, 4}, {2, 8}, {1, 4}})
    all_pass(detailed_functional(yaml, n, m, suite()), 18);
}

namespace {
// One mask job through the mask unit on 4 DDR4-3200 channels; returns the cycles it took.
struct MaskDriver : sc_core::sc_module {
  MaskDriver(sc_core::sc_module_name n, MaskUnit& unit, MaskJob job) : sc_module(n), unit_(unit), job_(job) {
    SC_HAS_PROCESS(MaskDriver);
    SC_THREAD(drive);
  }
  void drive() {
    unit_.submit(job_);
    unit_.wait_idle();
    cycles = static_cast<i64>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS));
    sc_core::sc_stop();
  }
  MaskUnit& unit_;
  MaskJob job_;
  i64 cycles = 0;
};

i64 mask_cycles(TimingMode mode, const MaskJob& job, i64 lanes) {
  const std::string out = in_child([&] {
    StatsRegistry reg;
    sparsim::memory::DramSpec spec = *sparsim::memory::dram_preset("DDR4_3200");
    spec.channels = 4;
    sparsim::memory::DramModule dram("dram", spec, mode, reg, 1.0);
    Hw hw;
    hw.mask_lanes = lanes;
    MaskUnit unit("mask", hw, mode == TimingMode::Detailed, dram, reg);
    MaskDriver d("driver", unit, job);
    sc_core::sc_start();
    return std::to_string(d.cycles);
  });
  return std::stoll(out);
}
}  // namespace

TEST_CASE("sat structure: the mask unit's chunk pipeline against its fast mode") {
  // A 3x3 conv of 256 -> 256 channels at 2:8: 2 x 73,728 groups. With 2 lanes ranking is the
  // bottleneck (73,728 cycles); with 16 (9,224 cycles) the DRAM traffic is: W read (1.2 MB) and both
  // compressed copies written.
  const MaskJob job{256, 256 * 9, 1, Nm{2, 8}, "conv"};
  for (const i64 lanes : {2, 16}) {
    const i64 fast = mask_cycles(TimingMode::Fast, job, lanes);
    const i64 detailed = mask_cycles(TimingMode::Detailed, job, lanes);
    INFO("lanes " << lanes << ": fast " << fast << ", detailed " << detailed);
    Hw hw;
    hw.mask_lanes = lanes;
    CHECK(detailed >= mask_rank_cycles(hw, job));  // never faster than the lanes
    // The fast mode paces the same pipeline in slices of about 32 KiB of W (whole chunks) rather than
    // chunk by chunk: measured 0.05 % (2 lanes) and 0.7 % (16) apart.
    CHECK(fast == Approx(detailed).epsilon(0.15));
    CHECK(fast <= detailed);
  }
}
