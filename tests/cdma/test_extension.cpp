// The offload extension (models/cdma/offload_extension.cpp) attached to a real accelerator: `sparsim run`
// on the SAT-style array with offload.* keys. The gate stalls must appear in sat's own jobs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "tests/support/in_child.hpp"

namespace {

std::string run(const std::string& args, int& status) {
  return sparsim::test_support::run_sparsim_capture(args, status);
}

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

const std::string kConfig = std::string(SPARSIM_SOURCE_DIR) + "/tests/cdma/data/sat-tiny-offload.yaml";

nlohmann::json run_sat(const std::string& overrides, const std::string& out_dir) {
  int status = -1;
  const std::string out = run("run " + kConfig + " " + overrides + " --out " + out_dir, status);
  INFO(out);
  REQUIRE(exit_code(status) == 0);
  REQUIRE(out.find("offload stalls:") != std::string::npos);
  return nlohmann::json::parse(slurp(out_dir + "/report.json"));
}

// Sum of sat's gate stall over the design (sparse) variant's jobs, and over the dense baseline's.
std::pair<std::uint64_t, std::uint64_t> gate_stalls(const nlohmann::json& report) {
  std::uint64_t design = 0, baseline = 0;
  for (const auto& j : report.at("jobs")) {
    const auto g = j.at("stall_cycles").value("gate", std::uint64_t{0});
    (j.at("variant") == "sparse" ? design : baseline) += g;
  }
  return {design, baseline};
}

}  // namespace

TEST_CASE("offload extension: a slow PCIe link stalls the sat array's jobs, a fast one does not") {
  // policy conv: only conv inputs go out, each overlapped with a conv's compute. (Under `all`, a pool's
  // input leaves while the pool runs; sat does not model the pool, so that transfer always stalls.)
  const auto slow = run_sat("--set offload.policy=conv --set offload.pcie.generation=1 --set offload.pcie.lanes=1",
                            "offload-ext-slow");
  const auto fast = run_sat("--set offload.policy=conv --set offload.pcie.generation=5 --set offload.pcie.lanes=32",
                            "offload-ext-fast");
  const auto& so = slow.at("extra").at("offload");
  const auto& fo = fast.at("extra").at("offload");
  REQUIRE(so.at("accelerator") == "sat");
  REQUIRE(so.at("design_variant") == "sparse");
  REQUIRE(so.at("all_transfers_completed").get<bool>());
  REQUIRE(fo.at("all_transfers_completed").get<bool>());
  REQUIRE(so.at("stalls").at("gated_ops").get<int>() == 15);  // 5 layers x FF, BP, WU of the sparse variant
  const auto [slow_design, slow_base] = gate_stalls(slow);
  const auto [fast_design, fast_base] = gate_stalls(fast);
  // The stall is in the accelerator's own accounting, equal to what the extension measured at the gate.
  REQUIRE(slow_design > 0);
  REQUIRE(slow_design == so.at("stalls").at("total_cycles").get<std::uint64_t>());
  REQUIRE(so.at("stalls").at("offload_wait_cycles").get<std::uint64_t>() > 0);
  REQUIRE(so.at("stalls").at("prefetch_wait_cycles").get<std::uint64_t>() > 0);
  REQUIRE(fast_design == 0);
  REQUIRE(fo.at("stalls").at("total_cycles").get<std::uint64_t>() == 0);
  // The baseline runs under the same policy: its own path stalls it too, as the extension measured.
  REQUIRE(slow_base > 0);
  REQUIRE(slow_base == so.at("baseline").at("offload_wait_cycles").get<std::uint64_t>() +
                           so.at("baseline").at("prefetch_wait_cycles").get<std::uint64_t>());
  REQUIRE(fast_base == 0);
  // Same data either way: compression and bytes do not depend on the link.
  REQUIRE(so.at("compression_ratio").get<double>() > 1.0);
  REQUIRE(so.at("compression_ratio") == fo.at("compression_ratio"));
  REQUIRE(so.at("bytes").at("offloaded_bytes").get<std::uint64_t>() > 0);
  REQUIRE(so.at("bytes").at("gpu_bytes_saved").get<std::uint64_t>() > 0);
  REQUIRE(so.at("link").at("offload_utilization_ff").get<double>() >
          fo.at("link").at("offload_utilization_ff").get<double>());
  REQUIRE(so.at("functional").at("mismatches").get<int>() == 0);
}

TEST_CASE("offload extension: vdnn mode sends raw bytes, cdma mode fewer and stalls less on a slow link") {
  // Gen1 x4 (1 GB/s = 10 B/cycle at 0.1 GHz) is far below the compressor's 128 B/cycle: the link decides.
  const std::string link = "--set offload.pcie.generation=1 --set offload.pcie.lanes=4 ";
  const auto vdnn = run_sat(link + "--set offload.mode=vdnn", "offload-ext-vdnn");
  const auto cdma = run_sat(link + "--set offload.mode=cdma", "offload-ext-cdma");
  const auto& v = vdnn.at("extra").at("offload");
  const auto& c = cdma.at("extra").at("offload");
  REQUIRE(v.at("codec") == "none");
  REQUIRE(v.at("bytes").at("sent_bytes") == v.at("bytes").at("offloaded_bytes"));
  REQUIRE(c.at("bytes").at("sent_bytes").get<std::uint64_t>() < v.at("bytes").at("sent_bytes").get<std::uint64_t>());
  REQUIRE(gate_stalls(cdma).first > 0);
  REQUIRE(gate_stalls(cdma).first < gate_stalls(vdnn).first);
}

TEST_CASE("offload extension: bad offload keys give one-line file:line:key errors (exit 2)") {
  const std::string dir = std::string(SPARSIM_SOURCE_DIR) + "/tests/cdma/data/";
  std::ofstream("offload-bad.yaml") << "accelerator:\n  name: sat\nworkload:\n  network: " << dir
                                    << "tiny-net.yaml\noffload:\n  enabled: true\n  pcie:\n    lanes: 3\n";
  int status = -1;
  std::string out = run("run offload-bad.yaml --out offload-ext-bad", status);
  INFO(out);
  REQUIRE(exit_code(status) == 2);
  REQUIRE(out.find("offload-bad.yaml:8") != std::string::npos);
  REQUIRE(out.find("offload.pcie.lanes") != std::string::npos);
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);

  out = run("run " + kConfig + " --set offload.codec=lz4 --out offload-ext-bad", status);
  REQUIRE(exit_code(status) == 2);
  REQUIRE(out.find("offload.codec") != std::string::npos);
  REQUIRE(std::count(out.begin(), out.end(), '\n') == 1);

  out = run("run " + kConfig + " --set offload.pcie.wires=3 --out offload-ext-bad", status);
  REQUIRE(exit_code(status) == 2);
  REQUIRE(out.find("offload.pcie.wires") != std::string::npos);

  // The offload timeline needs the whole step, and the cdma accelerator models offload itself.
  out = run("run " + kConfig + " --set workload.phases=FF --out offload-ext-bad", status);
  REQUIRE(exit_code(status) == 2);
  REQUIRE(out.find("workload.phases") != std::string::npos);
  out = run("run " + std::string(SPARSIM_SOURCE_DIR) +
                "/configs/cdma-alexnet.yaml --set offload.enabled=true --out offload-ext-bad",
            status);
  REQUIRE(exit_code(status) == 2);
  REQUIRE(out.find("offload.enabled") != std::string::npos);
}

TEST_CASE("offload extension: disabled, the report is byte-identical to a run without the section") {
  const std::string net = std::string(SPARSIM_SOURCE_DIR) + "/tests/cdma/data/tiny-net.yaml";
  const std::string base = "accelerator:\n  name: sat\nworkload:\n  network: " + net + "\n  batch: 2\n";
  int status = -1;
  std::ofstream("offload-off.yaml") << base;
  REQUIRE(exit_code((run("run offload-off.yaml --out offload-ext-none", status), status)) == 0);
  std::ofstream("offload-off.yaml") << base << "offload:\n  enabled: false\n";
  REQUIRE(exit_code((run("run offload-off.yaml --out offload-ext-off", status), status)) == 0);
  const std::string a = slurp("offload-ext-none/report.json"), b = slurp("offload-ext-off/report.json");
  REQUIRE(!a.empty());
  REQUIRE(a == b);
  REQUIRE(slurp("offload-ext-none/layers.csv") == slurp("offload-ext-off/layers.csv"));
  REQUIRE(nlohmann::json::parse(a).at("extra").count("offload") == 0);
}

TEST_CASE("offload extension: enabled runs are deterministic") {
  run_sat("", "offload-ext-det1");
  run_sat("", "offload-ext-det2");
  REQUIRE(slurp("offload-ext-det1/report.json") == slurp("offload-ext-det2/report.json"));
}

TEST_CASE("offload extension: the stc GPU's jobs carry the gate stall in their own cycles") {
  // The same tiny CNN on the H200-like GPU model over a gen1 x1 link: the GPU waits at the gate, and
  // that wait must be inside its jobs' cycles (as a "gate" stall), equal to the extension's total.
  int status = -1;
  const std::string dir = "offload-ext-stc";
  const std::string out = run("run " + std::string(SPARSIM_SOURCE_DIR) + "/configs/stc-h200.yaml --workload " +
                                  std::string(SPARSIM_SOURCE_DIR) + "/tests/cdma/data/tiny-net.yaml " +
                                  "--set workload.batch=8 --set offload.enabled=true --set offload.policy=conv "
                                  "--set offload.pcie.generation=1 --set offload.pcie.lanes=1 --out " +
                                  dir,
                              status);
  INFO(out);
  REQUIRE(exit_code(status) == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  std::uint64_t gate = 0, design_cycles = 0;
  for (const auto& j : report.at("jobs")) {
    if (j.at("variant") != report.at("accelerator").at("design_variant")) {
      // The baseline (dense) is gated under the same policy; the third variant is not.
      if (j.at("variant") != report.at("accelerator").at("baseline_variant"))
        CHECK(j.at("stall_cycles").value("gate", std::uint64_t{0}) == 0);
      continue;
    }
    gate += j.at("stall_cycles").value("gate", std::uint64_t{0});
    design_cycles += j.at("cycles").get<std::uint64_t>();
  }
  const auto& stalls = report.at("extra").at("offload").at("stalls");
  CHECK(gate > 0);
  CHECK(gate == stalls.at("total_cycles").get<std::uint64_t>());
  CHECK(design_cycles == stalls.at("gated_span_cycles").get<std::uint64_t>());
}

namespace {

// Offload energy of `variant` charged to its jobs: the pJ of the offload path's components.
double offload_pj(const nlohmann::json& report, const std::string& variant) {
  double pj = 0;
  for (const auto& j : report.at("jobs"))
    if (j.at("variant") == variant)
      for (const auto& [block, e] : j.at("energy_pj_by_component").items())
        if (block.rfind("offload.dma", 0) == 0) pj += e.get<double>();
  return pj;
}

}  // namespace

TEST_CASE("offload extension: link, codec and host-memory energy is charged and scales with the bytes moved") {
  const auto small = run_sat("--set workload.batch=4", "offload-ext-energy4");
  const auto large = run_sat("--set workload.batch=8", "offload-ext-energy8");
  for (const auto* r : {&small, &large}) {
    const auto& o = r->at("extra").at("offload");
    const auto& e = o.at("energy").at("sparse");
    CHECK(e.at("total_pj").get<double>() > 0);
    const auto& by = e.at("pj_by_component");
    CHECK(by.at("offload.dma.pcie").get<double>() > 0);        // the link, per wire byte of its generation
    CHECK(by.at("offload.dma.compressor").get<double>() > 0);  // cDMA's compressor
    CHECK(by.at("offload.dma.decompressor").get<double>() > 0);
    CHECK(by.at("offload.dma.host_write").get<double>() > 0);  // host DDR4
    CHECK(by.at("offload.dma.host_read").get<double>() > 0);
    // The jobs carry it: the report's energy includes the offload path.
    CHECK(offload_pj(*r, "sparse") == Approx(e.at("total_pj").get<double>()).epsilon(1e-9));
    CHECK(offload_pj(*r, "dense") == Approx(o.at("energy").at("dense").at("total_pj").get<double>()).epsilon(1e-9));
  }
  // Twice the batch, twice the activations: the energy follows the bytes sent.
  const auto bytes = [](const nlohmann::json& r) {
    return r.at("extra").at("offload").at("bytes").at("sent_bytes").get<double>();
  };
  const auto pj = [](const nlohmann::json& r) {
    return r.at("extra").at("offload").at("energy").at("sparse").at("total_pj").get<double>();
  };
  REQUIRE(bytes(large) > 1.5 * bytes(small));
  CHECK(pj(large) / pj(small) == Approx(bytes(large) / bytes(small)).epsilon(0.15));
}

TEST_CASE("offload extension: a newer PCIe generation costs less energy per byte on the wire") {
  const auto gen3 = run_sat("--set offload.pcie.generation=3", "offload-ext-gen3");
  const auto gen4 = run_sat("--set offload.pcie.generation=4", "offload-ext-gen4");
  const auto link = [](const nlohmann::json& r) {
    return r.at("extra")
        .at("offload")
        .at("energy")
        .at("sparse")
        .at("pj_by_component")
        .at("offload.dma.pcie")
        .get<double>();
  };
  CHECK(link(gen4) < link(gen3));
}

TEST_CASE("offload extension: design and baseline run under the same policy, the no-offload oracle beside them") {
  int status = -1;
  const std::string dir = "offload-ext-oracle";
  const std::string out = run("run " + kConfig + " --set offload.mode=vdnn --out " + dir, status);
  INFO(out);
  REQUIRE(exit_code(status) == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  const auto& o = report.at("extra").at("offload");
  // vDNN sends every offloaded byte raw, for each variant: the same policy moves the same bytes.
  REQUIRE(o.at("baseline").at("variant") == "dense");
  REQUIRE(o.at("baseline").at("gated_ops") == o.at("stalls").at("gated_ops"));
  REQUIRE(o.at("baseline").at("sent_bytes") == o.at("bytes").at("sent_bytes"));
  REQUIRE(o.at("baseline").at("all_transfers_completed").get<bool>());
  // The oracle: the same config without offload, simulated beside the run.
  const auto& oracle = report.at("extra").at("oracle");
  REQUIRE(oracle.at("variants").contains("sparse"));
  REQUIRE(oracle.at("variants").contains("dense"));
  const auto& mine = report.at("summary").at("variants");
  CHECK(oracle.at("variants").at("sparse").at("cycles").get<std::uint64_t>() <=
        mine.at("sparse").at("cycles").get<std::uint64_t>());
  CHECK(oracle.at("variants").at("dense").at("cycles").get<std::uint64_t>() <=
        mine.at("dense").at("cycles").get<std::uint64_t>());
  CHECK(oracle.at("variants").at("sparse").at("energy_pj").get<double>() <
        mine.at("sparse").at("energy_pj").get<double>());
  // Its figures equal a plain run's with offload off.
  const std::string plain = run("run " + kConfig + " --set offload.enabled=false --out offload-ext-plain", status);
  REQUIRE(exit_code(status) == 0);
  const auto off = nlohmann::json::parse(slurp("offload-ext-plain/report.json"));
  CHECK(oracle.at("variants").at("sparse").at("cycles") == off.at("summary").at("variants").at("sparse").at("cycles"));
  CHECK(oracle.at("speedup") == off.at("summary").at("speedup").at("step"));
  // Printed: the oracle line, the baseline's own stalls, and the offload energy.
  CHECK(out.find("no-offload oracle") != std::string::npos);
  CHECK(out.find("offload on dense (the same policy)") != std::string::npos);
  CHECK(out.find("offload energy (link, codec, host DDR4):") != std::string::npos);
}
