// Energy table: loading, units, SRAM interpolation, and errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sim/area.hpp"
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

// Area: the table prices units of items, models list their parts, the report adds them up per component
// and names what the table does not price. A base table's areas are inherited and may be overridden.
TEST_CASE("area per component: priced items add up, unpriced ones are named, tables inherit areas") {
  const EnergyTable builtin = EnergyTable::load("builtin:45nm", 0.5);  // energy scale does not touch area
  REQUIRE(builtin.area("mac_fp16") != nullptr);
  CHECK(builtin.area("mac_fp16")->um2 == Approx(3000));
  CHECK(builtin.area("nm_select_mux") == nullptr);
  for (const char* item : {"mac_int8", "mac_fp32", "sram_byte", "register_byte", "compare_int8"})
    CHECK_FALSE(builtin.area(item)->source.empty());
  const std::vector<AreaPart> parts = {{"sparse", "array", "mac_fp16", 1024, "32 x 32"},
                                       {"sparse", "array", "nm_select_mux", 1024, "one per MAC"},
                                       {"sparse", "glb", "sram_byte", 1 << 20, "capacity"},
                                       {"dense", "array", "mac_fp16", 1024, "32 x 32"}};
  auto a = area_report(parts, builtin);
  CHECK(a["variants"]["dense"]["total_mm2"].get<double>() == Approx(1024 * 3000e-6));
  CHECK(a["variants"]["dense"]["complete"] == true);
  CHECK(a["variants"]["sparse"]["components"]["glb"]["mm2"].get<double>() == Approx((1 << 20) * 4.6e-6));
  CHECK(a["variants"]["sparse"]["complete"] == false);
  CHECK(a["variants"]["sparse"]["not_priced"][0] == "array.nm_select_mux");
  CHECK(a["items"]["mac_fp16"]["source"].get<std::string>().find("Horowitz") != std::string::npos);
  // A table that prices the multiplexer and overrides the MAC.
  const EnergyTable mine = EnergyTable::from_text(
      "base: default-45nm\narea:\n  nm_select_mux: {um2: 10, per: 4:1 mux, source: synthesis}\n"
      "  mac_fp16: {um2: 2000, per: MAC, source: synthesis}\n",
      "mine.yaml", 1.0);
  a = area_report(parts, mine);
  CHECK(a["variants"]["sparse"]["complete"] == true);
  CHECK(a["variants"]["sparse"]["components"]["array"]["mm2"].get<double>() == Approx(1024 * 2010e-6));
  CHECK(mine.pj("mac_fp16") == Approx(1.5));  // energies still inherited
  // Bad area entries: file, line and key.
  auto err = [](const std::string& text) {
    try {
      (void)EnergyTable::from_text(text, "e.yaml", 1.0);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err("base: default-45nm\narea:\n  mux: {um2: -1, per: x, source: y}\n").find("e.yaml:3: area.mux.um2") !=
        std::string::npos);
  CHECK(err("base: default-45nm\narea:\n  mux: {um2: 1}\n").find("area.mux: every area item needs") !=
        std::string::npos);
  CHECK(err("base: default-45nm\narea:\n  mux: {um2: 1, per: x, source: y, mm2: 3}\n").find("area.mux.mm2: unknown") !=
        std::string::npos);
  CHECK(err("base: default-45nm\narea: [1]\n").find("area: expected a mapping") != std::string::npos);
  // A table with a base may override only its SRAM points (its actions come from the base).
  const EnergyTable sram_only = EnergyTable::from_text(
      "base: default-45nm\nsram:\n  - {capacity_bytes: 1024, read_pj_64b: 1, write_pj_64b: 1}\n", "s.yaml", 1.0);
  CHECK(sram_only.pj(sram_read_action(1024)) == Approx(1.0 / 8));
  CHECK(sram_only.pj("mac_fp16") == Approx(1.5));
}
