#pragma once
// Helpers of the sweep tests: small sweep files over the SAT example config, and reading results.csv.
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/cli_runner.hpp"

inline std::string sat_base() { return std::string(SPARSIM_SOURCE_DIR) + "/configs/sat-resnet18.yaml"; }

// A sweep of `points` points (M of the N:M pattern) on one small layer; detailed mode makes each point
// take long enough that a test can interrupt the sweep between points.
inline std::string small_sweep(const std::string& dir, int points, const std::string& mode = "fast",
                               const std::string& extra = "") {
  std::string values;
  const int ms[] = {2, 4, 8, 16, 3, 5, 6, 7, 9, 10};
  for (int i = 0; i < points; ++i) values += (i ? ", " : "") + std::to_string(ms[i]);
  return write_file(dir, "sweep.yaml",
                    "name: test-sweep\n"
                    "base: " +
                        sat_base() +
                        "\n"
                        "set:\n"
                        "  workload.layers: layer1.0.conv1\n"
                        "  workload.batch: 1\n"
                        "  workload.sparsity.n: 1\n"
                        "  run.mode: " +
                        mode +
                        "\n"
                        "axes:\n"
                        "  - key: workload.sparsity.m\n"
                        "    values: [" +
                        values + "]\n" + extra);
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) out.push_back(line);
  return out;
}

inline std::vector<std::string> split_csv_simple(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  for (std::string f; std::getline(s, f, ',');) out.push_back(f);
  return out;
}

inline int count_dirs(const std::string& dir) {
  int n = 0;
  if (!std::filesystem::exists(dir)) return 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string()[0] != '.') ++n;
  return n;
}
