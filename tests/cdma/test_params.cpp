// PCIe arithmetic, stage throughput and parameter validation of the cDMA model.
#include <catch2/catch.hpp>

#include "models/cdma/params.hpp"
#include "models/cdma/stage.hpp"
#include "sim/config/config.hpp"
#include "sim/errors.hpp"

using namespace sparsim;
using namespace sparsim::cdma;

TEST_CASE("PCIe raw bandwidth per generation (x16, one direction)") {
  PcieParams p;
  const double expected[] = {4.0, 8.0, 15.7538, 31.5077, 63.0154};  // GB/s after 8b/10b or 128b/130b
  for (int g = 1; g <= 5; ++g) {
    p.generation = g;
    REQUIRE(p.raw_gbps() == Approx(expected[g - 1]).epsilon(1e-4));
  }
  p.generation = 3;
  p.lanes = 8;
  REQUIRE(p.raw_gbps() == Approx(15.7538 / 2).epsilon(1e-4));
}

TEST_CASE("TLP overhead: wire bytes and payload bandwidth") {
  PcieParams p;  // 256-byte payload, 24 bytes of overhead per packet
  REQUIRE(p.wire_bytes(0) == 0);
  REQUIRE(p.wire_bytes(1) == 25);
  REQUIRE(p.wire_bytes(256) == 280);
  REQUIRE(p.wire_bytes(257) == 257 + 48);
  REQUIRE(p.wire_bytes(65536) == 65536 + 256 * 24);
  REQUIRE(p.payload_gbps() == Approx(15.7538 * 256.0 / 280.0).epsilon(1e-4));
}

TEST_CASE("stage clock keeps the exact mean throughput over many chunks") {
  const Rate r = Rate::from_bytes_per_cycle(10.289);  // 15.75 GB/s at 1.531 GHz
  StageClock clock(r);
  std::uint64_t cycles = 0, bytes = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t b = 1000 + 37 * (i % 11);
    cycles += clock.cycles_for(b);
    bytes += b;
  }
  const double ideal = static_cast<double>(bytes) / r.bytes_per_cycle();
  REQUIRE(static_cast<double>(cycles) >= ideal);
  REQUIRE(static_cast<double>(cycles) < ideal + 1.0);
}

TEST_CASE("bad cDMA parameters name the file, line and key") {
  auto load = [](const std::string& extra) {
    return Config::from_text("accelerator:\n  name: cdma\n" + extra, "bad.yaml", {});
  };
  REQUIRE_NOTHROW(load(""));
  try {
    load("memory:\n  pcie:\n    lanes: 3\n");
    FAIL("lanes 3 accepted");
  } catch (const InputError& e) {
    const std::string m = e.what();
    REQUIRE(m.find("bad.yaml:5") != std::string::npos);
    REQUIRE(m.find("memory.pcie.lanes") != std::string::npos);
  }
  REQUIRE_THROWS_AS(load("memory:\n  pcie:\n    generation: 7\n"), InputError);
  REQUIRE_THROWS_AS(load("  dma:\n    algorithm: lz4\n"), InputError);
  REQUIRE_THROWS_AS(load("  dma:\n    chunk_bytes: 100000\n"), InputError);
  REQUIRE_THROWS_AS(load("  dma:\n    buffer_bytes: 1024\n"), InputError);
  REQUIRE_THROWS_AS(Config::from_text("accelerator:\n  name: cdma\n", "x.yaml", {"workload.phases=FF"}), InputError);
}
