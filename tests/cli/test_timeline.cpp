// `--timeline FILE.json`: a Chrome/Perfetto trace-event document of the run, for every model (jobs per
// variant) and with the SAT model's own tracks; written whole or not at all.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

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

namespace {

// Runs `args` twice with --timeline and checks what every model's timeline must hold: it loads, names
// `tracks`, every slice lies within the run (the longest variant's job track), each listed track has
// slices, and the two files are byte-identical. Returns the document.
nlohmann::json timeline_of(const std::string& name, const std::string& args, const std::vector<std::string>& tracks) {
  const auto dir = temp_dir("timeline-" + name);
  std::string first;
  for (int k = 0; k < 2; ++k) {
    const std::string file = dir + "/t" + std::to_string(k) + ".json";
    const auto r =
        run_sparsim("run " + args + " --quiet --timeline " + file + " --out " + dir + "/o" + std::to_string(k));
    INFO(r.err);
    REQUIRE(r.status == 0);
    if (k == 0)
      first = slurp(file);
    else
      CHECK(slurp(file) == first);  // deterministic, byte for byte
  }
  const auto doc = nlohmann::json::parse(first);
  const auto names = track_names(doc);
  std::map<int, std::string> tid_name;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name") tid_name[e["tid"].get<int>()] = e["args"]["name"];
  // The run's end: the longest job track (variants run one after another, or side by side for cdma).
  std::map<std::string, std::uint64_t> track_end, track_slices;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const std::string t = tid_name[e["tid"].get<int>()];
    track_end[t] = std::max(track_end[t], e["ts"].get<std::uint64_t>() + e["dur"].get<std::uint64_t>());
    ++track_slices[t];
  }
  std::uint64_t end = 0;
  for (const auto& [t, e] : track_end)
    if (t.rfind("jobs: ", 0) == 0) end = std::max(end, e);
  REQUIRE(end > 0);
  for (const auto& [t, e] : track_end) {
    INFO(t);
    CHECK(e <= end);
  }
  for (const auto& t : tracks) {
    INFO(t);
    CHECK(std::find(names.begin(), names.end(), t) != names.end());
    CHECK(track_slices[t] > 0);
  }
  return doc;
}

}  // namespace

TEST_CASE("timeline: scnn's PE-grid chunks, DRAM loads and stores, and stalls, deterministic") {
  const auto doc =
      timeline_of("scnn",
                  std::string(SPARSIM_SOURCE_DIR) +
                      "/configs/scnn-alexnet.yaml --set workload.layers=conv4,conv5 --set workload.batch=1",
                  {"jobs: scnn", "jobs: dcnn", "jobs: dcnn-opt", "scnn: PE grid", "scnn: DRAM loads",
                   "scnn: DRAM stores", "scnn: stalls"});
  // Every variant's chunks are on the grid track, named after the variant.
  std::set<std::string> variants;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X" && e.contains("args") && e["args"].contains("groups"))
      variants.insert(e["name"].get<std::string>().substr(0, e["name"].get<std::string>().find(' ')));
  CHECK(variants == std::set<std::string>{"scnn", "dcnn", "dcnn-opt"});
}

TEST_CASE("timeline: stc's kernels and phases, CTA waves and HBM traffic, deterministic") {
  const std::string src = SPARSIM_SOURCE_DIR;
  const auto doc = timeline_of(
      "stc", src + "/configs/stc-h200.yaml --workload " + src + "/tests/cdma/data/tiny-net.yaml --set workload.batch=8",
      {"jobs: sparse", "jobs: dense", "stc: kernels", "stc: kernel phases", "stc: CTA waves", "stc: HBM traffic"});
  // HBM traffic is aggregated: at most 32 slices per job.
  std::size_t hbm = 0, jobs = 0;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    if (e["name"] == "HBM") ++hbm;
    if (e.contains("args") && e["args"].contains("issued_macs")) ++jobs;
  }
  CHECK(hbm > 0);
  CHECK(hbm <= 32 * jobs);
}

TEST_CASE("timeline: cdma's compute ops, stalls, tensor transfers and PCIe bursts per variant, deterministic") {
  const std::string src = SPARSIM_SOURCE_DIR;
  const auto doc =
      timeline_of("cdma",
                  src + "/configs/cdma-alexnet.yaml --workload " + src +
                      "/tests/cdma/data/tiny-net.yaml --set workload.batch=8 --set memory.pcie.generation=1 "
                      "--set memory.pcie.lanes=1",
                  {"jobs: oracle", "jobs: vdnn", "jobs: cdma", "cdma: oracle compute", "cdma: vdnn compute",
                   "cdma: cdma compute", "cdma: vdnn stalls", "cdma: vdnn offloads", "cdma: vdnn prefetches",
                   "cdma: vdnn PCIe out", "cdma: vdnn PCIe in", "cdma: cdma offloads", "cdma: cdma PCIe out"});
  // The variants run side by side: each one's jobs start at 0.
  std::map<std::string, std::uint64_t> first;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == "X" && e.contains("args") && e["args"].contains("issued_macs"))
      first.emplace(e["tid"].dump(), e["ts"]);
  REQUIRE(first.size() == 3);
  for (const auto& [tid, ts] : first) CHECK(ts == 0);
}

TEST_CASE("timeline: the offload extension draws its transfers, PCIe bursts and gate stalls for design and baseline") {
  const std::string src = SPARSIM_SOURCE_DIR;
  timeline_of("offload",
              src + "/tests/cdma/data/sat-tiny-offload.yaml --set offload.pcie.generation=1 --set offload.pcie.lanes=1",
              {"jobs: sparse", "jobs: dense", "sat: array", "offload: design offloads", "offload: design prefetches",
               "offload: design PCIe out", "offload: design stalls", "offload: baseline offloads",
               "offload: baseline PCIe in", "offload: baseline stalls"});
}
