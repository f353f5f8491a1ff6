// `sparsim run --workload TRACE_DIR`: a recorded training run simulated record by record, on the shipped
// trace (workloads/traces/cnn-nm: 5 records of a 2:4 CNN, 40 steps).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/trace_run.hpp"
#include "tests/cli/cli_runner.hpp"

namespace {
const std::string kTrace = std::string(SPARSIM_SOURCE_DIR) + "/workloads/traces/cnn-nm";
}

TEST_CASE("trace run: every record is a step of the report, weighted into the run's totals") {
  const auto dir = temp_dir("trace-run");
  const auto r = run_sparsim("run --workload " + kTrace + " --out " + dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("5 of 5 records simulated") != std::string::npos);
  CHECK(r.out.find("whole run (40 steps)") != std::string::npos);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  REQUIRE(report["steps"].size() == 5);
  double sparse = 0;
  std::int64_t represented = 0;
  for (const auto& s : report["steps"]) {
    sparse += s["represents_steps"].get<double>() * s["variants"]["sparse"]["cycles"].get<double>();
    represented += s["represents_steps"].get<std::int64_t>();
    CHECK(s["layers"].size() == 4);
    CHECK(s["layers"][1]["weights"].get<std::string>().find("trace mask") == 0);  // conv2: the recorded mask
    CHECK(s["layers"][0]["weights"] == "dense");                                  // conv1 stays dense
  }
  CHECK(represented == 40);
  CHECK(report["summary"]["variants"]["sparse"]["cycles"].get<double>() == Approx(sparse));
  CHECK(report["summary"]["simulated_records"] == 5);
  // Every job carries its step; layers.csv has a step column with each record's rows.
  std::set<std::int64_t> steps;
  for (const auto& j : report["jobs"]) steps.insert(j["step"].get<std::int64_t>());
  CHECK(steps == std::set<std::int64_t>{0, 10, 20, 30, 39});
  const std::string csv = slurp(dir + "/layers.csv");
  CHECK(csv.rfind("step,layer_index,layer,phase,", 0) == 0);
  CHECK(csv.find("\n39,1,conv2,FF,") != std::string::npos);
  // Deterministic: the same run again gives the same report, byte for byte.
  const auto again = temp_dir("trace-run-again");
  REQUIRE(run_sparsim("run --workload " + kTrace + " --out " + again).status == 0);
  CHECK(slurp(again + "/report.json") == slurp(dir + "/report.json"));
}

TEST_CASE("trace run: records are sampled evenly when there are more than workload.trace.max_records") {
  const auto dir = temp_dir("trace-sample");
  const auto r = run_sparsim("run --workload " + kTrace + " --set workload.trace.max_records=3 --out " + dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  REQUIRE(report["steps"].size() == 3);
  CHECK(report["steps"][0]["step"] == 0);
  CHECK(report["steps"][1]["step"] == 20);
  CHECK(report["steps"][2]["step"] == 39);
  CHECK(report["steps"][0]["represents_steps"] == 20);
  CHECK(report["steps"][2]["represents_steps"] == 1);
  CHECK(report["summary"]["extrapolation"].get<std::string>().rfind("sampled", 0) == 0);
  // --functional checks every simulated record's jobs and says so.
  const auto f =
      run_sparsim("run --workload " + kTrace + " --set workload.trace.max_records=2 --functional --out " + dir + "/f");
  CHECK(f.status == 0);
  CHECK(f.out.find("functional check: passed (") != std::string::npos);
  CHECK(f.out.find(" jobs of 2 records against a dense reference)") != std::string::npos);
  // ... and in the JSON summary, which keeps stdout to itself.
  const auto j = run_sparsim("run --workload " + kTrace + " --set workload.trace.max_records=2 --functional " +
                             "--format json --out " + dir + "/j");
  CHECK(j.status == 0);
  const auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["functional_check"]["passed"] == true);
  CHECK(doc["steps"].size() == 2);
}

// The models read what the trace recorded: cDMA compresses each record's activation densities, SCNN runs
// on the recorded weight masks.
TEST_CASE("trace run: cDMA follows each record's activation densities, SCNN reads the recorded masks") {
  const auto dir = temp_dir("trace-cdma");
  REQUIRE(run_sparsim("run " + std::string(SPARSIM_SOURCE_DIR) + "/configs/cdma-alexnet.yaml --workload " + kTrace +
                      " --out " + dir)
              .status == 0);
  auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  const auto cycles = [&](std::size_t i) { return report["steps"][i]["variants"]["cdma"]["cycles"].get<double>(); };
  // Record 0 has sparser activations (mean 0.52) than record 30 (0.63): less to offload, fewer cycles.
  CHECK(cycles(0) < cycles(3));
  CHECK(report["steps"][0]["variants"]["vdnn"]["cycles"] == report["steps"][3]["variants"]["vdnn"]["cycles"]);

  const auto scnn = temp_dir("trace-scnn");
  REQUIRE(run_sparsim("run " + std::string(SPARSIM_SOURCE_DIR) + "/configs/scnn-alexnet.yaml --workload " + kTrace +
                      " --set workload.trace.max_records=2 --out " + scnn)
              .status == 0);
  report = nlohmann::json::parse(slurp(scnn + "/report.json"));
  bool saw = false;
  for (const auto& j : report["jobs"])
    if (j["layer"] == "conv2" && j["variant"] == "scnn" && j["step"] == 39) {
      CHECK(j["mapping"]["weight_mask"].get<std::string>().find("masks/39/conv2.spmask") != std::string::npos);
      saw = true;
    }
  CHECK(saw);
}

TEST_CASE("trace run: keys that would contradict the trace, and a damaged trace, exit 2 naming them") {
  const auto dir = temp_dir("trace-bad");
  for (const std::string set : {"workload.layers=conv2", "workload.sparsity.activation_density=0.5",
                                "workload.sparsity.profile=relu", "run.trace=waves.vcd"}) {
    const auto r = run_sparsim("run --workload " + kTrace + " --set " + set + " --out " + dir);
    INFO(set << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(set.substr(0, set.find('='))) != std::string::npos);
    CHECK(r.err.find("training trace") != std::string::npos);
  }
  // A copy of the trace with a damaged densities.csv: the error names the file and line.
  const std::string copy = dir + "/trace";
  std::filesystem::copy(kTrace, copy, std::filesystem::copy_options::recursive);
  {
    std::ofstream f(copy + "/densities.csv", std::ios::app);
    f << "40,conv1,train,abc,1,1,0,,\n";
  }
  const auto r = run_sparsim("run --workload " + copy + " --out " + dir + "/out");
  INFO(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("densities.csv:") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/out/report.json"));
}

TEST_CASE("trace run: evenly spaced samples keep the first and last record and cover every step") {
  sparsim::TrainingTrace t;
  t.steps = 100;
  for (int s = 0; s < 100; s += 10) t.records.push_back({s, "train", {}});
  for (std::int64_t k : {0, 1, 2, 3, 4, 7, 10, 50}) {
    const auto samples = sparsim::sample_trace_records(t, k);
    INFO("max_records " << k);
    std::int64_t sum = 0;
    for (const auto& s : samples) sum += s.steps;
    CHECK(sum == 100);
    CHECK(samples.front().record == 0);
    if (k != 1) CHECK(samples.back().record == 9);
    CHECK(samples.size() == (k == 0 || k >= 10 ? 10 : static_cast<std::size_t>(k)));
  }
}

// accelerator.mask_unit.rank=when_masks_change: a record whose masks did not change since the previous one
// is re-compressed without ranking (no comparisons, no rank energy); every_step ranks it anyway.
TEST_CASE("trace run: SAT's mask unit skips ranking where the trace says the masks did not change") {
  const auto dir = temp_dir("trace-frozen");
  const std::string copy = dir + "/trace";
  std::filesystem::copy(kTrace, copy, std::filesystem::copy_options::recursive);
  {  // the record of step 20: no mask bit changed since step 10
    std::ifstream in(copy + "/densities.csv");
    std::string text, line;
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::stringstream ss(line);
      for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
      while (cells.size() < 9) cells.emplace_back();
      if (cells[0] == "20" && !cells[7].empty()) cells[6] = "0.000000";
      for (std::size_t i = 0; i < cells.size(); ++i) text += (i ? "," : "") + cells[i];
      text += "\n";
    }
    std::ofstream(copy + "/densities.csv") << text;
  }
  auto compares = [&](const std::string& rank, std::int64_t step) {
    const auto out = dir + "/" + rank;
    const auto r =
        run_sparsim("run --workload " + copy + " --set accelerator.mask_unit.rank=" + rank + " --out " + out);
    REQUIRE(r.status == 0);
    const auto report = nlohmann::json::parse(slurp(out + "/report.json"));
    std::uint64_t n = 0;
    for (const auto& j : report["jobs"])
      if (j["step"] == step && j["counters"].contains("mask_unit"))
        n += j["counters"]["mask_unit"]["compares"].get<std::uint64_t>();
    return n;
  };
  CHECK(compares("every_step", 20) > 0);
  CHECK(compares("when_masks_change", 20) == 0);
  CHECK(compares("when_masks_change", 10) == compares("every_step", 10));
  // The first record's 0 means "no previous record", not "unchanged": it is ranked.
  CHECK(compares("when_masks_change", 0) > 0);
}
