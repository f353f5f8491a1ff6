// The DCNN and DCNN-opt baselines as structure (dense_pe.hpp): in detailed mode the values flow through each
// PE's IARAM, weight registers, multipliers, adder trees and accumulator banks and must equal a dense
// reference; the fast mode's closed form must count what the structure does, cycle for cycle at the grid.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn::test;

namespace {
const char* const kDense[2] = {"dcnn", "dcnn-opt"};

Network structure_layers() {
  return network_of({
      conv_layer("k3s1p1", 5, 9, 13, 3, 1, 1, 0.5, 0.6),    // ragged tiles, C and K not multiples of 4
      conv_layer("k5s1p2", 3, 6, 11, 5, 1, 2, 0.7, 0.8),    // halos two inputs deep
      conv_layer("k3s2p1", 4, 7, 15, 3, 2, 1, 0.6, 0.7),    // strided
      conv_layer("k11s4p0", 3, 4, 35, 11, 4, 0, 0.8, 1.0),  // AlexNet conv1-like
      conv_layer("k1s1p0", 16, 12, 6, 1, 1, 0, 0.4, 0.5),   // 6x6 plane: PEs without a tile
  });
}

// The PE-level counters the closed form must reproduce exactly (the grid's cycles are their sum per PE).
const std::vector<std::string> kGridCounters = {
    "multiplies", "gated", "busy_pe_cycles", "conflict_pe_cycles", "barrier_pe_cycles", "weight_wait_pe_cycles"};

void require_fast_counts_structure(const std::vector<std::string>& sets, const std::vector<Phase>& phases) {
  const Network net = structure_layers();
  auto fast = make_sim(net, TimingMode::Fast, false, sets, 1, phases);
  auto detailed = make_sim(net, TimingMode::Detailed, false, sets, 1, phases);
  run_all({fast.get(), detailed.get()});
  int compared = 0;
  for (const Layer& l : net.layers)
    for (const char* v : kDense)
      for (const JobResult& f : fast->results.jobs) {
        if (f.layer != l.name || f.variant != v) continue;
        const JobResult* d = nullptr;
        for (const JobResult& j : detailed->results.jobs)
          if (j.layer == f.layer && j.variant == f.variant && j.phase == f.phase) d = &j;
        REQUIRE(d != nullptr);
        for (const std::string& c : kGridCounters) {
          INFO(f.layer << " " << v << " " << phase_name(f.phase) << " " << c);
          CHECK(counter(f, std::string(v) + ".mult", c) == counter(*d, std::string(v) + ".mult", c));
        }
        for (const char* block : {".acc", ".iaram", ".wfifo", ".ppu"})
          for (const auto& x : f.counters)
            if (x.block == std::string(v) + block) {
              INFO(f.layer << " " << v << " " << x.block << "." << x.name);
              CHECK(x.value == counter(*d, x.block, x.name));
            }
        ++compared;
      }
  REQUIRE(compared == static_cast<int>(net.layers.size() * phases.size() * 2));
}
}  // namespace

TEST_CASE("dcnn structure: outputs through the detailed PEs equal the dense reference (FF and BP and WU)",
          "[scnn][dcnn][functional]") {
  const Network net = structure_layers();
  auto sim = make_sim(net, TimingMode::Detailed, true, {}, 1, {Phase::FF, Phase::BP, Phase::WU});
  run_all({sim.get()});
  int checked = 0;
  for (const JobResult& j : sim->results.jobs) {
    if (j.variant == "scnn") continue;
    INFO(j.layer << " " << j.variant << " " << phase_name(j.phase));
    REQUIRE(j.functional_checked);
    REQUIRE(j.functional_pass);
    REQUIRE(j.functional_max_abs_error == 0.0);
    ++checked;
  }
  // Both baselines, FF and BP and WU of every layer (BP of a first layer may be left out).
  REQUIRE(checked >= static_cast<int>(net.layers.size()) * 2 * 3 - 2);
}

TEST_CASE("dcnn structure: the values go through the accumulator banks under conflicts and a narrow weight bus",
          "[scnn][dcnn][functional]") {
  // Six banks cannot interleave F = 4 channels (every sum of a pixel goes to one bank); a 3-weight bus
  // needs 6 cycles per 4 x 4 block, more than one pixel per PE (8x8 outputs on 8x8 PEs) takes even with
  // its conflicts. The values must not care.
  const Network net = network_of({conv_layer("l", 7, 10, 8, 3, 1, 1, 0.6, 0.7)});
  auto sim = make_sim(net, TimingMode::Detailed, true,
                      {"accelerator.pe.acc_banks=6", "accelerator.pe.dense_weight_bus_values=3"}, 1,
                      {Phase::FF, Phase::BP, Phase::WU});
  run_all({sim.get()});
  int checked = 0;
  for (const JobResult& j : sim->results.jobs) {
    if (j.variant == "scnn") continue;
    INFO(j.variant << " " << phase_name(j.phase));
    REQUIRE(j.functional_checked);
    REQUIRE(j.functional_pass);
    REQUIRE(counter(j, j.variant + ".mult", "conflict_pe_cycles") > 0);
    if (j.phase == Phase::FF) REQUIRE(counter(j, j.variant + ".mult", "weight_wait_pe_cycles") > 0);
    ++checked;
  }
  REQUIRE(checked == 6);  // FF, BP and WU on both baselines
}

TEST_CASE("dcnn structure: the fast closed form counts what the detailed PEs do", "[scnn][dcnn][timing]") {
  require_fast_counts_structure({}, {Phase::FF, Phase::BP, Phase::WU});
}

TEST_CASE("dcnn structure: the closed form holds with bank conflicts and a narrow bus on a 2x3 grid",
          "[scnn][dcnn][timing]") {
  require_fast_counts_structure({"accelerator.pe.acc_banks=6", "accelerator.pe.dense_weight_bus_values=5",
                                 "accelerator.grid.rows=2", "accelerator.grid.cols=3", "accelerator.pe.f=3"},
                                {Phase::FF, Phase::BP, Phase::WU});
}

TEST_CASE("dcnn structure: a narrow weight bus stalls small planes but not large ones", "[scnn][dcnn][timing]") {
  // 8x8 outputs on 8x8 PEs: one pixel per PE, so a block must arrive every cycle; 64x64: 64 pixels per PE.
  const Network net = network_of(
      {conv_layer("small", 16, 16, 8, 3, 1, 1, 1.0, 1.0), conv_layer("large", 16, 16, 64, 3, 1, 1, 1.0, 1.0)});
  auto wide = make_sim(net, TimingMode::Fast, false);
  auto narrow = make_sim(net, TimingMode::Fast, false, {"accelerator.pe.dense_weight_bus_values=4"});
  run_all({wide.get(), narrow.get()});
  const auto stall = [](const Sim& s, const char* layer) {
    return find_job(s.results, layer, "dcnn")->stall_cycles.at("weight_bus");
  };
  REQUIRE(stall(*wide, "small") == 0);
  REQUIRE(stall(*wide, "large") == 0);
  REQUIRE(stall(*narrow, "large") == 0);
  // Four cycles per block instead of one: three of every four are waits.
  const auto* s = find_job(narrow->results, "small", "dcnn");
  const auto busy = counter(*s, "dcnn.mult", "busy_pe_cycles");
  const auto waits = counter(*s, "dcnn.mult", "weight_wait_pe_cycles");
  INFO("busy " << busy << " weight waits " << waits);
  REQUIRE(waits > 2 * busy);
  REQUIRE(waits < 3 * busy);
  // The grid's time (its PE-cycles over 64 PEs) is four times as long; the job's DRAM time hides part of it.
  const auto grid = [](const JobResult& j) {
    return counter(j, "dcnn.mult", "busy_pe_cycles") + counter(j, "dcnn.mult", "barrier_pe_cycles") +
           counter(j, "dcnn.mult", "weight_wait_pe_cycles");
  };
  REQUIRE(grid(*s) > 3 * grid(*find_job(wide->results, "small", "dcnn")));
}

TEST_CASE("dcnn structure: banks that cannot interleave the F channels serialise the sums", "[scnn][dcnn][timing]") {
  const Network net = network_of({conv_layer("l", 16, 16, 16, 3, 1, 1, 1.0, 1.0)});
  auto interleaved = make_sim(net, TimingMode::Fast, false);
  auto serial = make_sim(net, TimingMode::Fast, false, {"accelerator.pe.acc_banks=6"});
  run_all({interleaved.get(), serial.get()});
  const auto* a = find_job(interleaved->results, "l", "dcnn");
  const auto* b = find_job(serial->results, "l", "dcnn");
  REQUIRE(counter(*a, "dcnn.mult", "conflict_pe_cycles") == 0);
  // F = 4 sums of one pixel in one bank: four cycles per pixel, three of them conflicts.
  REQUIRE(counter(*b, "dcnn.mult", "conflict_pe_cycles") == 3 * counter(*a, "dcnn.mult", "busy_pe_cycles"));
  REQUIRE(counter(*b, "dcnn.mult", "multiplies") == counter(*a, "dcnn.mult", "multiplies"));
}
