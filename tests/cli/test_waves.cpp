// Waveforms of the detailed SAT array: `--trace FILE.vcd --trace-window START:END` writes a VCD that
// GTKWave reads, with the traced signals and only the window's cycles; bad windows, paths and modes
// exit 2 with the key and leave no file behind.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <sstream>

#include "cli_runner.hpp"

namespace {
const std::string kLayer = "--mode detailed --set workload.layers=fc --set workload.phases=FF --set workload.batch=2";

// Timestamps (#N lines) in a VCD.
std::vector<long long> stamps(const std::string& vcd) {
  std::vector<long long> t;
  std::istringstream in(vcd);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] == '#') t.push_back(std::stoll(line.substr(1)));
  return t;
}
}  // namespace

TEST_CASE("waves: --trace writes a VCD of the array's signals inside the window") {
  const auto dir = temp_dir("waves");
  const std::string vcd = dir + "/fc.vcd";
  const auto r = run_sparsim("run " + kLayer + " --trace " + vcd + " --trace-window 2000:2300 --out " + dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string text = slurp(vcd);
  for (const char* signal : {"pe_0_0", "pe_7_7", "valid", "step", "fifo_fill", "bank_grants", "stalled",
                             "weight_preload", "queued_requests"})
    CHECK(text.find(signal) != std::string::npos);
  // Timestamps in ps (an array cycle is 1 ns of simulated time); the file ends with the run's end.
  auto t = stamps(text);
  REQUIRE(t.size() > 10);
  t.pop_back();
  CHECK(t.front() >= 2000 * 1000);
  CHECK(t.back() < 2300 * 1000);
  CHECK(r.err.find("Warning") == std::string::npos);
  // The run's reports are the same with and without waveforms.
  const auto plain = run_sparsim("run " + kLayer + " --out " + dir + "/plain");
  REQUIRE(plain.status == 0);
  CHECK(slurp(dir + "/plain/layers.csv") == slurp(dir + "/layers.csv"));
  // No temporary left next to the file.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".vcd";
  CHECK(files == 1);
}

TEST_CASE("waves: an output-stationary run traces the FIFOs of the sub-array's row and column lanes") {
  const auto dir = temp_dir("waves-os");
  const std::string vcd = dir + "/os.vcd";
  // 32 x 32 array, 8 x 8 traced: row lanes 0-7 and column lanes 32-39.
  const auto r = run_sparsim("run " + kLayer + " --set accelerator.dataflow=output_stationary --trace " + vcd +
                             " --trace-window 0:3000 --out " + dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string text = slurp(vcd);
  // (VCD names by scope: module edge, module lane_N, var fifo_fill.)
  for (const char* lane : {"module lane_0 ", "module lane_7 ", "module lane_32 ", "module lane_39 "})
    CHECK(text.find(lane) != std::string::npos);
  CHECK(text.find("module lane_8 ") == std::string::npos);
  // A column lane's FIFO fills and drains: its variable takes more than one value in the window.
  const auto scope = text.find("module lane_32 ");
  REQUIRE(scope != std::string::npos);
  std::istringstream var(text.substr(text.find("$var", scope)));
  std::string word, width, id, name;
  var >> word >> word >> width >> id >> name;
  CHECK(name == "fifo_fill");
  std::set<std::string> values;
  std::istringstream in(text.substr(text.find("$enddefinitions")));
  for (std::string line; std::getline(in, line);)
    if (line.size() > id.size() + 1 && line[0] == 'b' && line.substr(line.size() - id.size() - 1) == " " + id)
      values.insert(line.substr(0, line.size() - id.size() - 1));
  INFO("identifier " << id);
  CHECK(values.size() >= 2);
}

TEST_CASE("waves: run.trace_origin moves the traced sub-array and its lanes") {
  const auto dir = temp_dir("waves-origin");
  const std::string vcd = dir + "/o.vcd";
  const auto r = run_sparsim("run " + kLayer + " --set accelerator.dataflow=output_stationary --set run.trace_pes=4" +
                             " --set run.trace_origin=8,16 --trace " + vcd + " --trace-window 0:2000 --out " + dir);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const std::string text = slurp(vcd);
  for (const char* scope : {"module pe_8_16 ", "module pe_11_19 ", "module lane_8 ", "module lane_11 ",
                            "module lane_48 ", "module lane_51 "})  // column lanes: 32 rows + 16 .. 19
    CHECK(text.find(scope) != std::string::npos);
  for (const char* scope : {"module pe_0_0 ", "module pe_12_16 ", "module lane_0 ", "module lane_52 "})
    CHECK(text.find(scope) == std::string::npos);
  // Outside the 32 x 32 array, or not ROW,COL: exit 2 naming the key, no file.
  for (const char* origin : {"32,0", "0,40", "x,1", "3"}) {
    const auto bad = run_sparsim("run " + kLayer + " --set run.trace_origin=" + origin + " --trace " + dir +
                                 "/bad.vcd --out " + dir + "/bad");
    INFO(origin << ": " << bad.err);
    CHECK(bad.status == 2);
    CHECK(bad.err.find("run.trace_origin") != std::string::npos);
    CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir + "/bad.vcd"));
  }
}

TEST_CASE("waves: bad windows, paths and modes exit 2 naming the key, with no file") {
  const auto dir = temp_dir("waves-bad");
  struct Case {
    std::string args, key;
  };
  const std::vector<Case> cases = {
      {"--trace " + dir + "/a.vcd --trace-window 300:200", "run.trace_window"},
      {"--trace " + dir + "/a.vcd --trace-window 12", "run.trace_window"},
      {"--trace " + dir + "/a.vcd --trace-window x:y", "run.trace_window"},
      {"--trace " + dir + "/a.vcd --trace-window 900000000:900000100", "run.trace_window"},  // after the run
      {"--trace " + dir + "/a.txt", "run.trace"},
      {"--trace " + dir + "/no/such/dir/a.vcd", "run.trace"},
      {"--trace-window 0:10", "run.trace_window"},
  };
  for (const auto& c : cases) {
    const auto r = run_sparsim("run " + kLayer + " " + c.args + " --out " + dir + "/out");
    INFO(c.args << "\n" << r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(c.key) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_FALSE(std::filesystem::exists(dir + "/a.vcd"));
  }
  // Without detailed mode, and on a model without waveforms.
  auto r = run_sparsim("run --set workload.layers=fc --trace " + dir + "/a.vcd --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("--mode detailed") != std::string::npos);
  r = run_sparsim("run --set accelerator.name=scnn --mode detailed --trace " + dir + "/a.vcd --out " + dir + "/out");
  CHECK(r.status == 2);
  CHECK(r.err.find("run.trace") != std::string::npos);
  int left = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) left += e.is_regular_file();
  CHECK(left == 0);
}
