// layers.csv and the stdout summary, both read from the report JSON so they can never disagree with it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/errors.hpp"
#include "sim/report/report.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

struct Row {
  int layer_index = 0;
  std::string layer, phase;
  std::map<std::string, const json*> by_variant;
};

std::vector<std::string> variants_of(const json& report) {
  std::vector<std::string> out;
  for (const auto& [name, _] : report["summary"]["variants"].items()) out.push_back(name);
  return out;
}

std::vector<Row> rows_of(const json& report) {
  std::vector<Row> rows;
  std::map<std::pair<std::string, std::string>, std::size_t> index;  // (layer, phase) -> row
  for (const auto& job : report["jobs"]) {
    const auto key = std::make_pair(job["layer"].get<std::string>(), job["phase"].get<std::string>());
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, rows.size()).first;
      rows.push_back(Row{job["layer_index"].get<int>(), key.first, key.second, {}});
    }
    rows[it->second].by_variant[job["variant"].get<std::string>()] = &job;
  }
  return rows;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string csv_number(double v) { return fmt("%.9g", v); }

std::size_t cell_width(const std::string& variant) { return std::max<std::size_t>(14, variant.size() + 10); }

std::string pad_left(const std::string& text, std::size_t width) {
  return std::string(width > text.size() ? width - text.size() : 1, ' ') + text;
}

}  // namespace

std::string layers_csv(const json& report) {
  const auto variants = variants_of(report);
  const std::string design = report["accelerator"]["design_variant"].get<std::string>();
  const std::string base = report["accelerator"]["baseline_variant"].get<std::string>();
  std::ostringstream out;
  out << "layer_index,layer,phase,dense_macs";
  for (const auto& v : variants) out << ",cycles_" << v << ",utilization_" << v << ",energy_pj_" << v;
  out << ",speedup,energy_efficiency_gain";
  for (const auto& v : variants) out << ",dram_row_hit_rate_" << v << ",dram_stall_cycles_" << v;
  // Why a layer is slow: every stall cause the model reports, per variant (in first-seen order).
  std::vector<std::string> causes;
  for (const auto& j : report["jobs"])
    if (j.contains("stall_cycles"))
      for (auto it = j["stall_cycles"].begin(); it != j["stall_cycles"].end(); ++it)
        if (std::find(causes.begin(), causes.end(), it.key()) == causes.end()) causes.push_back(it.key());
  for (const auto& v : variants)
    for (const auto& c : causes) out << ",stall_" << c << "_" << v;
  out << "\n";
  for (const auto& r : rows_of(report)) {
    const json* any = r.by_variant.begin()->second;
    out << r.layer_index << "," << r.layer << "," << r.phase << "," << (*any)["dense_macs"].get<std::uint64_t>();
    for (const auto& v : variants) {
      auto it = r.by_variant.find(v);
      if (it == r.by_variant.end()) {
        out << ",,,";
        continue;
      }
      const json& j = *it->second;
      out << "," << j["cycles"].get<std::uint64_t>() << "," << csv_number(j["utilization"].get<double>()) << ","
          << csv_number(j["energy_pj"].get<double>());
    }
    auto d = r.by_variant.find(design), b = r.by_variant.find(base);
    if (d != r.by_variant.end() && b != r.by_variant.end() && (*d->second)["cycles"].get<double>() > 0) {
      out << "," << csv_number((*b->second)["cycles"].get<double>() / (*d->second)["cycles"].get<double>());
      const double de = (*d->second)["energy_pj"].get<double>();
      out << "," << (de > 0 ? csv_number((*b->second)["energy_pj"].get<double>() / de) : "");
    } else {
      out << ",,";
    }
    // The DRAM's row-buffer hit rate and the cycles waited for it (empty where a model has no DRAM).
    for (const auto& v : variants) {
      auto it = r.by_variant.find(v);
      const json* m = it != r.by_variant.end() && it->second->contains("memory") ? &(*it->second)["memory"] : nullptr;
      out << ","
          << (m && !(*m)["dram_row_hit_rate"].is_null() ? csv_number((*m)["dram_row_hit_rate"].get<double>()) : "")
          << "," << (m ? std::to_string((*m)["dram_stall_cycles"].get<std::uint64_t>()) : "");
    }
    for (const auto& v : variants) {
      auto it = r.by_variant.find(v);
      const json* st =
          it != r.by_variant.end() && it->second->contains("stall_cycles") ? &(*it->second)["stall_cycles"] : nullptr;
      for (const auto& c : causes)
        out << "," << (st && st->contains(c) ? std::to_string((*st)[c].get<std::uint64_t>()) : "");
    }
    out << "\n";
  }
  return out.str();
}

std::string summary_table(const json& report) {
  const auto variants = variants_of(report);
  const std::string design = report["accelerator"]["design_variant"].get<std::string>();
  const std::string base = report["accelerator"]["baseline_variant"].get<std::string>();
  const auto& cfg = report["config"];
  std::ostringstream out;
  out << "sparsim " << report["sparsim"]["version"].get<std::string>() << " | accelerator "
      << report["accelerator"]["name"].get<std::string>() << " | network "
      << report["workload"]["network"].get<std::string>() << ", batch " << report["workload"]["batch"].get<long long>();
  const auto n = cfg["workload"]["sparsity"]["n"].get<long long>(),
             m = cfg["workload"]["sparsity"]["m"].get<long long>();
  if (n > 0) out << ", weights " << n << ":" << m;
  out << " | mode " << report["mode"].get<std::string>() << " | seed " << report["seed"].get<long long>() << "\n\n";

  // Per layer and phase.
  char line[512];
  std::snprintf(line, sizeof line, "%-26s %-5s", "layer", "phase");
  out << line;
  for (const auto& v : variants) out << pad_left("cycles(" + v + ")", cell_width(v));
  out << "  speedup  util(" << design << ")  energy(" << design << ") uJ  energy(" << base << ") uJ\n";
  for (const auto& r : rows_of(report)) {
    std::snprintf(line, sizeof line, "%-26.26s %-5s", r.layer.c_str(), r.phase.c_str());
    out << line;
    for (const auto& v : variants) {
      auto it = r.by_variant.find(v);
      out << pad_left(it == r.by_variant.end() ? "-" : std::to_string((*it->second)["cycles"].get<std::uint64_t>()),
                      cell_width(v));
    }
    auto d = r.by_variant.find(design), b = r.by_variant.find(base);
    const bool both = d != r.by_variant.end() && b != r.by_variant.end();
    const double dc = both ? (*d->second)["cycles"].get<double>() : 0;
    out << fmt("%9.2fx", both && dc > 0 ? (*b->second)["cycles"].get<double>() / dc : 0.0);
    out << fmt("%13.1f%%", d != r.by_variant.end() ? 100.0 * (*d->second)["utilization"].get<double>() : 0.0);
    out << fmt("%19.2f", d != r.by_variant.end() ? (*d->second)["energy_pj"].get<double>() / 1e6 : 0.0);
    out << fmt("%19.2f", b != r.by_variant.end() ? (*b->second)["energy_pj"].get<double>() / 1e6 : 0.0) << "\n";
  }

  // Per phase and whole step.
  out << "\n";
  std::snprintf(line, sizeof line, "%-6s %-16s %16s %12s %12s %16s\n", "phase", "variant", "cycles", "time ms",
                "utilization", "energy uJ");
  out << line;
  for (const auto& row : report["summary"]["phases"]) {
    std::snprintf(line, sizeof line, "%-6s %-16s %16llu %12.4f %11.1f%% %16.2f\n",
                  row["phase"].get<std::string>().c_str(), row["variant"].get<std::string>().c_str(),
                  (unsigned long long)row["cycles"].get<std::uint64_t>(), row["time_s"].get<double>() * 1e3,
                  100.0 * row["utilization"].get<double>(), row["energy_pj"].get<double>() / 1e6);
    out << line;
  }
  for (const auto& v : variants) {
    const auto& t = report["summary"]["variants"][v];
    std::snprintf(line, sizeof line, "%-6s %-16s %16llu %12.4f %11.1f%% %16.2f\n", "step", v.c_str(),
                  (unsigned long long)t["cycles"].get<std::uint64_t>(), t["time_s"].get<double>() * 1e3,
                  100.0 * t["utilization"].get<double>(), t["energy_pj"].get<double>() / 1e6);
    out << line;
  }
  if (report["summary"].contains("speedup")) {
    out << "\nspeedup of " << design << " over " << base << ":";
    for (const auto& [phase, s] : report["summary"]["speedup"].items())
      out << "  " << phase << " " << fmt("%.3fx", s.get<double>());
    out << "\nenergy-efficiency gain:";
    for (const auto& [phase, s] : report["summary"]["energy_efficiency_gain"].items())
      out << "  " << phase << " " << fmt("%.3fx", s.get<double>());
    out << "\n";
  }
  // Models that know the ideal bound of their sparsity (e.g. 3/(2N/M+1) for N:M training) report it in
  // extra; the step speedup is shown against it so users see how much of the ideal the design reaches.
  if (report["extra"].contains("ideal_speedup_bound") && report["summary"].contains("speedup")) {
    const double ideal = report["extra"]["ideal_speedup_bound"].get<double>();
    const double step = report["summary"]["speedup"]["step"].get<double>();
    out << "ideal step speedup " << fmt("%.3fx", ideal);
    if (report["extra"].contains("ideal_speedup_formula"))
      out << " (" << report["extra"]["ideal_speedup_formula"].get<std::string>() << ")";
    out << ": achieved " << fmt("%.1f%%", ideal > 0 ? 100.0 * step / ideal : 0.0) << " of it\n";
  }
  if (report["extra"].contains("summary_lines"))
    for (const auto& l : report["extra"]["summary_lines"]) out << l.get<std::string>() << "\n";
  return out.str();
}

void write_atomically(const std::string& dir, const std::string& name, const std::string& content) {
  const std::filesystem::path final_path = std::filesystem::path(dir) / name;
  const std::filesystem::path tmp = std::filesystem::path(dir) / ("." + name + ".tmp");
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw InputError(located(dir, "--out", "cannot write " + tmp.string()));
    f << content;
    f.flush();
    if (!f) throw InputError(located(dir, "--out", "write failed for " + tmp.string()));
  }
  std::filesystem::rename(tmp, final_path);
}

}  // namespace sparsim
