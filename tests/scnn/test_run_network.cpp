// Not a test: a runner for whole networks (hidden tag [.run]) used to produce the figures in
// docs/validation/scnn.md until `sparsim run` drives the model. Environment: SCNN_NETWORK (built-in name
// or YAML file), SCNN_SET (semicolon-separated key=value overrides), SCNN_MODE (fast|detailed).
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "tests/scnn/harness.hpp"

using namespace sparsim;
using namespace sparsim::scnn::test;

TEST_CASE("scnn run a network from the environment", "[.run]") {
  const char* name = std::getenv("SCNN_NETWORK");
  REQUIRE(name != nullptr);
  std::vector<std::string> sets;
  if (const char* s = std::getenv("SCNN_SET")) {
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ';');)
      if (!item.empty()) sets.push_back(item);
  }
  const char* mode = std::getenv("SCNN_MODE");
  const TimingMode m = mode && std::string(mode) == "detailed" ? TimingMode::Detailed : TimingMode::Fast;
  auto sim = make_sim(load_network(name), m, false, sets);
  run_all({sim.get()});
  const auto& r = sim->results;
  std::printf("%-14s %12s %12s %12s %8s %8s %8s %6s %5s %4s\n", "layer", "scnn", "dcnn", "dcnn-opt", "speedup", "ideal",
              "conflict", "imbal", "chunk", "kc");
  for (const auto& l : r.extra["scnn"]["layers"]) {
    const auto* j = find_job(r, l["layer"].get<std::string>(), "scnn");
    const auto* o = find_job(r, l["layer"].get<std::string>(), "dcnn-opt");
    std::printf("%-14s %12llu %12llu %12llu %8.2f %8.2f %8llu %6llu %5d %4d\n", l["layer"].get<std::string>().c_str(),
                (unsigned long long)l["scnn_cycles"].get<std::uint64_t>(),
                (unsigned long long)l["dcnn_cycles"].get<std::uint64_t>(), (unsigned long long)o->cycles,
                l["speedup_vs_dcnn"].get<double>(), l["ideal"].get<double>(),
                (unsigned long long)j->stall_cycles.at("bank_conflict"),
                (unsigned long long)j->stall_cycles.at("load_imbalance"), j->mapping["chunks"].get<int>(),
                j->mapping["kc"].get<int>());
  }
  for (const auto& line : r.extra["summary_lines"]) std::printf("%s\n", line.get<std::string>().c_str());
}
