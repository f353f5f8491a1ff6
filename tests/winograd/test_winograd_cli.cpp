// Winograd through the command line: config and network-file errors (exit 2, file:line:key), the
// per-layer override, the reports' multiplication columns and the transform unit on SAT and the GPU.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/in_child.hpp"

namespace fs = std::filesystem;
using sparsim::test_support::run_sparsim_capture;
using json = nlohmann::json;

namespace {

fs::path temp_dir(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / ("sparsim-wino-" + tag + "-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// Two 3x3 stride-1 convs; the second keeps direct convolution whatever the config says.
const char* kNet =
    "name: two\n"
    "layers:\n"
    "  - {name: a, type: conv, cin: 16, cout: 32, hw: 14, kernel: 3, pad: 1, input_gradient: false}\n"
    "  - {name: b, type: conv, cin: 32, cout: 32, hw: 14, kernel: 3, pad: 1, algorithm: direct}\n";

json run_json(const std::string& args, const fs::path& out) {
  int status = 0;
  const std::string text = run_sparsim_capture("run " + args + " --quiet --out " + out.string(), status);
  INFO(text);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return json::parse(std::ifstream(out / "report.json"));
}

const json& job(const json& r, const std::string& layer, const std::string& phase, const std::string& variant) {
  for (const auto& j : r["jobs"])
    if (j["layer"] == layer && j["phase"] == phase && j["variant"] == variant) return j;
  FAIL("no job " << layer << " " << phase << " " << variant);
  return r["jobs"][0];
}

}  // namespace

TEST_CASE("algorithm: winograd on an ineligible layer names the file, line and key, exit 2") {
  const fs::path d = temp_dir("bad");
  write(d / "net.yaml",
        "name: bad\nlayers:\n  - {name: a, type: conv, cin: 8, cout: 8, hw: 8, kernel: 3, pad: 1}\n"
        "  - {name: p, type: conv, cin: 8, cout: 8, hw: 8, kernel: 1,\n     algorithm: winograd_2x2_3x3}\n");
  int status = 0;
  const std::string out = run_sparsim_capture(
      "run --workload " + (d / "net.yaml").string() + " --quiet --out " + (d / "o").string(), status);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(out.find("net.yaml:5") != std::string::npos);
  CHECK(out.find("algorithm") != std::string::npos);
  CHECK(out.find("1x1") != std::string::npos);
  write(d / "net2.yaml",
        "name: bad\nlayers:\n  - {name: a, type: conv, cin: 8, cout: 8, hw: 8, kernel: 3, algorithm: fft}\n");
  const std::string out2 = run_sparsim_capture(
      "run --workload " + (d / "net2.yaml").string() + " --quiet --out " + (d / "o").string(), status);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(out2.find("net2.yaml:3") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("bad workload.conv_algorithm and Winograd on SCNN are input errors") {
  const fs::path d = temp_dir("cfg");
  int status = 0;
  const std::string bad =
      run_sparsim_capture("run --set workload.conv_algorithm=fft --quiet --out " + (d / "o").string(), status);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(bad.find("workload.conv_algorithm") != std::string::npos);
  const std::string scnn =
      run_sparsim_capture("run " SPARSIM_SOURCE_DIR
                          "/configs/scnn-vgg16.yaml --set workload.conv_algorithm=winograd_2x2_3x3 --quiet --out " +
                              (d / "o").string(),
                          status);
  INFO(scnn);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(scnn.find("workload.conv_algorithm") != std::string::npos);
  CHECK(scnn.find("Cartesian") != std::string::npos);
  fs::remove_all(d);
}

TEST_CASE("SAT runs a Winograd layer: per-layer override, multiplications next to direct, transform unit") {
  const fs::path d = temp_dir("sat");
  write(d / "net.yaml", kNet);
  const std::string common = "--workload " + (d / "net.yaml").string() +
                             " --set workload.batch=2 --set workload.sparsity.n=0 --set workload.sparsity.m=0 ";
  const json w = run_json(common + "--set workload.conv_algorithm=winograd_2x2_3x3", d / "w");
  const json& a = job(w, "a", "FF", "dense");
  REQUIRE(a.contains("convolution"));
  const json& c = a["convolution"];
  CHECK(c["algorithm"] == "winograd_2x2_3x3");
  // 14x14 outputs: 49 tiles of 2x2 per sample, 16 positions: 16 * 32 * 16 * 98.
  CHECK(c["gemm_macs"] == 16 * 32 * 16 * 98);
  CHECK(c["direct_macs"] == 2 * 32 * 16 * 9 * 14 * 14);
  CHECK(c["issued_macs"] == c["gemm_macs"]);  // dense operands: nothing skipped
  CHECK(c["skipped_macs"] == 0);
  CHECK(a["issued_macs"] == c["gemm_macs"]);
  CHECK(a["counters"]["winograd_transform"]["adds"] == c["transform_adds"]);
  CHECK(a["counters"]["winograd_transform"]["const_mults"] == c["transform_const_mults"]);
  CHECK(a["energy_pj_by_component"]["winograd_transform"].get<double>() > 0.0);
  CHECK(job(w, "b", "FF", "dense")["convolution"]["algorithm"] == "direct");
  CHECK(job(w, "b", "FF", "dense")["convolution"]["gemm_macs"] == job(w, "b", "FF", "dense")["dense_macs"]);
  // layer a has no BP (input_gradient: false); its WU is Winograd too.
  CHECK(job(w, "a", "WU", "dense")["convolution"]["algorithm"] == "winograd_2x2_3x3");
  std::ifstream csv(d / "w" / "layers.csv");
  std::string header;
  std::getline(csv, header);
  CHECK(header.find(",algorithm,direct_macs,direct_effectual_macs,gemm_macs,effectual_macs,transform_adds") !=
        std::string::npos);
  CHECK(header.find("issued_macs_dense,skipped_macs_dense") != std::string::npos);

  // Serialized transforms take longer; overlapped, the op still lasts at least its transforms. Beyond the
  // transform wait, the serialized op differs only by DRAM waits (the DRAM's state differs between runs).
  const json s = run_json(
      common + "--set workload.conv_algorithm=winograd_2x2_3x3 --set accelerator.winograd.overlap=false", d / "s");
  const json& sa = job(s, "a", "FF", "dense");
  const auto over = a["cycles"].get<std::uint64_t>();
  const auto serial = sa["cycles"].get<std::uint64_t>();
  const auto busy = sa["counters"]["winograd_transform"]["busy_cycles"].get<std::uint64_t>();
  CHECK(busy == a["counters"]["winograd_transform"]["busy_cycles"].get<std::uint64_t>());
  CHECK(busy > 0);
  CHECK(over >= busy);
  CHECK(serial > over);
  CHECK(sa["stall_cycles"]["winograd_transform"].get<std::uint64_t>() == busy);
  CHECK(serial - busy <= over + sa["stall_cycles"]["dram_bandwidth"].get<std::uint64_t>());

  // The direct run's report has none of it.
  const json dr = run_json(common, d / "d");
  CHECK_FALSE(job(dr, "a", "FF", "dense").contains("convolution"));
  CHECK_FALSE(job(dr, "a", "FF", "dense")["counters"].contains("winograd_transform"));
  CHECK(job(dr, "a", "FF", "dense")["issued_macs"].get<double>() > a["issued_macs"].get<double>());
  fs::remove_all(d);
}

TEST_CASE("the GPU model charges Winograd transforms as kernels before the GEMM") {
  const fs::path d = temp_dir("stc");
  write(d / "net.yaml", kNet);
  const json r = run_json(SPARSIM_SOURCE_DIR "/configs/stc-h200.yaml --workload " + (d / "net.yaml").string() +
                              " --set workload.batch=8 --set workload.conv_algorithm=winograd_4x4_3x3",
                          d / "o");
  const json& a = job(r, "a", "FF", "dense");
  CHECK(a["convolution"]["algorithm"] == "winograd_4x4_3x3");
  const auto stall = a["stall_cycles"]["winograd_transform"].get<std::uint64_t>();
  // 132 SMs x 128 lanes: the transforms' operations over 16896 per cycle.
  const auto ops = a["convolution"]["transform_adds"].get<std::uint64_t>() +
                   a["convolution"]["transform_const_mults"].get<std::uint64_t>();
  CHECK(stall == (ops + 16895) / 16896);
  CHECK(a["cycles"].get<std::uint64_t>() > stall);
  fs::remove_all(d);
}

TEST_CASE("SAT --functional checks a Winograd layer's transforms against direct convolution") {
  const fs::path d = temp_dir("func");
  write(d / "net.yaml", kNet);
  const json r = run_json("--workload " + (d / "net.yaml").string() +
                              " --functional --set workload.batch=1 --set workload.conv_algorithm=winograd_4x4_3x3",
                          d / "o");
  const json& a = job(r, "a", "FF", "sparse");
  REQUIRE(a.contains("functional"));
  CHECK(a["functional"]["pass"] == true);
  REQUIRE(a["mapping"].contains("winograd_functional_max_abs_error"));
  CHECK(a["mapping"]["winograd_functional_max_abs_error"].get<double>() < 1e-9);
  CHECK_FALSE(job(r, "b", "FF", "sparse")["mapping"].contains("winograd_functional_max_abs_error"));
  fs::remove_all(d);
}
