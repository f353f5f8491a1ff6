// Waveforms of the detailed SAT array: `--trace FILE.vcd --trace-window START:END` writes a VCD that
// GTKWave reads, with the traced signals and only the window's cycles; bad windows, paths and modes
// exit 2 with the key and leave no file behind.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
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

namespace {
// A VCD's signals by dotted scope path, each as its value at every timestamp of the file (the last value
// changed at or before it).
struct Vcd {
  std::vector<long long> times;
  std::map<std::string, std::vector<double>> at;  // path -> value per entry of `times`
};

Vcd parse_vcd(const std::string& text) {
  Vcd v;
  std::map<std::string, std::string> path_of;  // identifier -> path
  std::vector<std::string> scope;
  std::istringstream in(text);
  std::string word;
  while (in >> word && word != "$enddefinitions") {
    if (word == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scope.push_back(name);
    } else if (word == "$upscope") {
      scope.pop_back();
    } else if (word == "$var") {
      std::string type, width, id, name;
      in >> type >> width >> id >> name;
      std::string path;  // (below SystemC's top scope)
      for (std::size_t i = scope.empty() || scope[0] != "SystemC" ? 0 : 1; i < scope.size(); ++i)
        path += scope[i] + ".";
      path_of[id] = path + name;
    }
  }
  std::map<std::string, double> now;
  auto snapshot = [&] {
    for (const auto& [id, path] : path_of) v.at[path].push_back(now[id]);
  };
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '$') continue;
    if (line[0] == '#') {
      if (!v.times.empty()) snapshot();
      v.times.push_back(std::stoll(line.substr(1)));
    } else if (line[0] == 'r' || line[0] == 'b') {
      const auto space = line.find(' ');
      const std::string value = line.substr(1, space - 1), id = line.substr(space + 1);
      now[id] = line[0] == 'r' ? std::stod(value)
                               : static_cast<double>(static_cast<long long>(std::stoull(value, nullptr, 2)));
    } else if (line[0] == '0' || line[0] == '1') {
      now[line.substr(1)] = line[0] == '1' ? 1.0 : 0.0;
    }
  }
  if (!v.times.empty()) snapshot();
  return v;
}

// Checks the traced partial sums against the traced weights and activations: every PE that carries values
// adds sum_q weight_q * act_q to the partial sum it took (WS: from the PE above, one cycle earlier; row 0
// from zero; OS: its own accumulator, zero at a fold's step 0). Returns the number of PE-cycles checked.
int check_partial_sums(const Vcd& v, bool weight_stationary, int pes, int multipliers) {
  auto sig = [&](int r, int c, const std::string& name) -> const std::vector<double>& {
    return v.at.at("array.pe_" + std::to_string(r) + "_" + std::to_string(c) + "." + name);
  };
  int checked = 0;
  for (int r = 0; r < pes; ++r)
    for (int c = 0; c < pes; ++c) {
      const auto& carries = sig(r, c, "carries_values");
      const auto& psum = sig(r, c, "psum");
      const auto& step = sig(r, c, "step");
      double last = 0;  // OS: the accumulator after the PE's previous carrying cycle
      for (std::size_t t = 1; t < v.times.size(); ++t) {
        if (carries[t] == 0) continue;
        double products = 0;
        for (int q = 0; q < multipliers; ++q)
          products += sig(r, c, "weight_" + std::to_string(q))[t] * sig(r, c, "act_" + std::to_string(q))[t];
        double in = 0;
        if (weight_stationary && r > 0) {
          // The PE above worked the same step one cycle earlier (a stall holds the array: same cycle stamp
          // gap of one cycle, 1000 ps).
          if (v.times[t] - v.times[t - 1] != 1000 || sig(r - 1, c, "carries_values")[t - 1] == 0) continue;
          REQUIRE(sig(r - 1, c, "step")[t - 1] == step[t]);
          in = sig(r - 1, c, "psum")[t - 1];
        } else if (!weight_stationary) {
          in = step[t] == 0 ? 0.0 : last;
        }
        INFO("PE (" << r << ", " << c << ") at " << v.times[t] << " ps, step " << step[t]);
        CHECK(psum[t] == Approx(in + products).margin(1e-9));
        last = psum[t];
        ++checked;
      }
    }
  return checked;
}
}  // namespace

TEST_CASE("waves: functional runs trace each PE's weights, selected activations and partial sums") {
  // fc with batch 2: N = 2 columns, all of them in the functional sample, so every step carries values.
  for (const std::string dataflow : {"weight_stationary", "output_stationary"}) {
    for (const std::string nm : {"2:4", "1:8"}) {
      const auto dir = temp_dir("waves-values");
      const std::string vcd = dir + "/v.vcd";
      const auto colon = nm.find(':');
      const auto r = run_sparsim("run " + kLayer + " --functional --set accelerator.dataflow=" + dataflow +
                                 " --set workload.sparsity.n=" + nm.substr(0, colon) +
                                 " --set workload.sparsity.m=" + nm.substr(colon + 1) +
                                 " --set run.trace_pes=3 --trace " + vcd + " --trace-window 0:4000 --out " + dir);
      INFO(dataflow << " " << nm << "\n" << r.out << r.err);
      REQUIRE(r.status == 0);
      CHECK(r.out.find("functional check: passed") != std::string::npos);
      const std::string text = slurp(vcd);
      for (const char* signal : {"psum", "weight_0", "act_0", "carries_values"})
        CHECK(text.find(std::string(signal) + " ") != std::string::npos);
      const Vcd v = parse_vcd(text);
      int multipliers = 0;
      while (v.at.count("array.pe_0_0.weight_" + std::to_string(multipliers))) ++multipliers;
      REQUIRE(multipliers >= 1);
      const int checked = check_partial_sums(v, dataflow == "weight_stationary", 3, multipliers);
      CHECK(checked > 50);
      // Real values, not zeros: some weight and some partial sum in the window differ from 0.
      bool nonzero = false;
      for (double x : v.at.at("array.pe_1_1.psum")) nonzero = nonzero || x != 0.0;
      CHECK(nonzero);
    }
  }
  // Without --functional the values are not traced.
  const auto dir = temp_dir("waves-novalues");
  const auto r = run_sparsim("run " + kLayer + " --trace " + dir + "/n.vcd --trace-window 0:4000 --out " + dir);
  REQUIRE(r.status == 0);
  CHECK(slurp(dir + "/n.vcd").find("psum") == std::string::npos);
}
