// Presets against their datasheet bandwidth, and the access-pattern effects a DRAM model exists for.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/memory/dram_channel.hpp"
#include "tests/memory/memory_harness.hpp"

using namespace memory_test;

namespace {
double fraction_of_peak(const DramSpec& s, const ReplayResult& r) {
  return replay_json(s, r, "detailed")["bandwidth_fraction_of_peak"].get<double>();
}
}  // namespace

// The trace driver offers one request per memory cycle (DRAMSim3's semantics), less than a many-channel
// system drains, so the datasheet figure is checked per channel: every channel is the same.
// A GPU's HBM presets (channel hashing on) keep a page of each channel contiguous, so one channel's
// stream stays in one bank group for a page and runs at tCCD_L: their bandwidth comes from many channels
// (checked against the datasheet below).
TEST_CASE("dram presets: sequential streaming reaches the datasheet bandwidth (within 5 %, refresh off)") {
  for (const std::string& name : dram_preset_names()) {
    DramSpec s = *dram_preset(name);
    if (s.hash_channels) continue;
    s.refresh = false;
    s.channels = 1;
    INFO(name << " peak " << s.peak_gbps() << " GB/s");
    const ReplayResult r = replay_detailed(s, sequential(s, 40000, false));
    CHECK(fraction_of_peak(s, r) > 0.95);
    CHECK(fraction_of_peak(s, r) <= 1.0);
  }
}

TEST_CASE("dram presets: with refresh, streaming loses about tRFC / tREFI and no more than 3 % beyond it") {
  for (const std::string& name : dram_preset_names()) {
    DramSpec s = *dram_preset(name);
    if (s.hash_channels) continue;  // as above
    s.channels = 1;
    INFO(name);
    const double refresh_share = static_cast<double>(s.tRFC) / s.tREFI;
    const ReplayResult r = replay_detailed(s, sequential(s, 40000, false));
    CHECK(fraction_of_peak(s, r) > 1.0 - refresh_share - 0.03 - 0.05);
    CHECK(r.stats.refreshes > 0);
  }
}

TEST_CASE("dram presets: random accesses reach far less than the peak, and have far fewer row hits") {
  for (const char* name : {"DDR4_3200", "HBM2"}) {
    DramSpec s = *dram_preset(name);
    s.channels = 1;
    INFO(name);
    const ReplayResult seq = replay_detailed(s, sequential(s, 20000, false));
    const ReplayResult rnd = replay_detailed(s, random_trace(s, 20000, 0.0, 7));
    CHECK(fraction_of_peak(s, rnd) < 0.6 * fraction_of_peak(s, seq));
    CHECK(rnd.stats.row_hits * 10 < seq.stats.row_hits);
    CHECK(rnd.avg_read_latency > seq.avg_read_latency);
  }
}

TEST_CASE("dram presets: each passes its own consistency check and names a source") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    CHECK(check_dram_spec(*dram_preset(name)) == "");
    CHECK_FALSE(dram_preset_source(name).empty());
  }
  CHECK(dram_preset("nope") == nullptr);
  CHECK(dram_preset("HBM3")->peak_gbps() == Approx(819.2).epsilon(0.001));
  CHECK(dram_preset("GDDR5X")->peak_gbps() == Approx(480.0).epsilon(0.001));
  CHECK(dram_preset("DDR4_3200")->peak_gbps() == Approx(25.6).epsilon(0.001));
  CHECK(dram_preset("HBM2")->peak_gbps() == Approx(256.0).epsilon(0.001));
}

TEST_CASE("dram: impossible timings and organisations are refused with the field named") {
  DramSpec s = tiny_spec();
  s.tRAS = s.tRCD - 1;
  CHECK(check_dram_spec(s).rfind("tRAS:", 0) == 0);
  s = tiny_spec();
  s.banks_per_group = 0;
  CHECK(check_dram_spec(s).rfind("banks_per_group:", 0) == 0);
  s = tiny_spec();
  s.refresh = true;
  s.tREFI = 100;
  s.tRFC = 200;
  CHECK(check_dram_spec(s).rfind("tREFI:", 0) == 0);
  s = tiny_spec();
  s.address_mapping = "rochrababgxx";
  CHECK_THROWS_WITH(AddressMap(s), Catch::Contains("unknown field 'xx'"));
  s.address_mapping = "rochrababgch";
  CHECK_THROWS_WITH(AddressMap(s), Catch::Contains("twice"));
}

TEST_CASE("dram presets: the GPU HBM presets give their datasheet bandwidth") {
  // H200 4.8 TB/s, H100 SXM5 3.35 TB/s, A100 80 GB 2.039 TB/s (NVIDIA datasheets).
  for (const auto& [name, gbps] : std::vector<std::pair<std::string, double>>{
           {"HBM3E_H200", 4800.0}, {"HBM3_H100", 3350.0}, {"HBM2E_A100", 2039.0}}) {
    INFO(name);
    const DramSpec& s = *dram_preset(name);
    CHECK(s.peak_gbps() == Approx(gbps).epsilon(0.01));
    CHECK(s.hash_channels);
  }
}
