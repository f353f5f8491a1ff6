// `--timeline FILE.json`: a Chrome/Perfetto trace-event document of the run, for every model (jobs per
// variant) and with the SAT model's own tracks; written whole or not at all.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {
nlohmann::json load(const std::string& path) { return nlohmann::json::parse(slurp(path)); }

std::vector<std::string> track_names(const nlohmann::json& doc) {
  std::vector<std::string> names;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name") names.push_back(e["args"]["name"].get<std::string>());
  return names;
}
}  // namespace

TEST_CASE("timeline: a SAT run's jobs, array tiles, DRAM transfers and mask jobs, in fast mode") {
  const auto dir = temp_dir("timeline");
  const auto r =
      run_sparsim("run --set workload.layers=fc --set workload.batch=2 --timeline " + dir + "/t.json --out " + dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto doc = load(dir + "/t.json");
  const auto names = track_names(doc);
  for (const char* t :
       {"jobs: sparse", "jobs: dense", "sat: array", "sat: DRAM loads", "sat: DRAM stores", "sat: mask unit"})
    CHECK(std::find(names.begin(), names.end(), t) != names.end());
  // The job slices add up to the report's cycles and sit end to end.
  const auto report = load(dir + "/report.json");
  std::uint64_t report_cycles = 0, slice_cycles = 0, end = 0;
  for (const auto& j : report["jobs"]) report_cycles += j["cycles"].get<std::uint64_t>();
  int jobs = 0;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X" && e.contains("args") && e["args"].contains("issued_macs")) {
      CHECK(e["ts"].get<std::uint64_t>() == end);
      end += e["dur"].get<std::uint64_t>();
      slice_cycles += e["dur"].get<std::uint64_t>();
      ++jobs;
    }
  CHECK(jobs == 6);
  CHECK(slice_cycles == report_cycles);
  // Array tiles lie inside the run.
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X" && e.contains("args") && e["args"].contains("tile")) CHECK(e["ts"].get<std::uint64_t>() <= end);
}

TEST_CASE("timeline: any model's jobs, and bad paths exit 2 before simulating") {
  const auto dir = temp_dir("timeline-any");
  auto r =
      run_sparsim("run " + std::string(SPARSIM_SOURCE_DIR) +
                  "/configs/scnn-alexnet.yaml --set workload.layers=conv5 --timeline " + dir + "/s.json --out " + dir);
  REQUIRE(r.status == 0);
  const auto names = track_names(load(dir + "/s.json"));
  CHECK(std::find(names.begin(), names.end(), "jobs: scnn") != names.end());
  for (const std::string& bad : {dir + "/t.txt", dir + "/no/such/dir/t.json", dir}) {
    r = run_sparsim("run --set workload.layers=fc --timeline " + bad + " --out " + dir + "/o");
    INFO(bad << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find("run.timeline") != std::string::npos);
  }
  for (const auto& e : std::filesystem::directory_iterator(dir))
    CHECK(e.path().filename().string().find("partial") == std::string::npos);
}
