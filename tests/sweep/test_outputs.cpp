// A run's outputs as one set (sim/report/output_set.hpp): the manifest written last vouches for every file;
// what is in the way is an input error before simulating; a sweep re-runs a point whose outputs no longer
// verify, collect says which are damaged; and two sweeps never share an output directory.
#include <catch2/catch.hpp>

#include <fstream>

#include "sim/report/output_set.hpp"
#include "sim/sweep/dir_lock.hpp"
#include "tests/sweep/sweep_harness.hpp"

namespace fs = std::filesystem;

namespace {

const char* kOneLayer = " --set workload.layers=layer1.0.conv1 --set workload.batch=1 --quiet";

void damage(const fs::path& file) {
  std::string bytes = slurp(file.string());
  REQUIRE(bytes.size() > 10);
  bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == '7' ? '8' : '7';
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("a run's outputs carry a manifest that verifies them and catches a damaged file") {
  const std::string dir = temp_dir("outputs_manifest");
  // A temporary left by a run killed mid-write is cleaned up by the next run.
  fs::create_directories(dir + "/out");
  std::ofstream(dir + "/out/.layers.csv.tmp") << "half a file";
  const CliResult r = run_sparsim("run " + sat_base() + kOneLayer + " --out " + dir + "/out");
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_FALSE(fs::exists(dir + "/out/.layers.csv.tmp"));
  CHECK(sparsim::verify_output_set(dir + "/out").empty());
  const std::string manifest = slurp(dir + "/out/manifest.json");
  CHECK(manifest.find("\"report.json\"") != std::string::npos);
  CHECK(manifest.find("\"layers.csv\"") != std::string::npos);
  damage(dir + "/out/layers.csv");
  CHECK(sparsim::verify_output_set(dir + "/out") == "layers.csv: checksum differs from the manifest");
  fs::remove(dir + "/out/report.json");
  CHECK(sparsim::verify_output_set(dir + "/out") == "report.json: missing");
  // A run that fails before writing leaves no manifest vouching for the old files.
  fs::remove(dir + "/out/manifest.json");
  CHECK(sparsim::verify_output_set(dir + "/out") == "no manifest.json");
}

TEST_CASE("a directory in the way of an output is an input error before simulating") {
  const std::string dir = temp_dir("outputs_in_way");
  fs::create_directories(dir + "/out/report.json");
  const CliResult r = run_sparsim("run " + sat_base() + kOneLayer + " --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("report.json") != std::string::npos);
  CHECK(r.err.find("is in the way") != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  CHECK_FALSE(fs::exists(dir + "/out/layers.csv"));
}

TEST_CASE("a sweep re-runs a finished point whose outputs were damaged, and collect names it") {
  const std::string dir = temp_dir("outputs_sweep_damage");
  const std::string sweep = small_sweep(dir, 2);
  const std::string out = dir + "/out";
  REQUIRE(run_sparsim("sweep " + sweep + " --jobs 1 --out " + out).status == 0);
  const std::string before = slurp(out + "/results.csv");
  const auto rows = lines_of(before);
  REQUIRE(rows.size() == 3);
  const std::string id = split_csv_simple(rows[1])[1];
  damage(fs::path(out) / "points" / id / "report.json");

  const CliResult collected = run_sparsim("sweep --collect " + out);
  CHECK(collected.status == 1);
  CHECK(collected.out.find("run " + id + " is damaged (report.json: checksum differs from the manifest)") !=
        std::string::npos);
  CHECK(split_csv_simple(lines_of(slurp(out + "/results.csv"))[1])[2] == "damaged");

  const CliResult again = run_sparsim("sweep " + sweep + " --jobs 1 --out " + out);
  INFO(again.out << again.err);
  CHECK(again.status == 0);
  CHECK(again.out.find("1 already finished, 1 to run") != std::string::npos);
  CHECK(slurp(out + "/results.csv") == before);  // the re-run point gives the same numbers
  CHECK(sparsim::verify_output_set(out + "/points/" + id).empty());
}

TEST_CASE("a second sweep on a directory in use fails at once, naming the directory") {
  const std::string dir = temp_dir("outputs_sweep_lock");
  const std::string sweep = small_sweep(dir, 1);
  const std::string out = dir + "/out";
  {
    const sparsim::sweep::DirectoryLock held(out);  // as a running sweep holds it
    const CliResult r = run_sparsim("sweep " + sweep + " --jobs 1 --out " + out);
    CHECK(r.status == 2);
    CHECK(r.err.find(out) != std::string::npos);
    CHECK(r.err.find("another sweep is running in this directory") != std::string::npos);
    CHECK_FALSE(fs::exists(out + "/plan.json"));
  }
  // Released (as when the first sweep ends or dies): the sweep runs.
  CHECK(run_sparsim("sweep " + sweep + " --jobs 1 --out " + out).status == 0);
}
