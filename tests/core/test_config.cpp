// Config loading and validation: every bad input is one InputError that names where and which key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/config/config.hpp"
#include "sim/errors.hpp"
#include "sim/workload_setup.hpp"

using namespace sparsim;

namespace {
std::string error_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    Config::from_text(yaml, "t.yaml", sets);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("defaults fill every declared key and values are typed") {
  const Config cfg = Config::from_text("", "t.yaml", {});
  CHECK(cfg.str("accelerator.name") == "sat");
  CHECK(cfg.str("workload.network") == "resnet18");
  CHECK(cfg.i64("workload.sparsity.n") == 2);
  CHECK(cfg.i64("workload.sparsity.m") == 8);
  CHECK(cfg.origin("workload.batch") == "default");
  CHECK_FALSE(cfg.is_set("workload.sparsity.activation_density"));
}

TEST_CASE("file values and --set overrides are applied in order, with their origin") {
  const Config cfg = Config::from_text("workload:\n  batch: 8\n", "t.yaml", {"workload.batch=16", "run.seed=7"});
  CHECK(cfg.i64("workload.batch") == 16);
  CHECK(cfg.origin("workload.batch") == "--set workload.batch=16");
  CHECK(cfg.i64("run.seed") == 7);
  const Config from_file = Config::from_text("workload:\n  batch: 8\n", "t.yaml", {});
  CHECK(from_file.origin("workload.batch") == "t.yaml:2");
}

TEST_CASE("unknown keys name file, line and the full key path") {
  const auto msg = error_of("workload:\n  batch: 4\n  bacth: 5\n");
  CHECK(msg.find("t.yaml:3") != std::string::npos);
  CHECK(msg.find("workload.bacth") != std::string::npos);
  CHECK(msg.find("unknown key") != std::string::npos);
  CHECK(error_of("nonsense: 1\n").find("t.yaml:1: nonsense: unknown key") != std::string::npos);
}

TEST_CASE("wrong types and out-of-range values are errors") {
  CHECK(error_of("workload:\n  batch: four\n").find("t.yaml:2: workload.batch: expected an integer") !=
        std::string::npos);
  CHECK(error_of("workload:\n  batch: 0\n").find("out of range") != std::string::npos);
  CHECK(error_of("run:\n  functional: maybe\n").find("expected true or false") != std::string::npos);
  CHECK(error_of("run:\n  mode: turbo\n").find("not one of: fast, detailed") != std::string::npos);
  CHECK(error_of("workload:\n  batch: [1, 2]\n").find("expected a single integer") != std::string::npos);
  CHECK(error_of("workload: 3\n").find("workload: expected a mapping") != std::string::npos);
}

TEST_CASE("overrides given with --set are validated like file values") {
  CHECK(error_of("", {"workload.bogus=1"}).find("--set workload.bogus=1: workload.bogus: unknown key") !=
        std::string::npos);
  CHECK(error_of("", {"workload.batch=-3"}).find("out of range") != std::string::npos);
  CHECK(error_of("", {"novalue"}).find("expected key.path=value") != std::string::npos);
}

TEST_CASE("malformed YAML and missing files are one-line errors") {
  const auto msg = error_of("workload:\n  batch: [1, 2\n");
  CHECK(msg.find("t.yaml:") == 0);
  CHECK(msg.find("malformed YAML") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
  try {
    Config::load("/nonexistent/x.yaml", {});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("/nonexistent/x.yaml: cannot open") == 0);
  }
}

TEST_CASE("an unknown accelerator lists the known ones") {
  const auto msg = error_of("accelerator:\n  name: tpu9000\n");
  CHECK(msg.find("t.yaml:2: accelerator.name: unknown accelerator 'tpu9000'") != std::string::npos);
  CHECK(msg.find("sat") != std::string::npos);
}

TEST_CASE("the dumped effective config loads back to the same values") {
  const Config a = Config::from_text("workload:\n  batch: 8\n", "t.yaml", {"run.seed=3"});
  const Config b = Config::from_text(a.dump_yaml(), "dump.yaml", {});
  for (const auto& [key, value] : a.values()) CHECK(b.values().at(key).text == value.text);
}

TEST_CASE("relative paths resolve against the config file's directory") {
  const auto dir = std::filesystem::temp_directory_path() / "sparsim_cfg_test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "c.yaml";
  std::ofstream(file) << "energy:\n  table: tables/mine.yaml\n";
  const Config cfg = Config::load(file.string(), {});
  CHECK(cfg.resolved_path("energy.table") == (dir / "tables/mine.yaml").string());
  CHECK(Config::from_text("", "t", {}).resolved_path("energy.table") == "builtin:45nm");
}

TEST_CASE("workload.sparsity.weight_density sets every prunable layer's unstructured density") {
  const Config cfg =
      Config::from_text("workload:\n  network: alexnet\n  sparsity: {n: 0, m: 0, weight_density: 0.3}\n", "t.yaml", {});
  const Network net = configured_network(cfg);
  int prunable = 0;
  for (const auto& l : net.layers) {
    INFO(l.name);
    CHECK(l.sparsity.weight_density == (l.sparsity.prunable ? 0.3 : 1.0));
    CHECK_FALSE(l.sparsity.nm.active());
    prunable += l.sparsity.prunable;
  }
  CHECK(prunable > 0);
  // Unset: the network's own densities (alexnet is dense).
  for (const auto& l : configured_network(Config::from_text("workload:\n  network: alexnet\n", "t.yaml", {})).layers)
    CHECK(l.sparsity.weight_density == 1.0);
}
