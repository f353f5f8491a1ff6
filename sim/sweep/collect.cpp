#include "sim/sweep/collect.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/errors.hpp"
#include "sim/report/report.hpp"
#include "sim/text/csv.hpp"
#include "sim/text/numbers.hpp"
#include "sim/text/text_table.hpp"

namespace sparsim::sweep {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::optional<json> load_report(const std::string& dir, const std::string& id) {
  if (!run_finished(dir, id)) return std::nullopt;
  std::ifstream in(fs::path(run_dir(dir, id)) / "report.json");
  try {
    return json::parse(in);
  } catch (const json::exception&) {
    return std::nullopt;  // cannot happen for a renamed run (written atomically); treat as unfinished
  }
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string cell(const json* j) {
  if (!j || j->is_null()) return "";
  if (j->is_number_integer() || j->is_number_unsigned()) return j->dump();
  if (j->is_number()) return number(j->get<double>());
  if (j->is_boolean()) return j->get<bool>() ? "true" : "false";
  if (j->is_string()) return j->get<std::string>();
  return j->dump();
}

const json* at_path(const json& root, const std::string& dotted) {
  const json* node = &root;
  std::stringstream ss(dotted);
  for (std::string part; std::getline(ss, part, '.');) {
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &(*node)[part];
  }
  return node;
}

const json* variant_totals(const json& r, const std::string& role) {
  const json* name = at_path(r, "accelerator." + role + "_variant");
  if (!name || !name->is_string()) return nullptr;
  const json* v = at_path(r, "summary.variants");
  if (!v || !v->contains(name->get<std::string>())) return nullptr;
  return &(*v)[name->get<std::string>()];
}

std::map<std::string, double> energy_by_component(const json& r, const std::string& role) {
  std::map<std::string, double> out;
  const json* name = at_path(r, "accelerator." + role + "_variant");
  const json* all = at_path(r, "energy.pj_by_variant_component_action");
  if (!name || !all || !all->contains(name->get<std::string>())) return out;
  for (const auto& [component, actions] : (*all)[name->get<std::string>()].items())
    for (const auto& [action, pj] : actions.items()) out[component] += pj.get<double>();
  return out;
}

double time_of(const json& r) {
  const json* t = variant_totals(r, "design");
  return t ? (*t)["time_s"].get<double>() : 0.0;
}

double energy_of(const json& r) {
  const json* t = variant_totals(r, "design");
  return t ? (*t)["energy_pj"].get<double>() : 0.0;
}

std::string ratio(double num, double den) { return den > 0 && num > 0 ? number(num / den) : ""; }

const char* const kTotals[] = {"cycles", "time_s", "utilization", "energy_pj"};
const char* const kPhases[] = {"FF", "BP", "WU", "step"};

}  // namespace

ResultsTable results_table(const Plan& plan, const std::string& dir) {
  ResultsTable table;
  std::map<std::string, std::optional<json>> reports;
  CollectSummary s;
  for (const auto& r : plan.runs) {
    reports[r.id] = load_report(dir, r.id);
    if (!reports[r.id])
      if (std::string damage = run_damage(dir, r.id); !damage.empty()) s.damaged[r.id] = std::move(damage);
  }
  // Energy component columns: the union over all finished reports, sorted, so the header depends only on
  // the results, never on the order runs finished in.
  std::set<std::string> design_components, baseline_components;
  for (const auto& p : plan.points)
    if (const auto& r = reports[p.run]) {
      for (const auto& [c, _] : energy_by_component(*r, "design")) design_components.insert(c);
      for (const auto& [c, _] : energy_by_component(*r, "baseline")) baseline_components.insert(c);
    }
  std::vector<std::string> header = {"point", "run", "status"};
  for (const auto& a : plan.axes) header.push_back(a.key);
  header.insert(header.end(), {"network", "design_variant", "baseline_variant"});
  for (const char* t : kTotals) header.push_back(t);
  for (const char* t : kTotals) header.push_back(std::string("baseline_") + t);
  for (const char* p : kPhases) header.push_back(std::string("speedup_") + p);
  for (const char* p : kPhases) header.push_back(std::string("energy_gain_") + p);
  header.push_back("ideal_speedup_step");
  for (const auto& b : plan.baselines)
    header.insert(header.end(), {b + "_time_s", b + "_energy_pj", "speedup_vs_" + b, "energy_gain_vs_" + b});
  for (const auto& m : plan.metrics) header.push_back(m.column);
  for (const auto& c : design_components) header.push_back("energy_pj." + c);
  for (const auto& c : baseline_components) header.push_back("baseline_energy_pj." + c);

  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& p = plan.points[i];
    const auto& r = reports[p.run];
    bool complete = r.has_value();
    for (const auto& b : p.baseline_runs) complete = complete && reports[b].has_value();
    s.points++;
    if (complete) s.finished++;
    bool damaged = s.damaged.count(p.run) > 0;
    for (const auto& b : p.baseline_runs) damaged = damaged || s.damaged.count(b) > 0;
    std::vector<std::string> row = {std::to_string(i), p.run, complete ? "ok" : damaged ? "damaged" : "missing"};
    for (const auto& [k, v] : p.values) row.push_back(v);
    const json empty = json::object();
    const json& rep = r ? *r : empty;
    row.push_back(cell(at_path(rep, "workload.network")));
    row.push_back(cell(at_path(rep, "accelerator.design_variant")));
    row.push_back(cell(at_path(rep, "accelerator.baseline_variant")));
    for (const char* role : {"design", "baseline"}) {
      const json* t = r ? variant_totals(rep, role) : nullptr;
      for (const char* k : kTotals) row.push_back(t ? cell(at_path(*t, k)) : "");
    }
    for (const char* p2 : kPhases) row.push_back(cell(at_path(rep, std::string("summary.speedup.") + p2)));
    for (const char* p2 : kPhases)
      row.push_back(cell(at_path(rep, std::string("summary.energy_efficiency_gain.") + p2)));
    // The model's own bound on the step speedup (SAT: dense MACs / MACs the sparse variant issues, pruned
    // layers only; SCNN: dense MACs / non-zero products); empty for models that state none.
    row.push_back(cell(at_path(rep, "extra.ideal_speedup_bound")));
    for (const auto& b : p.baseline_runs) {
      const auto& br = reports[b];
      if (!br || !r) {
        row.insert(row.end(), {"", "", "", ""});
        continue;
      }
      row.insert(row.end(), {number(time_of(*br)), number(energy_of(*br)), ratio(time_of(*br), time_of(*r)),
                             ratio(energy_of(*br), energy_of(*r))});
    }
    for (const auto& m : plan.metrics) row.push_back(cell(r ? at_path(*r, m.path) : nullptr));
    const auto de = r ? energy_by_component(*r, "design") : std::map<std::string, double>{};
    const auto be = r ? energy_by_component(*r, "baseline") : std::map<std::string, double>{};
    for (const auto& c : design_components) row.push_back(de.count(c) ? number(de.at(c)) : "");
    for (const auto& c : baseline_components) row.push_back(be.count(c) ? number(be.at(c)) : "");
    table.rows.push_back(std::move(row));
  }
  table.header = std::move(header);
  table.summary = s;
  return table;
}

std::string results_csv(const ResultsTable& table) {
  std::ostringstream out;
  for (std::size_t i = 0; i < table.header.size(); ++i) out << (i ? "," : "") << csv_field(table.header[i]);
  out << "\n";
  for (const auto& row : table.rows) {
    for (std::size_t k = 0; k < row.size(); ++k) out << (k ? "," : "") << csv_field(row[k]);
    out << "\n";
  }
  return out.str();
}

std::string results_csv(const Plan& plan, const std::string& dir, CollectSummary* summary) {
  const ResultsTable table = results_table(plan, dir);
  if (summary) *summary = table.summary;
  return results_csv(table);
}

namespace {

std::size_t column_of(const ResultsTable& t, const std::string& name) {
  for (std::size_t i = 0; i < t.header.size(); ++i)
    if (t.header[i] == name) return i;
  return t.header.size();
}

bool parse_number(const std::string& text, double& v) {
  if (text.empty()) return false;
  char* end = nullptr;
  v = std::strtod(text.c_str(), &end);
  return *end == '\0' && std::isfinite(v);
}

// A cell for a person: a ratio with three decimals and an "x", a count with thousands separators.
std::string ratio_cell(const std::string& text) {
  double v = 0;
  return parse_number(text, v) ? format_number("%.3fx", v) : text;
}
std::string count_cell(const std::string& text) {
  double v = 0;
  return parse_number(text, v) && v >= 0 && v == std::floor(v) && v < 1.8e19
             ? group_digits(static_cast<std::uint64_t>(v))
             : text;
}

// Headers of the swept keys: the last part of the key ("m" for workload.sparsity.m) unless two keys
// share it, then the whole key.
std::vector<std::string> axis_headers(const Plan& plan) {
  std::map<std::string, int> count;
  auto last = [](const std::string& k) { return k.substr(k.rfind('.') + 1); };
  for (const auto& a : plan.axes) ++count[last(a.key)];
  std::vector<std::string> out;
  for (const auto& a : plan.axes) out.push_back(count[last(a.key)] > 1 ? a.key : last(a.key));
  return out;
}

}  // namespace

std::string results_text(const Plan& plan, const ResultsTable& t, std::size_t width) {
  // (header, results.csv column, cell formatter, drop order); the higher the drop order, the sooner the
  // column is left out to fit the width.
  struct Col {
    std::string header, column;
    std::string (*format)(const std::string&);
    int drop;
  };
  const auto plain = [](const std::string& s) { return s; };
  std::vector<Col> cols = {{"point", "point", plain, 0}};
  const auto headers = axis_headers(plan);
  for (std::size_t i = 0; i < plan.axes.size(); ++i) cols.push_back({headers[i], plan.axes[i].key, plain, 0});
  cols.push_back({"status", "status", plain, 0});
  cols.push_back({"speedup", "speedup_step", ratio_cell, 0});
  cols.push_back({"energy gain", "energy_gain_step", ratio_cell, 1});
  const std::size_t ideal = column_of(t, "ideal_speedup_step");
  bool any_ideal = false;
  for (const auto& r : t.rows) any_ideal = any_ideal || (ideal < r.size() && !r[ideal].empty());
  if (any_ideal) cols.push_back({"ideal", "ideal_speedup_step", ratio_cell, 2});
  cols.push_back({"cycles", "cycles", count_cell, 4});
  for (const auto& b : plan.baselines) cols.push_back({"speedup vs " + b, "speedup_vs_" + b, ratio_cell, 3});
  for (const auto& m : plan.metrics) cols.push_back({m.column, m.column, plain, 5});
  std::vector<TableColumn> spec;
  for (std::size_t i = 0; i < cols.size(); ++i) {
    const bool text = i >= 1 && i <= plan.axes.size();  // swept values: names and files, left-aligned
    spec.push_back(TableColumn{cols[i].header, text || cols[i].column == "status", cols[i].drop, text});
  }
  TextTable table(spec);
  for (const auto& r : t.rows) {
    std::vector<std::string> cells;
    for (const auto& c : cols) {
      const std::size_t k = column_of(t, c.column);
      cells.push_back(k < r.size() ? c.format(r[k]) : "");
    }
    table.add_row(std::move(cells));
  }
  return table.render(width);
}

nlohmann::ordered_json results_json(const Plan& plan, const std::string& dir, const ResultsTable& t) {
  json doc = {{"sweep", plan.name},
              {"results_csv", (fs::path(dir) / "results.csv").string()},
              {"points", t.summary.points},
              {"finished", t.summary.finished}};
  doc["axes"] = json::array();
  for (const auto& a : plan.axes) doc["axes"].push_back({{"key", a.key}, {"unit", a.unit}});
  doc["rows"] = json::array();
  static const std::set<std::string> text_columns = {"run", "status", "network", "design_variant", "baseline_variant"};
  for (const auto& r : t.rows) {
    json row = json::object();
    for (std::size_t k = 0; k < t.header.size() && k < r.size(); ++k) {
      const std::string& cell_text = r[k];
      double v = 0;
      if (cell_text.empty())
        row[t.header[k]] = nullptr;
      else if (text_columns.count(t.header[k]) == 0 && parse_number(cell_text, v))
        row[t.header[k]] = cell_text.find_first_of(".eEnN") == std::string::npos && std::fabs(v) < 9e15
                               ? json(static_cast<std::int64_t>(v))
                               : json(v);
      else
        row[t.header[k]] = cell_text;
    }
    doc["rows"].push_back(std::move(row));
  }
  return doc;
}

int collect(const Plan& plan, const std::string& dir, std::ostream& out, SummaryFormat format, std::ostream* notes) {
  const ResultsTable table = results_table(plan, dir);
  const CollectSummary& s = table.summary;
  const std::string csv = results_csv(table);
  write_atomically(dir, "results.csv", csv);
  std::ostream& note = format == SummaryFormat::Table || !notes ? out : *notes;
  if (format == SummaryFormat::Csv) out << csv;
  if (format == SummaryFormat::Json)
    out << results_json(plan, dir, table).dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  if (format == SummaryFormat::Table) out << results_text(plan, table, kSummaryWidth) << "\n";
  if (format == SummaryFormat::Table || notes)
    note << "results: " << (fs::path(dir) / "results.csv").string() << " (" << s.finished << " of " << s.points
         << " points finished)\n";
  if (s.finished == s.points) return 0;
  if (format == SummaryFormat::Table || notes) {
    for (const auto& [id, damage] : s.damaged)
      note << "run " << id << " is damaged (" << damage << "): its points are not used\n";
    note << s.points - s.finished << " points are not finished (status missing or damaged); re-run the sweep to "
         << "finish them\n";
  }
  return 1;
}

}  // namespace sparsim::sweep
