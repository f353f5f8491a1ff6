// layers.csv, read from the report JSON so it can never disagree with it (the stdout summary is in
// summary_table.cpp and summary_formats.cpp).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/errors.hpp"
#include "sim/report/convolution.hpp"
#include "sim/report/job_rows.hpp"
#include "sim/report/report.hpp"
#include "sim/text/numbers.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

std::string csv_number(double v) { return format_number("%.9g", v); }

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
  // Winograd runs: multiplications next to direct convolution's (sim/report/convolution.hpp), last, so
  // the columns before keep their places.
  const bool conv = std::any_of(report["jobs"].begin(), report["jobs"].end(),
                                [](const json& j) { return j.contains("convolution"); });
  if (conv) {
    for (const auto& c : convolution_csv_columns()) out << "," << c;
    for (const auto& v : variants)
      for (const auto& c : convolution_csv_variant_columns()) out << "," << c << "_" << v;
  }
  out << "\n";
  for (const auto& r : job_rows(report)) {
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
    if (conv) {
      const json* cv = any->contains("convolution") ? &(*any)["convolution"] : nullptr;
      for (const auto& c : convolution_csv_columns()) {
        out << ",";
        if (!cv) continue;
        const json& x = (*cv)[c];
        out << (x.is_string() ? x.get<std::string>() : x.is_number_float() ? csv_number(x.get<double>()) : x.dump());
      }
      for (const auto& v : variants) {
        auto it = r.by_variant.find(v);
        const json* vc =
            it != r.by_variant.end() && it->second->contains("convolution") ? &(*it->second)["convolution"] : nullptr;
        for (const auto& c : convolution_csv_variant_columns()) out << "," << (vc ? (*vc)[c].dump() : "");
      }
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace sparsim
