// Energy table: loading, units, SRAM interpolation, and errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/energy.hpp"
#include "sim/errors.hpp"

using namespace sparsim;

TEST_CASE("the built-in 45 nm table carries Horowitz's figures") {
  const auto t = EnergyTable::load("builtin:45nm", 1.0);
  CHECK(t.pj("mac_fp16") == Approx(1.5));
  CHECK(t.pj("dram_byte") == Approx(1300.0 / 8));
  for (const auto& [name, action] : t.actions()) {
    CHECK_FALSE(action.source.empty());
    CHECK_FALSE(action.per.empty());
  }
}

TEST_CASE("SRAM energy is interpolated log-linearly in capacity between the table's points") {
  const auto t = EnergyTable::load("builtin:45nm", 1.0);
  CHECK(t.pj(sram_read_action(8192)) == Approx(10.0 / 8));
  CHECK(t.pj(sram_read_action(32768)) == Approx(20.0 / 8));
  CHECK(t.pj(sram_read_action(16384)) == Approx(15.0 / 8));  // halfway in log2 between 8 KB and 32 KB
  CHECK(t.pj(sram_read_action(1024)) == Approx(10.0 / 8));   // below the smallest point: clamp
  CHECK(t.pj(sram_read_action(1 << 20)) == Approx(100.0 / 8));
  CHECK(t.pj(sram_read_action(4 << 20)) > 100.0 / 8);  // beyond: the last slope continues
}

TEST_CASE("energy is counters times per-event energy, scaled") {
  const auto t = EnergyTable::load("builtin:45nm", 0.5);
  std::vector<CounterSample> counters = {
      {"pe", "macs", "mac_fp16", 1000}, {"glb", "reads", "", 77}, {"dram", "bytes", "dram_byte", 8}};
  const auto items = energy_of(counters, t);
  REQUIRE(items.size() == 2);
  CHECK(total_pj(items) == Approx(0.5 * (1000 * 1.5 + 8 * 162.5)));
}

TEST_CASE("bad energy tables are errors naming file, line and key") {
  auto err = [](const std::string& text) {
    try {
      EnergyTable::from_text(text, "e.yaml", 1.0);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err("actions:\n  mac: {energy_pj: abc, per: x, source: y}\n")
            .find("e.yaml:2: actions.mac.energy_pj: expected a number") != std::string::npos);
  CHECK(err("actions:\n  mac: {energy_pj: 1}\n").find("needs 'per' and 'source'") != std::string::npos);
  CHECK(err("actionz: {}\n").find("e.yaml:1: actionz: unknown key") != std::string::npos);
  CHECK(err("actions:\n  mac: {energy_pj: -1, per: x, source: y}\n").find("non-negative") != std::string::npos);
  const auto t = EnergyTable::from_text("actions:\n  a: {energy_pj: 1, per: x, source: y}\n", "e.yaml", 1.0);
  CHECK_THROWS_AS(t.pj("missing_action"), InputError);
  CHECK_THROWS_AS(EnergyTable::load("/no/such/table.yaml", 1.0), InputError);
}

TEST_CASE("energy tables inherit: base plus overrides, from the built-in table or a file, with limits") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("sparsim-energy-base-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const EnergyTable builtin = EnergyTable::load("builtin:45nm", 1.0);
  const EnergyTable t = EnergyTable::from_text(
      "name: my-7nm\nbase: default-45nm\nactions:\n"
      "  mac_fp16: {energy_pj: 0.2, per: 16-bit float MAC, source: synthesis}\n",
      (dir / "mine.yaml").string(), 1.0);
  CHECK(t.name() == "my-7nm");
  CHECK(t.pj("mac_fp16") == Approx(0.2));                                             // overridden
  CHECK(t.pj("dram_byte") == Approx(builtin.pj("dram_byte")));                        // inherited
  CHECK(t.pj("sram_read_byte@65536") == Approx(builtin.pj("sram_read_byte@65536")));  // SRAM points too
  // A file based on another file, by a path relative to itself; scale applies to both.
  {
    std::ofstream(dir / "mine.yaml") << "name: my-7nm\nbase: builtin:45nm\nactions:\n"
                                        "  mac_fp16: {energy_pj: 0.2, per: MAC, source: synthesis}\n";
  }
  const EnergyTable child = EnergyTable::from_text(
      "base: mine.yaml\nactions:\n"
      "  dram_byte: {energy_pj: 30, per: byte, source: HBM3}\n",
      (dir / "child.yaml").string(), 2.0);
  CHECK(child.pj("mac_fp16") == Approx(0.4));
  CHECK(child.pj("dram_byte") == Approx(60));
  CHECK(child.pj("mac_fp32") == Approx(2 * builtin.pj("mac_fp32")));
  // Errors name the file, the line and the key.
  auto fails = [&](const std::string& text, const std::string& what) {
    try {
      (void)EnergyTable::from_text(text, (dir / "bad.yaml").string(), 1.0);
      FAIL("accepted: " << text);
    } catch (const InputError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(what) != std::string::npos);
      CHECK(std::string(e.what()).find("base") != std::string::npos);
    }
  };
  fails("base: builtin:7nm\n", "unknown built-in");
  fails("base: nosuch.yaml\n", "cannot open");
  fails("base: [a, b]\n", "expected a table name");
  { std::ofstream(dir / "loop.yaml") << "base: loop.yaml\n"; }
  fails("base: loop.yaml\n", "8 levels");
  fs::remove_all(dir);
}
