// Output for people and for programs: summary tables that fit 120 columns (--wide: every column),
// thousands separators in tables only, and `--format csv|json` summaries that parse.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "sim/config/config.hpp"
#include "sim/report/report.hpp"
#include "sim/text/numbers.hpp"
#include "sim/text/text_table.hpp"
#include "sim/workload_setup.hpp"

namespace {

const std::string kSmall = "--set workload.layers=fc,layer4.1.conv2 --set workload.batch=2";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string l; std::getline(s, l);) out.push_back(l);
  return out;
}

// The widest line of a human output, the "reports:" line(s) included (they fit whatever --out is).
// Counted in characters: "µJ" is two, not three bytes.
std::size_t widest(const std::string& text) {
  std::size_t w = 0;
  for (const auto& l : lines(text)) {
    std::size_t n = 0;
    for (const char c : l) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    w = std::max(w, n);
  }
  return w;
}

// Splits one CSV line (the summaries quote nothing but text with commas, which these rows lack).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  for (std::string f; std::getline(s, f, ',');) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.push_back("");
  return out;
}

// Every row of a CSV has as many fields as its header: a thousands separator would add one.
void check_rectangular(const std::string& csv) {
  const auto rows = lines(csv);
  REQUIRE(rows.size() > 1);
  const std::size_t n = fields(rows[0]).size();
  for (const auto& r : rows) {
    INFO(r);
    CHECK(fields(r).size() == n);
  }
}

const std::regex kGrouped(R"(\b\d{1,3}(,\d{3})+\b)");

// A made-up report with everything that makes a table wide: four variants with long names, 60-character
// layer names, cycle counts in the trillions and a long line of prose.
nlohmann::ordered_json wide_report() {
  using json = nlohmann::ordered_json;
  const std::vector<std::string> variants = {"design-with-long-name", "baseline-with-long-name", "oracle-variant",
                                             "another-one"};
  json r;
  r["sparsim"] = {{"version", "0.1.0"}};
  r["config"] = {{"workload", {{"sparsity", {{"n", 2}, {"m", 8}}}}}};
  r["seed"] = 1;
  r["mode"] = "fast";
  r["accelerator"] = {{"name", "test"}, {"design_variant", variants[0]}, {"baseline_variant", variants[1]}};
  r["workload"] = {{"network", "a-network-with-a-rather-long-name-for-testing"}, {"batch", 4096}};
  r["summary"]["variants"] = json::object();
  r["summary"]["phases"] = json::array();
  r["jobs"] = json::array();
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const json figures = {{"cycles", 12345678901234ull * (v + 1)},
                          {"time_s", 12345.678},
                          {"utilization", 0.5},
                          {"energy_pj", 9.87654321e18}};
    r["summary"]["variants"][variants[v]] = figures;
    json phase = figures;
    phase["phase"] = "FF";
    phase["variant"] = variants[v];
    r["summary"]["phases"].push_back(phase);
    for (int l = 0; l < 3; ++l) {
      json job = figures;
      job["layer_index"] = l;
      job["layer"] = "encoder.layers." + std::to_string(l) + ".self_attention.query_key_value_projection_x";
      job["phase"] = "FF";
      job["variant"] = variants[v];
      r["jobs"].push_back(job);
    }
  }
  r["summary"]["speedup"] = {{"FF", 2.0}, {"step", 2.0}};
  r["summary"]["energy_efficiency_gain"] = {{"FF", 1.5}, {"step", 1.5}};
  r["extra"] = {{"ideal_speedup_bound", 3.0},
                {"ideal_speedup_formula",
                 "dense MACs / issued MACs, counted over every layer the design prunes, and over "
                 "the layers it leaves dense, in every phase of the step"},
                {"summary_lines", {"a note " + std::string(40, 'n') + " that goes on and on " + std::string(80, 'x')}}};
  return r;
}

}  // namespace

TEST_CASE("thousands separators: grouped integers and fixed-point numbers") {
  CHECK(sparsim::group_digits(0) == "0");
  CHECK(sparsim::group_digits(999) == "999");
  CHECK(sparsim::group_digits(1000) == "1,000");
  CHECK(sparsim::group_digits(14362370637824ull) == "14,362,370,637,824");
  CHECK(sparsim::group_fixed(103180.774, 2) == "103,180.77");
  CHECK(sparsim::group_fixed(-1234.5, 1) == "-1,234.5");
  CHECK(sparsim::group_fixed(12.0, 2) == "12.00");
}

TEST_CASE("text table: columns sized to content, dropped by priority, names cut last") {
  sparsim::TextTable t({{"name", true, 0, true}, {"a"}, {"b", false, 2}, {"c", false, 1}});
  t.add_row({"first-row-name", "1", "22", "333"});
  t.add_row({"x", "4444", "5", "6"});
  CHECK(t.render(0) ==
        "name               a   b    c\n"
        "first-row-name     1  22  333\n"
        "x               4444   5    6\n");
  CHECK(t.kept_headers(29) == std::vector<std::string>{"name", "a", "b", "c"});
  CHECK(t.kept_headers(25) == std::vector<std::string>{"name", "a", "c"});  // b goes first (drop order 2)
  CHECK(t.kept_headers(24) == std::vector<std::string>{"name", "a"});
  const std::string narrow = t.render(12);  // dropping is not enough: the name is cut, marked with '~'
  CHECK(narrow.find("first~     1") != std::string::npos);
  CHECK(widest(narrow) <= 12);
}

TEST_CASE("wrap_text keeps short lines as they are and breaks long ones at spaces") {
  CHECK(sparsim::wrap_text("a  b", 10) == "a  b\n");
  CHECK(sparsim::wrap_text("aaa bbb ccc ddd", 8) == "aaa bbb\n  ccc\n  ddd\n");
  CHECK(sparsim::wrap_text(std::string(12, 'x'), 8) == std::string(12, 'x') + "\n");  // a long word stays whole
}

TEST_CASE("summary table: a report with long names and huge numbers fits 120 columns, --wide has every column") {
  const auto report = wide_report();
  const std::string narrow = sparsim::summary_table(report);
  INFO(narrow);
  CHECK(widest(narrow) <= 120);
  CHECK(narrow.find("cycles(design-with-long-name)") != std::string::npos);
  CHECK(narrow.find("cycles(baseline-with-long-name)") != std::string::npos);
  CHECK(narrow.find("speedup") != std::string::npos);
  CHECK(std::regex_search(narrow, kGrouped));
  const std::string wide = sparsim::summary_table(report, true);
  CHECK(widest(wide) > 120);
  for (const char* h : {"cycles(oracle-variant)", "util(another-one)", "energy(baseline-with-long-name) uJ",
                        "energy gain", "encoder.layers.0.self_attention.query_key_value_projection_x"})
    CHECK(wide.find(h) != std::string::npos);
  CHECK(wide.find("12,345,678,901,234") != std::string::npos);
}

TEST_CASE("run: the default summary fits 120 columns with separators, --wide prints every column") {
  const auto dir = temp_dir("out_default"), wdir = temp_dir("out_wide");
  const auto r = run_sparsim("run --out " + dir);
  REQUIRE(r.status == 0);
  INFO(r.out);
  CHECK(widest(r.out) <= 120);
  CHECK(std::regex_search(r.out, kGrouped));
  for (const char* h : {"cycles(sparse)", "cycles(dense)", "speedup", "util(sparse)", "energy(sparse) uJ"})
    CHECK(r.out.find(h) != std::string::npos);
  const auto w = run_sparsim("run --wide --out " + wdir);
  REQUIRE(w.status == 0);
  CHECK(widest(w.out) > 120);
  for (const char* h : {"cycles(sparse)", "cycles(dense)", "speedup", "util(sparse)", "util(dense)",
                        "energy(sparse) uJ", "energy(dense) uJ", "energy gain"})
    CHECK(w.out.find(h) != std::string::npos);
  // The files for programs carry no separators, and --wide changes stdout only.
  check_rectangular(slurp(dir + "/layers.csv"));
  CHECK(slurp(dir + "/report.json") == slurp(wdir + "/report.json"));
  CHECK(slurp(dir + "/layers.csv") == slurp(wdir + "/layers.csv"));
}

TEST_CASE("run: every shipped config's summary fits 120 columns") {
  // Each config on the layer with the longest name (what makes its table widest; the cycle columns are
  // sized to any magnitude), so the suite of configs takes a minute, not the quarter hour of full runs.
  const std::filesystem::path configs = std::filesystem::path(SPARSIM_SOURCE_DIR) / "configs";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string config = entry.path().string();
    const sparsim::Config cfg = sparsim::Config::load(config, {});
    const sparsim::TrainingStep step = sparsim::configured_training_step(cfg);
    REQUIRE_FALSE(step.ops.empty());
    std::string layers = step.ops.front().layer;
    for (const auto& op : step.ops)
      if (op.layer.size() > layers.size()) layers = op.layer;
    const auto dir = temp_dir("out_config");
    auto r = run_sparsim("run " + config + " --set workload.layers=" + layers + " --out " + dir);
    // The offload path times the whole network (it refuses a subset): those configs run every layer at a
    // small batch instead.
    if (r.status == 2 && r.err.find("needs every layer") != std::string::npos) {
      layers = "(all, batch 8)";
      r = run_sparsim("run " + config + " --set workload.batch=8 --out " + dir);
    }
    INFO(config << " on " << layers << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK(widest(r.out) <= 120);
    CHECK(std::regex_search(r.out, kGrouped));
    ++checked;
  }
  CHECK(checked >= 20);
}

TEST_CASE("run: --format csv prints one row per layer and phase and the totals, plain numbers, nothing else") {
  const auto dir = temp_dir("out_csv");
  const auto r = run_sparsim("run " + kSmall + " --format csv --progress --out " + dir);
  REQUIRE(r.status == 0);
  INFO(r.out);
  check_rectangular(r.out);
  CHECK_FALSE(std::regex_search(r.out, kGrouped));
  const auto rows = lines(r.out);
  const auto header = fields(rows[0]);
  CHECK(header[0] == "layer_index");
  CHECK(std::find(header.begin(), header.end(), "cycles_sparse") != header.end());
  CHECK(std::find(header.begin(), header.end(), "energy_efficiency_gain") != header.end());
  REQUIRE(rows.size() == 1 + 6 + 4);  // 2 layers x 3 phases, then FF, BP, WU and step totals
  CHECK(rows.back().rfind(",total,step,", 0) == 0);
  CHECK(r.out.find("reports:") == std::string::npos);
  CHECK(r.out.find('\r') == std::string::npos);  // the forced progress went to stderr
  CHECK(r.err.find("elapsed") != std::string::npos);
  // The cycles are the report's.
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  const auto col = std::find(header.begin(), header.end(), "cycles_dense") - header.begin();
  CHECK(fields(rows.back())[static_cast<std::size_t>(col)] ==
        std::to_string(report["summary"]["variants"]["dense"]["cycles"].get<std::uint64_t>()));
}

TEST_CASE("run: --format json prints the summary as one JSON document") {
  const auto dir = temp_dir("out_json");
  const auto r = run_sparsim("run " + kSmall + " --functional --format json --out " + dir);
  REQUIRE(r.status == 0);
  const auto doc = nlohmann::json::parse(r.out);  // throws (fails the test) if anything else is on stdout
  const auto report = nlohmann::json::parse(slurp(dir + "/report.json"));
  CHECK(doc["accelerator"] == "sat");
  CHECK(doc["rows"].size() == 6);
  CHECK(doc["totals"].back()["phase"] == "step");
  CHECK(doc["totals"].back()["cycles_sparse"] == report["summary"]["variants"]["sparse"]["cycles"]);
  CHECK(doc["speedup"]["step"] == report["summary"]["speedup"]["step"]);
  CHECK(doc["functional_check"]["passed"] == true);
  CHECK(doc["reports"]["report_json"] == dir + "/report.json");
  CHECK(run_sparsim("run --format yaml").status == 2);
}

TEST_CASE("workloads list fits 120 columns with separators, --wide and --format csv|json give everything") {
  const auto r = run_sparsim("workloads list");
  REQUIRE(r.status == 0);
  INFO(r.out);
  CHECK(widest(r.out) <= 120);
  CHECK(r.out.find("14,362,370,637,824") != std::string::npos);
  const auto w = run_sparsim("workloads list --wide");
  REQUIRE(w.status == 0);
  CHECK(w.out.find("LLaMA-7B, all 32 decoder layers, hidden 4096, 2048 tokens (Touvron et al. 2023)") !=
        std::string::npos);
  const auto c = run_sparsim("workloads list --format csv");
  REQUIRE(c.status == 0);
  CHECK(c.out.rfind("name,layers,weights,macs_per_sample,description\n", 0) == 0);
  CHECK(c.out.find(",14362370637824,") != std::string::npos);
  CHECK(c.out.find("14,362") == std::string::npos);
  const auto j = run_sparsim("workloads list --format json");
  REQUIRE(j.status == 0);
  const auto doc = nlohmann::json::parse(j.out);
  bool found = false;
  for (const auto& n : doc)
    if (n["name"] == "llama7b-decoder") found = n["macs_per_sample"] == 14362370637824ull;
  CHECK(found);
  CHECK(lines(c.out).size() == doc.size() + 1);
  CHECK(run_sparsim("workloads list --format xml").status == 2);
}

TEST_CASE("workloads show fits 120 columns with separators") {
  for (const char* net : {"googlenet-han", "lstm-2304", "llama7b-layer"}) {
    const auto r = run_sparsim(std::string("workloads show ") + net);
    REQUIRE(r.status == 0);
    INFO(r.out);
    CHECK(widest(r.out) <= 120);
    CHECK(std::regex_search(r.out, kGrouped));
  }
}

TEST_CASE("every command's --help lists the output options") {
  const auto run = run_sparsim("run --help");
  CHECK(run.status == 0);
  for (const char* o : {"--format table|csv|json", "--wide", "--quiet", "--progress"})
    CHECK(run.out.find(o) != std::string::npos);
  const auto sweep = run_sparsim("sweep --help");
  CHECK(sweep.status == 0);
  for (const char* o : {"--quiet", "--progress"}) CHECK(sweep.out.find(o) != std::string::npos);
  const auto workloads = run_sparsim("workloads --help");
  CHECK(workloads.status == 0);
  for (const char* o : {"--wide", "--format"}) CHECK(workloads.out.find(o) != std::string::npos);
  const auto top = run_sparsim("--help");
  for (const char* o : {"--format", "--wide", "--quiet", "--progress"}) CHECK(top.out.find(o) != std::string::npos);
}

TEST_CASE("summary table: the design's top stall cause and its share of cycles, per layer and per total") {
  auto report = wide_report();
  for (auto& j : report["jobs"]) {
    const double cycles = j["cycles"].get<double>();
    j["stall_cycles"] = {{"fill_drain", static_cast<std::uint64_t>(cycles * 0.1)},
                         {"dram_bandwidth", static_cast<std::uint64_t>(cycles * 0.41)}};
  }
  const std::string narrow = sparsim::summary_table(report);
  INFO(narrow);
  CHECK(widest(narrow) <= 120);
  CHECK(narrow.find("top stall") != std::string::npos);
  CHECK(narrow.find("dram 41%") != std::string::npos);
  // Without stalls the cell says so.
  for (auto& j : report["jobs"]) j.erase("stall_cycles");
  const std::string none = sparsim::summary_table(report, true);
  CHECK(none.find("dram 41%") == std::string::npos);
  // CSV: the cause by its full name and the share as a fraction, per row and per total.
  auto r2 = wide_report();
  for (auto& j : r2["jobs"]) j["stall_cycles"] = {{"dram_bandwidth", j["cycles"].get<std::uint64_t>() / 4}};
  const std::string csv = sparsim::summary_csv(r2);
  INFO(csv);
  const auto rows = lines(csv);
  REQUIRE(rows.size() > 2);
  CHECK(rows[0].find(",top_stall,top_stall_share") != std::string::npos);
  CHECK(rows[1].find(",dram_bandwidth,0.25") != std::string::npos);
  CHECK(rows.back().find(",dram_bandwidth,0.25") != std::string::npos);
}

TEST_CASE("run: a bandwidth-starved design shows operand starvation as its top stall") {
  // configs/sat-starved.yaml: 256 B/cycle of global buffer for a 2:8 array that needs 512.
  const auto dir = temp_dir("out_starved");
  const std::string args = "run " + std::string(SPARSIM_SOURCE_DIR) +
                           "/configs/sat-starved.yaml --set workload.layers=layer3.0.conv2 --set workload.phases=FF "
                           "--set workload.batch=1 --out " +
                           dir;
  const auto r = run_sparsim(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  INFO(r.out);
  CHECK(widest(r.out) <= 120);
  CHECK(r.out.find("top stall") != std::string::npos);
  CHECK(std::regex_search(r.out, std::regex(R"(operands \d+%)")));
  const auto c = run_sparsim(args + " --format csv");
  REQUIRE(c.status == 0);
  const auto rows = lines(c.out);
  REQUIRE(rows.size() >= 2);
  // The header names the columns; the layer's row holds the cause and a share well above noise.
  const auto header = rows[0];
  std::vector<std::string> cols, cells;
  std::stringstream hs(header), rs(rows[1]);
  for (std::string x; std::getline(hs, x, ',');) cols.push_back(x);
  for (std::string x; std::getline(rs, x, ',');) cells.push_back(x);
  REQUIRE(cols.size() == cells.size());
  const auto at = [&](const std::string& name) {
    return cells[static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin())];
  };
  CHECK(at("top_stall") == "operand_starvation");
  CHECK(std::stod(at("top_stall_share")) > 0.2);
}

// The directory named by the table summary's "reports:" line(s), put back together.
std::string reported_dir(const std::string& out) {
  const auto all = lines(out);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::string& l = all[i];
    if (l.rfind("reports: ", 0) != 0) continue;
    const std::string in = "reports: report.json, layers.csv in";
    if (l.rfind(in + " ", 0) == 0) return l.substr(in.size() + 1);
    if (l == in) {
      std::string dir;
      for (std::size_t k = i + 1; k < all.size() && all[k].rfind("  ", 0) == 0; ++k) dir += all[k].substr(2);
      return dir;
    }
    const auto comma = l.find("/report.json, ");
    return comma == std::string::npos ? "" : l.substr(9, comma - 9);
  }
  return "";
}

TEST_CASE("reports line: the paths, else the file names once and the directory after, within the width") {
  CHECK(sparsim::reports_lines("out") == "reports: out/report.json, out/layers.csv\n");
  const std::string mid = "/tmp/" + std::string(70, 'd');  // both paths: too long; the directory once: fits
  CHECK(sparsim::reports_lines(mid) == "reports: report.json, layers.csv in " + mid + "\n");
  std::string deep = "/tmp";
  for (int i = 0; i < 12; ++i) deep += "/level-" + std::to_string(i) + "-" + std::string(20, 'x');
  const std::string wrapped = sparsim::reports_lines(deep);
  INFO(wrapped);
  CHECK(widest(wrapped) <= 120);
  CHECK(lines(wrapped).size() >= 3);
  CHECK(reported_dir(wrapped) == deep);
  const auto parts = lines(wrapped);  // broken after a '/', never inside a name
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) CHECK(parts[i].back() == '/');
  // A name longer than a line is cut at the width; 0 is no limit (--wide).
  const std::string one_name = "/" + std::string(300, 'n');
  CHECK(widest(sparsim::reports_lines(one_name)) <= 120);
  CHECK(reported_dir(sparsim::reports_lines(one_name)) == one_name);
  CHECK(lines(sparsim::reports_lines(deep, 0)).size() == 1);
}

TEST_CASE("run: a long --out path keeps every line of the default summary within 120 columns") {
  std::string out = temp_dir("out_long_path");
  for (int i = 0; i < 6; ++i) out += "/a-rather-long-directory-name-number-" + std::to_string(i);
  REQUIRE(out.size() > 200);
  const auto r = run_sparsim("run " + kSmall + " --out " + out);
  REQUIRE(r.status == 0);
  INFO(r.out);
  CHECK(widest(r.out) <= 120);
  CHECK(reported_dir(r.out) == out);
  CHECK(std::filesystem::is_regular_file(out + "/report.json"));
  CHECK(std::filesystem::is_regular_file(out + "/layers.csv"));
  const auto w = run_sparsim("run " + kSmall + " --wide --out " + out);  // --wide: the paths on one line
  REQUIRE(w.status == 0);
  CHECK(w.out.find("reports: " + out + "/report.json, " + out + "/layers.csv\n") != std::string::npos);
}
