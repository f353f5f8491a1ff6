#include "models/scnn/summary.hpp"
#include "sim/text/numbers.hpp"

#include <cstdio>
#include <map>

namespace sparsim::scnn {

namespace {

struct Totals {
  double cycles = 0, energy_pj = 0;
  // Memory references (docs/scnn.md "Pruning granularity"): DRAM payload bytes (weights, activations in and
  // out), on-chip bytes (IARAM, OARAM, weight FIFO and accumulator reads and writes), and the weight
  // streams' value and index bits.
  double dram_bytes = 0, onchip_bytes = 0, weight_value_bits = 0, weight_index_bits = 0;
  double wfifo_bytes = 0, accumulator_bytes = 0;  // parts of onchip_bytes
};

void add_memory(Totals& t, const JobResult& j) {
  const std::string prefix = j.variant + ".";
  for (const auto& c : j.counters) {
    if (c.block.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string b = c.block.substr(prefix.size());
    const auto v = static_cast<double>(c.value);
    if (b == "dram") {
      if (c.name == "weight_bytes" || c.name == "act_read_bytes" || c.name == "act_write_bytes") t.dram_bytes += v;
      if (c.name == "weight_value_bits") t.weight_value_bits += v;
      if (c.name == "weight_index_bits") t.weight_index_bits += v;
    } else if ((b == "iaram" || b == "oaram" || b == "wfifo" || b == "acc") &&
               (c.name == "read_bytes" || c.name == "write_bytes")) {
      t.onchip_bytes += v;
      if (b == "wfifo") t.wfifo_bytes += v;
      if (b == "acc") t.accumulator_bytes += v;
    }
  }
}

}  // namespace

nlohmann::ordered_json summarize(const std::vector<JobResult>& jobs, const std::vector<OpPlan>& plans,
                                 const TrainingStep& step, const EnergyTable& table) {
  // scope 0: convolution layers (the paper's scope); scope 1: every layer. Both FF only (the paper's
  // comparison); BP (sparsim's training extension) is summed per phase below.
  std::map<std::string, Totals> tot[2];
  std::map<Phase, std::map<std::string, Totals>> per_phase;
  std::map<std::string, std::map<std::string, double>> per_layer_energy;
  const auto key = [](const std::string& layer, Phase ph) {
    return ph == Phase::FF ? layer : layer + "/" + phase_name(ph);
  };
  for (const auto& j : jobs) {
    const bool conv = step.network.layers[static_cast<std::size_t>(j.layer_index)].kind == LayerKind::Conv;
    const double e = total_pj(energy_of(j.counters, table));
    per_layer_energy[key(j.layer, j.phase)][j.variant] = e;
    per_phase[j.phase][j.variant].cycles += static_cast<double>(j.cycles);
    per_phase[j.phase][j.variant].energy_pj += e;
    if (j.phase != Phase::FF) continue;
    for (int s = 0; s < 2; ++s) {
      if (s == 0 && !conv) continue;
      tot[s][j.variant].cycles += static_cast<double>(j.cycles);
      tot[s][j.variant].energy_pj += e;
      add_memory(tot[s][j.variant], j);
    }
  }
  double dense = 0, useful = 0, dense_all = 0, useful_all = 0;
  std::map<Phase, double> dense_phase, useful_phase;
  for (const auto& p : plans) {
    const double macs = static_cast<double>(p.op->macs());
    dense_phase[p.phase] += macs;
    useful_phase[p.phase] += macs * p.densities.weights * p.operand_density;
    if (p.phase != Phase::FF) continue;
    dense_all += macs;
    useful_all += macs * p.densities.weights * p.operand_density;
    if (step.network.layers[static_cast<std::size_t>(p.op->layer_index)].kind != LayerKind::Conv) continue;
    dense += macs;
    useful += macs * p.densities.weights * p.operand_density;
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
    for (const char* v : kVariants) {
      const Totals& m = t[v];
      o["memory"][v] = {{"weight_value_bits", m.weight_value_bits},
                        {"weight_index_bits", m.weight_index_bits},
                        {"dram_bytes", m.dram_bytes},
                        {"onchip_bytes", m.onchip_bytes},
                        {"wfifo_bytes", m.wfifo_bytes},
                        {"accumulator_bytes", m.accumulator_bytes},
                        {"memory_reference_bytes", m.dram_bytes + m.onchip_bytes}};
    }
    out[scopes[s]] = o;
    lines.push_back("scnn " + step.network.name + " (" + scopes[s] + "): cycles SCNN " +
                    format_number("%.4g", t["scnn"].cycles) + ", DCNN " + format_number("%.4g", t["dcnn"].cycles) +
                    ", DCNN-opt " + format_number("%.4g", t["dcnn-opt"].cycles) + "; speedup vs DCNN " +
                    format_number("%.2fx", o["speedup_vs_dcnn"].get<double>()) + ", vs DCNN-opt " +
                    format_number("%.2fx", o["speedup_vs_dcnn_opt"].get<double>()) + "; energy DCNN/SCNN " +
                    format_number("%.2fx", o["energy_ratio_dcnn_over_scnn"].get<double>()) + ", DCNN-opt/SCNN " +
                    format_number("%.2fx", o["energy_ratio_dcnn_opt_over_scnn"].get<double>()));
  }
  out["ideal_speedup_conv"] = useful > 0 ? dense / useful : 0.0;
  out["ideal_speedup_all"] = useful_all > 0 ? dense_all / useful_all : 0.0;
  lines.push_back("scnn " + step.network.name + ": ideal bound (dense MACs / non-zero products, conv layers) " +
                  format_number("%.2fx", useful > 0 ? dense / useful : 0.0));
  // The whole simulated step (every phase): feeds the run summary's ideal step speedup.
  double dense_step = 0, useful_step = 0;
  for (const auto& [ph, d] : dense_phase) dense_step += d, useful_step += useful_phase[ph];
  out["ideal_speedup_step"] = useful_step > 0 ? dense_step / useful_step : 0.0;
  // Training phases beyond FF, all layers of the phase (sparsim's extension).
  for (auto& [ph, t] : per_phase) {
    if (ph == Phase::FF || t.count("scnn") == 0) continue;
    const auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    nlohmann::ordered_json o;
    for (const char* v : kVariants) o["variants"][v] = {{"cycles", t[v].cycles}, {"energy_uj", t[v].energy_pj * 1e-6}};
    o["speedup_vs_dcnn"] = ratio(t["dcnn"].cycles, t["scnn"].cycles);
    o["speedup_vs_dcnn_opt"] = ratio(t["dcnn-opt"].cycles, t["scnn"].cycles);
    o["energy_ratio_dcnn_over_scnn"] = ratio(t["dcnn"].energy_pj, t["scnn"].energy_pj);
    o["ideal_speedup"] = ratio(dense_phase[ph], useful_phase[ph]);
    out["phases"][phase_name(ph)] = o;
    lines.push_back("scnn " + step.network.name + " " + phase_name(ph) +
                    " (all layers, sparsim extension): cycles SCNN " + format_number("%.4g", t["scnn"].cycles) +
                    ", DCNN " + format_number("%.4g", t["dcnn"].cycles) + "; speedup vs DCNN " +
                    format_number("%.2fx", o["speedup_vs_dcnn"].get<double>()) + ", vs DCNN-opt " +
                    format_number("%.2fx", o["speedup_vs_dcnn_opt"].get<double>()) + "; energy DCNN/SCNN " +
                    format_number("%.2fx", o["energy_ratio_dcnn_over_scnn"].get<double>()) + "; ideal " +
                    format_number("%.2fx", o["ideal_speedup"].get<double>()));
  }
  // Per-layer comparison.
  std::map<std::string, std::map<std::string, std::uint64_t>> cyc;
  for (const auto& j : jobs) cyc[key(j.layer, j.phase)][j.variant] = j.cycles;
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const auto& p : plans) {
    const std::string name = key(p.op->layer, p.phase);
    auto& c = cyc[name];
    auto& e = per_layer_energy[name];
    layers.push_back(
        {{"layer", name},
         {"scnn_cycles", c["scnn"]},
         {"dcnn_cycles", c["dcnn"]},
         {"speedup_vs_dcnn", c["scnn"] ? static_cast<double>(c["dcnn"]) / static_cast<double>(c["scnn"]) : 0.0},
         {"energy_ratio_dcnn_over_scnn", e["scnn"] > 0 ? e["dcnn"] / e["scnn"] : 0.0},
         {"energy_ratio_dcnn_opt_over_scnn", e["scnn"] > 0 ? e["dcnn-opt"] / e["scnn"] : 0.0},
         {"ideal", 1.0 / std::max(1e-12, p.densities.weights * p.operand_density)}});
  }
  out["layers"] = layers;
  out["summary_lines"] = lines;
  return out;
}

}  // namespace sparsim::scnn
