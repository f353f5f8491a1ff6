// The command line as a contract: exit status, messages, reports, determinism.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {
// A small but real run: the fc layer of ResNet-18, all three phases.
const std::string kSmall = "--set workload.layers=fc,layer4.1.conv2 --set workload.batch=2";
}  // namespace

TEST_CASE("--help and --version succeed") {
  auto r = run_sparsim("--help");
  CHECK(r.status == 0);
  CHECK(r.out.find("sparsim run") != std::string::npos);
  CHECK(r.out.find("sat:") != std::string::npos);
  r = run_sparsim("--version");
  CHECK(r.status == 0);
  CHECK(r.out.find("sparsim ") == 0);
}

TEST_CASE("a run writes report.json and layers.csv with one row per layer and phase") {
  const auto dir = temp_dir("run");
  const auto r = run_sparsim("run " + kSmall + " --out " + dir);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("speedup of sparse over dense") != std::string::npos);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  CHECK(report["accelerator"]["name"] == "sat");
  CHECK(report["seed"] == 1);
  CHECK(report["config"]["workload"]["batch"] == 2);
  CHECK(report["summary"]["speedup"].contains("step"));
  const std::string csv = slurp(dir + "/layers.csv");
  CHECK(csv.rfind("layer_index,layer,phase,", 0) == 0);
  // fc: FF, BP, WU; layer4.1.conv2: FF, BP, WU -> 6 rows + header
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);
  CHECK(csv.find(",fc,BP,") != std::string::npos);
}

TEST_CASE("each job reports its DRAM row-buffer hit rate and DRAM stall cycles, in report.json and layers.csv") {
  const auto dir = temp_dir("dram");
  REQUIRE(run_sparsim("run " + kSmall + " --out " + dir).status == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  int with_traffic = 0;
  for (const auto& j : report["jobs"]) {
    REQUIRE(j.contains("memory"));
    const auto& m = j["memory"];
    const auto& d = j["counters"]["dram"];
    CHECK(m["dram_bytes"].get<std::uint64_t>() ==
          d["read_bytes"].get<std::uint64_t>() + d["write_bytes"].get<std::uint64_t>());
    // The SAT-style array names its DRAM wait dram_bandwidth.
    CHECK(m["dram_stall_cycles"] == j["stall_cycles"]["dram_bandwidth"]);
    if (m["dram_row_hit_rate"].is_null()) continue;
    const double rate = m["dram_row_hit_rate"].get<double>();
    const double hits = d["row_hits"].get<double>();
    CHECK(rate == Approx(hits / (hits + d["row_misses"].get<double>() + d["row_conflicts"].get<double>())));
    CHECK(rate >= 0.0);
    CHECK(rate <= 1.0);
    ++with_traffic;
  }
  CHECK(with_traffic > 0);
  const std::string csv = slurp(dir + "/layers.csv");
  CHECK(csv.find(",dram_row_hit_rate_sparse,dram_stall_cycles_sparse,") != std::string::npos);
}

TEST_CASE("a key given twice in any YAML input exits 2 naming both places") {
  const auto dir = temp_dir("dupkey");
  // Once a crash (the accelerator's name looked up among two), once silently the last value.
  const auto cfg = write_file(dir, "dup.yaml", "accelerator:\n  name: sat\n  name: nope\n");
  auto r = run_sparsim("run " + cfg + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(cfg + ":3: accelerator.name: key given twice (first at " + cfg + ":2)") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(dir + "/out/report.json"));

  const auto net = write_file(
      dir, "net.yaml", "name: n\nlayers:\n  - {name: a, type: conv, cin: 4, cin: 5, cout: 8, hw: 8, kernel: 3}\n");
  r = run_sparsim("run --workload " + net + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(net + ":3: layers.cin: key given twice") != std::string::npos);

  const auto table = write_file(dir, "energy.yaml", "name: t\nname: u\nactions: {}\n");
  r = run_sparsim("run --set energy.table=" + table + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(table + ":2: name: key given twice") != std::string::npos);
}

TEST_CASE("a mapping where a string belongs and text that is not UTF-8 exit 2, not an internal error") {
  const auto dir = temp_dir("yamlshape");
  // Once yaml-cpp's bad conversion and a JSON exception while writing the report: exit 1.
  const auto alias = write_file(dir, "alias.yaml", "x: &x {a: 1}\naccelerator:\n  name: *x\n");
  auto r = run_sparsim("run " + alias + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("accelerator.name: expected a single string") != std::string::npos);
  const auto net = write_file(dir, "net.yaml",
                              "name: {a: 1}\nlayers:\n  - {name: a, type: conv, cin: 4, cout: 8, hw: 8, kernel: 3}\n");
  r = run_sparsim("run --workload " + net + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(net + ":1: name: expected a single string") != std::string::npos);
  const auto bytes = write_file(
      dir, "bytes.yaml", "name: n\nlayers:\n  - {name: \"a\xff\", type: conv, cin: 4, cout: 8, hw: 8, kernel: 3}\n");
  r = run_sparsim("run --workload " + bytes + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(bytes + ":3: layers.name: text is not valid UTF-8") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/out/report.json"));
}

TEST_CASE("a layer too large to simulate is refused up front, not ended by bad_alloc or an overflow") {
  const auto dir = temp_dir("huge");
  const auto dim =
      write_file(dir, "dim.yaml", "name: n\nlayers:\n  - {name: mm, type: matmul, m: 1099511627776, k: 8, n: 8}\n");
  auto r = run_sparsim("run --workload " + dim + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("layer mm: a dimension of 2^31 or more") != std::string::npos);
  const auto work = write_file(
      dir, "work.yaml", "name: n\nlayers:\n  - {name: fc, type: fc, cin: 1048576, cout: 1048576, tokens: 2048}\n");
  r = run_sparsim("run --workload " + work + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("layer fc: more than 2^40 multiply-accumulates per sample") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/out/report.json"));
}

TEST_CASE("same config and seed give byte-identical reports") {
  const auto a = temp_dir("det_a"), b = temp_dir("det_b");
  REQUIRE(run_sparsim("run " + kSmall + " --seed 5 --out " + a).status == 0);
  REQUIRE(run_sparsim("run " + kSmall + " --seed 5 --out " + b).status == 0);
  CHECK(slurp(a + "/report.json") == slurp(b + "/report.json"));
  CHECK(slurp(a + "/layers.csv") == slurp(b + "/layers.csv"));
}

TEST_CASE("bad input exits 2 with one line naming file, line and key, and writes no report") {
  const auto dir = temp_dir("bad");
  const auto cfg = write_file(dir, "bad.yaml", "workload:\n  batch: 2\n  sparsity:\n    n: 4\n    m: 2\n");
  auto r = run_sparsim("run " + cfg + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(cfg + ":4: workload.sparsity.n: N (4)") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(dir + "/out/report.json"));

  const auto typo = write_file(dir, "typo.yaml", "accelerator:\n  name: sat\n  colums: 3\n");
  r = run_sparsim("run " + typo + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(typo + ":3: accelerator.colums: unknown key") != std::string::npos);

  r = run_sparsim("run /no/such/config.yaml");
  CHECK(r.status == 2);
  CHECK(r.err.find("/no/such/config.yaml: cannot open config file") != std::string::npos);

  r = run_sparsim("run --workload /no/such/net.yaml --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("workload.network") != std::string::npos);

  const auto net = write_file(
      dir, "net.yaml",
      "name: n\nlayers:\n  - {name: a, type: conv, cin: 4, cout: 8, hw: 8, kernel: 3, activation_density: 1.5}\n");
  r = run_sparsim("run --workload " + net + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find(net + ":3: layer a.activation_density: density must be in [0, 1]") != std::string::npos);

  r = run_sparsim("run --set accelerator.array.rows=0 --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("accelerator.array.rows") != std::string::npos);

  // Beyond or below double's normal range: refused with the key (once an internal error from std::stod).
  for (const char* v : {"1e-400", "1e-320", "1e400"}) {
    r = run_sparsim(std::string("run --set workload.sparsity.activation_density=") + v + " --out " + dir + "/out");
    CHECK(r.status == 2);
    CHECK(r.err.find("workload.sparsity.activation_density: expected a number") != std::string::npos);
  }

  r = run_sparsim("run --mode warp");
  CHECK(r.status == 2);
  CHECK(r.err.find("run.mode") != std::string::npos);

  r = run_sparsim("run --set workload.sparsity.profile=nm=9:2 --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("--set workload.sparsity.profile=nm=9:2: workload.sparsity.profile: nm=9:2:") != std::string::npos);

  r = run_sparsim("frobnicate");
  CHECK(r.status == 2);
  r = run_sparsim("run --set");
  CHECK(r.status == 2);
  CHECK(r.err.find("--set: expects a value") != std::string::npos);
}

TEST_CASE("config --dump prints the effective config, which runs as it is") {
  const auto dir = temp_dir("dump");
  const auto r = run_sparsim("config --dump --set workload.batch=3");
  REQUIRE(r.status == 0);
  CHECK(r.out.find("batch: 3") != std::string::npos);
  const auto cfg = write_file(dir, "dumped.yaml", r.out);
  const auto again = run_sparsim("config --dump " + cfg);
  CHECK(again.status == 0);
  CHECK(again.out == r.out);
}

TEST_CASE("workloads list and show") {
  auto r = run_sparsim("workloads list");
  CHECK(r.status == 0);
  CHECK(r.out.find("resnet50") != std::string::npos);
  r = run_sparsim("workloads show vgg16");
  CHECK(r.status == 0);
  CHECK(r.out.find("conv5_3") != std::string::npos);
  r = run_sparsim("workloads show nosuchnet");
  CHECK(r.status == 2);
}

TEST_CASE("a sparsity profile from the config reaches the simulated ops") {
  const auto dir = temp_dir("profile");
  const auto r = run_sparsim(
      "run --set workload.layers=fc --set workload.sparsity.n=0 --set workload.sparsity.m=0 "
      "--set workload.sparsity.profile=nm=1:4 --out " +
      dir);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  bool saw_ff = false;
  for (const auto& job : report["jobs"])
    if (job["phase"] == "FF" && job["variant"] == "sparse") {
      saw_ff = true;
      CHECK(job["issued_macs"].get<double>() == Approx(job["dense_macs"].get<double>() / 4));
    }
  CHECK(saw_ff);
}

TEST_CASE("layers.csv carries every stall cause per variant as report.json has them") {
  const auto dir = temp_dir("stalls");
  const auto r = run_sparsim("run --set workload.layers=fc --set workload.batch=2 --out " + dir);
  REQUIRE(r.status == 0);
  const std::string csv = slurp(dir + "/layers.csv");
  for (const char* col :
       {",stall_operand_starvation_sparse", ",stall_dram_bandwidth_dense", ",stall_fill_drain_sparse"})
    CHECK(csv.find(col) != std::string::npos);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  for (const auto& j : report["jobs"]) {
    std::uint64_t stalls = 0;
    for (auto it = j["stall_cycles"].begin(); it != j["stall_cycles"].end(); ++it)
      stalls += it.value().get<std::uint64_t>();
    CHECK(stalls <= j["cycles"].get<std::uint64_t>());
    // The stall figures of the first data row appear in the CSV as they are in the report.
  }
  const std::string row = csv.substr(csv.find('\n') + 1);
  const auto j0 = report["jobs"][0];
  std::string cell = ",";  // (built step by step: GCC 12 warns falsely on one concatenation here)
  cell += std::to_string(j0["stall_cycles"]["dram_bandwidth"].get<std::uint64_t>());
  cell += ",";
  CHECK(row.find(cell) != std::string::npos);
}

TEST_CASE("a functional run prints its verdict in the summary") {
  const auto dir = temp_dir("verdict");
  const auto r = run_sparsim("run --functional --set workload.layers=fc --set workload.batch=2 --out " + dir);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("functional check: passed (6 jobs") != std::string::npos);
}

TEST_CASE("every command answers --help with its options and exit 0") {
  for (const char* cmd : {"run", "config", "workloads", "sweep", "memtrace"}) {
    const auto r = run_sparsim(std::string(cmd) + " --help");
    INFO(cmd << ": " << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(r.out.find(std::string("usage: sparsim ") + cmd) != std::string::npos);
  }
  CHECK(run_sparsim("run --help").out.find("--trace-window") != std::string::npos);
  CHECK(run_sparsim("sweep -h").out.find("--list") != std::string::npos);
  const auto top = run_sparsim("--help");
  for (const char* item : {"masks", "--list", "--trace", "COMMAND --help"})
    CHECK(top.out.find(item) != std::string::npos);
}

TEST_CASE("an N:M pattern from the sparsity profile is used, and one given twice is an error naming both keys") {
  const auto dir = temp_dir("profile-nm");
  auto r = run_sparsim("run --set workload.sparsity.profile=nm=1:4 --set workload.layers=fc --out " + dir);
  REQUIRE(r.status == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  for (const auto& j : report["jobs"])
    if (j["variant"] == "sparse" && j["phase"] == "FF") CHECK(j["mapping"]["nm"] == "1:4");
  r = run_sparsim("run --set workload.sparsity.profile=nm=1:4 --set workload.sparsity.m=8 --set workload.layers=fc");
  CHECK(r.status == 2);
  CHECK(r.err.find("workload.sparsity.m") != std::string::npos);
  CHECK(r.err.find("workload.sparsity.profile") != std::string::npos);
}

// Every model lists its parts; the report prices them with the table's areas and names what it cannot.
TEST_CASE("every model's report gives area per component and names the parts the table does not price") {
  struct Case {
    std::string config, layers, design, unpriced;
  };
  for (const Case& c : {Case{"", "fc", "sparse", "array.nm_select_mux"},
                        Case{"configs/scnn-alexnet.yaml", "conv5", "scnn", "crossbar.crossbar_port"},
                        Case{"configs/cdma-alexnet.yaml", "", "cdma", ""}}) {
    const auto dir = temp_dir("area");
    const auto r =
        run_sparsim("run " + (c.config.empty() ? "" : std::string(SPARSIM_SOURCE_DIR) + "/" + c.config + " ") +
                    (c.layers.empty() ? "" : "--set workload.layers=" + c.layers) + " --out " + dir);
    INFO(c.config << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(r.out.find("area (default-45nm):") != std::string::npos);
    const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
    const auto& v = report["area"]["variants"][c.design];
    double sum = 0;
    for (const auto& [name, comp] : v["components"].items()) sum += comp["mm2"].get<double>();
    CHECK(sum == Approx(v["total_mm2"].get<double>()));
    CHECK(v["total_mm2"].get<double>() > 0);
    if (!c.unpriced.empty()) {
      CHECK(v["complete"] == false);
      CHECK(v["not_priced"][0] == c.unpriced);
    }
  }
}

// SAT's mask unit regenerates a layer's N:M masks while the next jobs run; its DRAM traffic is counted in
// those jobs' DRAM bytes, so the report and explain say how much of it was the unit's.
TEST_CASE("explain names the mask unit's share of a job's DRAM traffic") {
  const auto dir = temp_dir("explain-mask");
  REQUIRE(run_sparsim("run --out " + dir).status == 0);
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  std::uint64_t beside = 0;
  for (const auto& j : report["jobs"]) {
    const auto& mem = j["memory"];
    if (!mem.contains("dram_bytes_by_other_block")) continue;
    const auto unit = mem["dram_bytes_by_other_block"]["mask_unit"].get<std::uint64_t>();
    CHECK(unit <= mem["dram_bytes"].get<std::uint64_t>());
    if (j["variant"] == "dense") CHECK(unit == 0);  // the dense baseline regenerates no masks
    beside += unit;
  }
  CHECK(beside > 0);
  const auto r = run_sparsim("explain " + dir + "/report.json layer4.0.downsample BP");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("by the mask unit, working beside the job") != std::string::npos);
}

TEST_CASE("explain says where a run's and a job's cycles went, and refuses what is not a report") {
  const auto dir = temp_dir("explain");
  REQUIRE(run_sparsim("run --set workload.layers=fc --set workload.batch=2 --out " + dir).status == 0);
  auto r = run_sparsim("explain " + dir + "/report.json");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("variant sparse:") != std::string::npos);
  CHECK(r.out.find("slowest jobs of sparse") != std::string::npos);
  r = run_sparsim("explain " + dir + "/report.json fc BP");
  CHECK(r.status == 0);
  CHECK(r.out.find("fc BP, variant sparse (design)") != std::string::npos);
  CHECK(r.out.find("fc BP, variant dense (baseline)") != std::string::npos);
  for (const char* item : {"busy", "dram_bandwidth", "mapping:", "DRAM:", "why: 1."})
    CHECK(r.out.find(item) != std::string::npos);
  // The busy and stall lines of a job add up to its cycles (the report's figures, regrouped).
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  for (const auto& j : report["jobs"])
    if (j["layer"] == "fc" && j["phase"] == "BP" && j["variant"] == "sparse") {
      std::uint64_t stalls = 0;
      for (auto it = j["stall_cycles"].begin(); it != j["stall_cycles"].end(); ++it)
        stalls += it.value().get<std::uint64_t>();
      CHECK(stalls < j["cycles"].get<std::uint64_t>());
    }
  // Any model's report: only the generic fields are needed.
  const std::string minimal = dir + "/minimal.json";
  {
    std::ofstream f(minimal);
    f << R"({"accelerator": {"name": "x", "design_variant": "a", "baseline_variant": "b"}, "jobs": [
      {"layer": "L", "phase": "FF", "variant": "a", "cycles": 100, "stall_cycles": {"dram": 60}},
      {"layer": "L", "phase": "FF", "variant": "b", "cycles": 80, "stall_cycles": {}}]})";
  }
  r = run_sparsim("explain " + minimal);
  CHECK(r.status == 0);
  CHECK(r.out.find("slower than b:") != std::string::npos);
  CHECK(r.out.find("L FF: 0.80x, mostly dram") != std::string::npos);
  // Bad input: exit 2, one line naming the file.
  for (const std::string& args : {dir + "/none.json", dir + "/layers.csv", dir + "/report.json nosuchlayer",
                                  dir + "/report.json fc XX", std::string("")}) {
    r = run_sparsim("explain " + args);
    INFO(args << ": " << r.err);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  }
}

TEST_CASE("an energy table without actions the run charges lists all of them at once, exit 2") {
  const auto dir = temp_dir("energy-missing");
  {
    std::ofstream f(dir + "/t.yaml");
    f << "name: partial\nactions:\n  mac_fp16: {energy_pj: 0.2, per: MAC, source: mine}\n";
  }
  const auto r = run_sparsim("run --set workload.layers=fc --set energy.table=" + dir + "/t.yaml --out " + dir + "/o");
  CHECK(r.status == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  for (const char* a : {"dram_ddr_read_byte", "register_byte", "sram_read_byte@", "compare_int8", "base: builtin:45nm"})
    CHECK(r.err.find(a) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/o/report.json"));
}

TEST_CASE("an error message stays one line when a value holds a newline or a control character") {
  const auto r = run_sparsim("run --set \"workload.network=a\nb\tc\"");
  CHECK(r.status == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(r.err.find("a\\nb\\tc") != std::string::npos);
}

TEST_CASE("a FIFO or a device or an oversized file as an input is refused at once with exit 2") {
  const std::string dir = temp_dir("cli_special_inputs");
  const std::string fifo = dir + "/fifo.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  // Sparse file: 17 MiB by its size, nothing written.
  const std::string big = dir + "/big.yaml";
  std::ofstream(big) << "accelerator: {name: sat}\n";
  std::filesystem::resize_file(big, (std::uint64_t{17} << 20));
  const std::string mask_net = write_file(dir, "net.yaml",
                                          "name: n\nlayers:\n  - {name: a, type: fc, cin: 8, cout: 8, "
                                          "mask_file: fifo.yaml}\n");
  struct Case {
    std::string args, what;
  } cases[] = {
      {"run " + fifo, "config file: not a regular file"},
      {"run /dev/zero", "config file: not a regular file"},
      {"run " + big, "config file: the file has 17825792 bytes"},
      {"run --set workload.network=" + fifo, "network file: not a regular file"},
      {"run --set energy.table=/dev/zero", "energy table: not a regular file"},
      {"sweep " + fifo, "sweep file: not a regular file"},
      {"explain /dev/zero", "REPORT.json: not a regular file"},
      {"run --set workload.network=" + mask_net, "not a regular file (a directory, FIFO or device cannot be a mask"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    const bool has_out = c.args.rfind("explain", 0) != 0;
    const CliResult r = run_sparsim(c.args + (has_out ? " --out " + dir + "/out" : ""));
    CHECK(r.status == 2);
    CHECK(r.err.find(c.what) != std::string::npos);
    CHECK(r.err.find('\n') == r.err.size() - 1);
  }
}

TEST_CASE("a run estimated to need more memory than --max-memory is refused before simulating") {
  const std::string dir = temp_dir("cli_budget");
  std::string many = "name: many\nlayers:\n";
  for (int i = 0; i < 100000; ++i) many += "  - {name: l" + std::to_string(i) + ", type: fc, cin: 8, cout: 8}\n";
  const std::string net = write_file(dir, "many.yaml", many);
  // 100,000 layers: 600,000 jobs, whose report alone would take about 18 GB (measured 29 KB per job).
  const CliResult big =
      run_sparsim("run --set workload.network=" + net + " --set workload.batch=1 --out " + dir + "/a");
  CHECK(big.status == 2);
  CHECK(big.err.find("run.max_memory_mb: the run would need about 19,006 MiB, more than the limit of 8,192 MiB") !=
        std::string::npos);
  CHECK(big.err.find("its report (600,000 jobs") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/a/report.json"));
  // SCNN holds every image's activation masks: VGG-16 at batch 4096 is refused for its workload data.
  const CliResult scnn = run_sparsim("run " + std::string(SPARSIM_SOURCE_DIR) +
                                     "/configs/scnn-vgg16.yaml --set workload.batch=4096 --out " + dir + "/b");
  CHECK(scnn.status == 2);
  CHECK(scnn.err.find("the model's workload data") != std::string::npos);
  // The limit is the user's: a low --max-memory refuses a small run, naming the flag's key and origin.
  const CliResult low = run_sparsim("run --max-memory 64 --set workload.network=" + net + " --out " + dir + "/c");
  CHECK(low.status == 2);
  CHECK(low.err.find("--set run.max_memory_mb=64: run.max_memory_mb: the run would need") != std::string::npos);
}

TEST_CASE("explain names a GPU kernel's resident CTAs per SM and the limit that bound them") {
  const auto dir = temp_dir("explain_ctas"), capped = temp_dir("explain_ctas_capped");
  const std::string stc = std::string(SPARSIM_SOURCE_DIR) + "/configs/stc-h200.yaml --set workload.phases=FF" +
                          " --set workload.layers=layers.0.self_attn.q_proj --set workload.batch=1";
  REQUIRE(run_sparsim("run " + stc + " --out " + dir).status == 0);
  REQUIRE(run_sparsim("run " + stc + " --set accelerator.sm.max_ctas=1 --out " + capped).status == 0);
  // The 128x256x64 tile: two stages of 48 KiB each fit 2 per SM in 228 KiB of shared memory.
  auto r = run_sparsim("explain " + dir + "/report.json layers.0.self_attn.q_proj FF");
  INFO(r.out << r.err);
  CHECK(r.status == 0);
  CHECK(r.out.find("(at most 2: shared memory);") != std::string::npos);
  r = run_sparsim("explain " + capped + "/report.json layers.0.self_attn.q_proj FF");
  CHECK(r.out.find(" 1 CTAs per SM (at most 1: accelerator.sm.max_ctas);") != std::string::npos);
  const auto report = nlohmann::json::parse(slurp(capped + "/report.json"));
  for (const auto& j : report["jobs"]) {
    CHECK(j["mapping"]["ctas_per_sm"] == 1);
    CHECK(j["mapping"]["resident_limit"] == "accelerator.sm.max_ctas");
  }
}

TEST_CASE("a missing energy table is named with the config line and key that give it") {
  const std::string dir = temp_dir("cli_energy_path");
  const std::string cfg = write_file(dir, "c.yaml", "workload:\n  batch: 1\nenergy:\n  table: nothere.yaml\n");
  const CliResult r = run_sparsim("run " + cfg + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("c.yaml:4: energy.table: cannot open energy table '" + dir + "/nothere.yaml' (no such file)") !=
        std::string::npos);
}
