// `sparsim run configs/cdma-*.yaml` gives the comparison from the command line (the "done when").
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/in_child.hpp"

namespace {

std::string run(const std::string& args, int& status) { return sparsim::test_support::run_sparsim_capture(args, status); }

}  // namespace

TEST_CASE("sparsim run on a cdma config prints the offload comparison and writes extra.cdma") {
  const std::string dir = std::string(SPARSIM_SOURCE_DIR);
  const std::string out_dir = "cdma-cli-test-out";
  int status = -1;
  const std::string out =
      run("run " + dir + "/configs/cdma-squeezenet.yaml --set workload.batch=4 --out " + out_dir, status);
  INFO(out);
  REQUIRE(status == 0);
  REQUIRE(out.find("compression ratio of offloaded activations: zvc") != std::string::npos);
  REQUIRE(out.find("cDMA over vDNN") != std::string::npos);
  std::ifstream f(out_dir + "/report.json");
  REQUIRE(f.good());
  const auto report = nlohmann::json::parse(f);
  const auto& cdma = report.at("extra").at("cdma");
  REQUIRE(cdma.at("compression_ratio").at("zvc").get<double>() > 1.0);
  REQUIRE(cdma.at("functional").at("mismatches").get<int>() == 0);
  const double vdnn = report.at("extra").at("speedup_vs_oracle").at("vdnn").get<double>();
  const double cd = report.at("extra").at("speedup_vs_oracle").at("cdma").get<double>();
  REQUIRE(vdnn <= 1.0);
  REQUIRE(cd <= 1.0);
  REQUIRE(cd > vdnn);
}

TEST_CASE("sparsim run rejects a bad cdma key with a one-line error naming it") {
  int status = -1;
  const std::string out = run("run " + std::string(SPARSIM_SOURCE_DIR) +
                                  "/configs/cdma-alexnet.yaml --set memory.pcie.lanes=3 --out cdma-cli-bad",
                              status);
  REQUIRE(status != 0);
  REQUIRE(out.find("memory.pcie.lanes") != std::string::npos);
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);
}
