// The summary in forms for programs (`sparsim run --format csv|json`): the same rows as the table, every
// column, plain numbers (no thousands separators, full precision), read from the report JSON.
#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "sim/report/job_rows.hpp"
#include "sim/report/report.hpp"
#include "sim/text/csv.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

// "cycles_" + variant, built by appending (GCC 12 warns falsely, -Wrestrict, on "lit" + string).
std::string key_of(const char* prefix, const std::string& variant) {
  std::string key = prefix;
  key += variant;
  return key;
}

// Fills the per-variant columns and the design-over-baseline ratios of one row from `of(variant)`, a
// figures object (a job or a total) or nullptr where the variant has none.
template <typename Lookup>
void fill(json& row, const std::vector<std::string>& variants, const std::string& design, const std::string& base,
          Lookup of) {
  for (const auto& v : variants) row[key_of("cycles_", v)] = of(v) ? (*of(v))["cycles"] : json();
  for (const auto& v : variants) row[key_of("utilization_", v)] = of(v) ? (*of(v))["utilization"] : json();
  for (const auto& v : variants) row[key_of("energy_pj_", v)] = of(v) ? (*of(v))["energy_pj"] : json();
  const json* d = of(design);
  const json* b = of(base);
  const bool cycles_ok = d && b && (*d)["cycles"].get<double>() > 0;
  const bool energy_ok = d && b && (*d)["energy_pj"].get<double>() > 0;
  row["speedup"] = cycles_ok ? json((*b)["cycles"].get<double>() / (*d)["cycles"].get<double>()) : json();
  row["energy_efficiency_gain"] =
      energy_ok ? json((*b)["energy_pj"].get<double>() / (*d)["energy_pj"].get<double>()) : json();
}

// The design's top stall cause over `jobs` (one job, or a phase's or the step's) and its share of cycles.
void fill_top_stall(json& row, const std::vector<const json*>& jobs) {
  const TopStall t = top_stall(jobs);
  row["top_stall"] = t.cycles > 0 ? json(t.cause) : json();
  row["top_stall_share"] = t.cycles > 0 ? json(t.share) : json();
}

struct Tables {
  json rows = json::array();    // one per layer x phase
  json totals = json::array();  // one per phase, then the step
};

Tables summary_rows(const json& report) {
  const auto variants = variants_of(report);
  const std::string design = report["accelerator"]["design_variant"].get<std::string>();
  const std::string base = report["accelerator"]["baseline_variant"].get<std::string>();
  Tables t;
  for (const auto& r : job_rows(report)) {
    json row = {{"layer_index", r.layer_index}, {"layer", r.layer}, {"phase", r.phase}};
    fill(row, variants, design, base, [&](const std::string& v) { return r.job(v); });
    fill_top_stall(row, {r.job(design)});
    t.rows.push_back(std::move(row));
  }
  std::map<std::string, std::vector<const json*>> design_jobs;  // by phase; "step": all
  for (const auto& j : report["jobs"])
    if (j["variant"] == design) {
      design_jobs[j["phase"].get<std::string>()].push_back(&j);
      design_jobs["step"].push_back(&j);
    }
  std::vector<std::string> phases;
  for (const auto& p : report["summary"]["phases"]) {
    const std::string name = p["phase"].get<std::string>();
    if (std::find(phases.begin(), phases.end(), name) == phases.end()) phases.push_back(name);
  }
  for (const auto& phase : phases) {
    json row = {{"layer_index", nullptr}, {"layer", "total"}, {"phase", phase}};
    fill(row, variants, design, base, [&](const std::string& v) -> const json* {
      for (const auto& p : report["summary"]["phases"])
        if (p["phase"] == phase && p["variant"] == v) return &p;
      return nullptr;
    });
    fill_top_stall(row, design_jobs[phase]);
    t.totals.push_back(std::move(row));
  }
  json step = {{"layer_index", nullptr}, {"layer", "total"}, {"phase", "step"}};
  fill(step, variants, design, base, [&](const std::string& v) -> const json* {
    const auto& all = report["summary"]["variants"];
    return all.contains(v) ? &all[v] : nullptr;
  });
  fill_top_stall(step, design_jobs["step"]);
  t.totals.push_back(std::move(step));
  return t;
}

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return csv_field(v.get<std::string>());
  if (v.is_number_float()) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.9g", v.get<double>());
    return buf;
  }
  return v.dump();  // integers: plain digits
}

}  // namespace

std::string summary_csv(const json& report) {
  const Tables t = summary_rows(report);
  std::ostringstream out;
  bool first = true;
  for (auto it = t.totals[0].begin(); it != t.totals[0].end(); ++it) {
    out << (first ? "" : ",") << it.key();
    first = false;
  }
  out << "\n";
  for (const json* rows : {&t.rows, &t.totals})
    for (const auto& row : *rows) {
      first = true;
      for (const auto& v : row) {
        out << (first ? "" : ",") << csv_cell(v);
        first = false;
      }
      out << "\n";
    }
  return out.str();
}

json summary_json(const json& report) {
  Tables t = summary_rows(report);
  json out = {{"sparsim", report["sparsim"]["version"]},
              {"accelerator", report["accelerator"]["name"]},
              {"design_variant", report["accelerator"]["design_variant"]},
              {"baseline_variant", report["accelerator"]["baseline_variant"]},
              {"network", report["workload"]["network"]},
              {"batch", report["workload"]["batch"]},
              {"mode", report["mode"]},
              {"seed", report["seed"]},
              {"rows", std::move(t.rows)},
              {"totals", std::move(t.totals)}};
  for (const char* key : {"speedup", "energy_efficiency_gain"})
    if (report["summary"].contains(key)) out[key] = report["summary"][key];
  if (report["extra"].contains("ideal_speedup_bound"))
    out["ideal_speedup_bound"] = report["extra"]["ideal_speedup_bound"];
  if (report["extra"].contains("summary_lines")) out["notes"] = report["extra"]["summary_lines"];
  return out;
}

}  // namespace sparsim
