#include "sim/sweep/collect.hpp"

#include <cstdio>
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

std::string results_csv(const Plan& plan, const std::string& dir, CollectSummary* summary) {
  std::map<std::string, std::optional<json>> reports;
  for (const auto& r : plan.runs) reports[r.id] = load_report(dir, r.id);
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
  for (const auto& b : plan.baselines)
    header.insert(header.end(), {b + "_time_s", b + "_energy_pj", "speedup_vs_" + b, "energy_gain_vs_" + b});
  for (const auto& m : plan.metrics) header.push_back(m.column);
  for (const auto& c : design_components) header.push_back("energy_pj." + c);
  for (const auto& c : baseline_components) header.push_back("baseline_energy_pj." + c);

  std::ostringstream out;
  for (std::size_t i = 0; i < header.size(); ++i) out << (i ? "," : "") << csv_field(header[i]);
  out << "\n";
  CollectSummary s;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& p = plan.points[i];
    const auto& r = reports[p.run];
    bool complete = r.has_value();
    for (const auto& b : p.baseline_runs) complete = complete && reports[b].has_value();
    s.points++;
    if (complete) s.finished++;
    bool damaged = !run_damage(dir, p.run).empty();
    for (const auto& b : p.baseline_runs) damaged = damaged || !run_damage(dir, b).empty();
    if (damaged) s.damaged++;
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
    for (std::size_t k = 0; k < row.size(); ++k) out << (k ? "," : "") << csv_field(row[k]);
    out << "\n";
  }
  if (summary) *summary = s;
  return out.str();
}

int collect(const Plan& plan, const std::string& dir, std::ostream& out) {
  CollectSummary s;
  const std::string csv = results_csv(plan, dir, &s);
  write_atomically(dir, "results.csv", csv);
  out << "results: " << (fs::path(dir) / "results.csv").string() << " (" << s.finished << " of " << s.points
      << " points finished)\n";
  if (s.finished == s.points) return 0;
  for (const auto& r : plan.runs)
    if (const std::string damage = run_damage(dir, r.id); !damage.empty())
      out << "run " << r.id << " is damaged (" << damage << "): its points are not used\n";
  out << s.points - s.finished << " points are not finished (status missing or damaged); re-run the sweep to "
      << "finish them\n";
  return 1;
}

}  // namespace sparsim::sweep
