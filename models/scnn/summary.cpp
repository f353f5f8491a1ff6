#include "models/scnn/summary.hpp"

#include <cstdio>
#include <map>

namespace sparsim::scnn {

namespace {

struct Totals {
  double cycles = 0, energy_pj = 0;
};

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

}  // namespace

nlohmann::ordered_json summarize(const std::vector<JobResult>& jobs, const std::vector<OpPlan>& plans,
                                 const TrainingStep& step, const EnergyTable& table) {
  std::map<int, const OpPlan*> plan_of;
  for (const auto& p : plans) plan_of[p.op->layer_index] = &p;
  // scope 0: convolution layers (the paper's scope); scope 1: every layer.
  std::map<std::string, Totals> tot[2];
  std::map<std::string, std::map<std::string, double>> per_layer_energy;
  for (const auto& j : jobs) {
    const bool conv = step.network.layers[static_cast<std::size_t>(j.layer_index)].kind == LayerKind::Conv;
    const double e = total_pj(energy_of(j.counters, table));
    per_layer_energy[j.layer][j.variant] = e;
    for (int s = 0; s < 2; ++s) {
      if (s == 0 && !conv) continue;
      tot[s][j.variant].cycles += static_cast<double>(j.cycles);
      tot[s][j.variant].energy_pj += e;
    }
  }
  double dense = 0, useful = 0, dense_all = 0, useful_all = 0;
  for (const auto& p : plans) {
    const double macs = static_cast<double>(p.op->macs());
    dense_all += macs;
    useful_all += macs * p.densities.weights * p.densities.inputs;
    if (step.network.layers[static_cast<std::size_t>(p.op->layer_index)].kind != LayerKind::Conv) continue;
    dense += macs;
    useful += macs * p.densities.weights * p.densities.inputs;
  }
  nlohmann::ordered_json out;
  out["network"] = step.network.name;
  out["images"] = step.batch;
  const char* scopes[2] = {"conv_layers", "all_layers"};
  std::vector<std::string> lines;
  for (int s = 0; s < 2; ++s) {
    auto& t = tot[s];
    if (t.count("scnn") == 0) continue;
    nlohmann::ordered_json o;
    for (const char* v : kVariants) o["variants"][v] = {{"cycles", t[v].cycles}, {"energy_uj", t[v].energy_pj * 1e-6}};
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    o["speedup_vs_dcnn"] = ratio(t["dcnn"].cycles, t["scnn"].cycles);
    o["speedup_vs_dcnn_opt"] = ratio(t["dcnn-opt"].cycles, t["scnn"].cycles);
    o["energy_ratio_dcnn_over_scnn"] = ratio(t["dcnn"].energy_pj, t["scnn"].energy_pj);
    o["energy_ratio_dcnn_opt_over_scnn"] = ratio(t["dcnn-opt"].energy_pj, t["scnn"].energy_pj);
    out[scopes[s]] = o;
    lines.push_back("scnn " + step.network.name + " (" + scopes[s] + "): cycles SCNN " + fmt("%.4g", t["scnn"].cycles) +
                    ", DCNN " + fmt("%.4g", t["dcnn"].cycles) + ", DCNN-opt " + fmt("%.4g", t["dcnn-opt"].cycles) +
                    "; speedup vs DCNN " + fmt("%.2fx", o["speedup_vs_dcnn"].get<double>()) + ", vs DCNN-opt " +
                    fmt("%.2fx", o["speedup_vs_dcnn_opt"].get<double>()) + "; energy DCNN/SCNN " +
                    fmt("%.2fx", o["energy_ratio_dcnn_over_scnn"].get<double>()) + ", DCNN-opt/SCNN " +
                    fmt("%.2fx", o["energy_ratio_dcnn_opt_over_scnn"].get<double>()));
  }
  out["ideal_speedup_conv"] = useful > 0 ? dense / useful : 0.0;
  out["ideal_speedup_all"] = useful_all > 0 ? dense_all / useful_all : 0.0;
  lines.push_back("scnn " + step.network.name + ": ideal bound (dense MACs / non-zero products, conv layers) " +
                  fmt("%.2fx", useful > 0 ? dense / useful : 0.0));
  // Per-layer comparison.
  std::map<std::string, std::map<std::string, std::uint64_t>> cyc;
  for (const auto& j : jobs) cyc[j.layer][j.variant] = j.cycles;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& p : plans) {
    const std::string& name = p.op->layer;
    auto& c = cyc[name];
    auto& e = per_layer_energy[name];
    layers.push_back(
        {{"layer", name},
         {"scnn_cycles", c["scnn"]},
         {"dcnn_cycles", c["dcnn"]},
         {"speedup_vs_dcnn", c["scnn"] ? static_cast<double>(c["dcnn"]) / static_cast<double>(c["scnn"]) : 0.0},
         {"energy_ratio_dcnn_over_scnn", e["scnn"] > 0 ? e["dcnn"] / e["scnn"] : 0.0},
         {"energy_ratio_dcnn_opt_over_scnn", e["scnn"] > 0 ? e["dcnn-opt"] / e["scnn"] : 0.0},
         {"ideal", 1.0 / std::max(1e-12, p.densities.weights * p.densities.inputs)}});
  }
  out["layers"] = layers;
  out["summary_lines"] = lines;
  return out;
}

}  // namespace sparsim::scnn
