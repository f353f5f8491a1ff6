#include <map>
#include <set>

#include "sim/errors.hpp"
#include "sim/report/convolution.hpp"
#include "sim/report/report.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

// What a job did to the shared DRAM model (models/memory): bytes, the row-buffer hit rate over its bursts
// and the cycles its model says it waited for DRAM (stall causes named dram*).
// Blocks that move DRAM traffic of their own beside the job (SAT's mask unit) count it in a "dram_bytes"
// counter; the job's DRAM bytes include theirs, listed in dram_bytes_by_other_block.
json dram_summary(const json& counters, const std::map<std::string, std::uint64_t>& stalls) {
  const json& dram = counters["dram"];
  const auto get = [&](const char* k) { return dram.contains(k) ? dram[k].get<std::uint64_t>() : 0; };
  const std::uint64_t hits = get("row_hits"), bursts = hits + get("row_misses") + get("row_conflicts");
  std::uint64_t waited = 0;
  for (const auto& [cause, cycles] : stalls)
    if (cause.rfind("dram", 0) == 0) waited += cycles;
  json m = {{"dram_bytes", get("read_bytes") + get("write_bytes")}, {"dram_stall_cycles", waited}};
  m["dram_row_hit_rate"] = bursts > 0 ? json(static_cast<double>(hits) / static_cast<double>(bursts)) : json(nullptr);
  json others = json::object();
  for (const char* block : {"mask_unit"})
    if (counters.contains(block) && counters[block].contains("dram_bytes"))
      others[block] = counters[block]["dram_bytes"].get<std::uint64_t>();
  if (!others.empty()) m["dram_bytes_by_other_block"] = others;
  return m;
}

json typed_value(const ConfigValue& v) {
  if (v.text.empty() && v.spec->optional) return nullptr;
  switch (v.spec->type) {
    case ParamType::Int:
      return std::stoll(v.text);
    case ParamType::Float:
      return std::stod(v.text);
    case ParamType::Bool:
      return v.text == "true";
    default:
      return v.text;
  }
}

json config_json(const Config& cfg) {
  json out = json::object();
  std::vector<const ConfigValue*> ordered;
  for (const auto& [key, v] : cfg.values()) ordered.push_back(&v);
  std::sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) { return a->spec < b->spec; });
  for (const auto* v : ordered) {
    json* node = &out;
    std::string path = v->spec->path;
    std::size_t pos;
    while ((pos = path.find('.')) != std::string::npos) {
      node = &(*node)[path.substr(0, pos)];
      path = path.substr(pos + 1);
    }
    (*node)[path] = typed_value(*v);
  }
  return out;
}

struct Totals {
  std::uint64_t cycles = 0, dense_macs = 0, issued_macs = 0, peak_mac_cycles = 0;
  double energy_pj = 0.0;
  void add(const JobResult& j, double pj) {
    cycles += j.cycles;
    dense_macs += j.dense_macs;
    issued_macs += j.issued_macs;
    peak_mac_cycles += j.cycles * j.peak_macs_per_cycle;
    energy_pj += pj;
  }
  json to_json(double clock_ghz) const {
    return json{{"cycles", cycles},
                {"time_s", static_cast<double>(cycles) / (clock_ghz * 1e9)},
                {"dense_macs", dense_macs},
                {"issued_macs", issued_macs},
                {"utilization", peak_mac_cycles ? static_cast<double>(issued_macs) / peak_mac_cycles : 0.0},
                {"energy_pj", energy_pj}};
  }
};

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

}  // namespace

json build_report(const ReportInputs& in, const RunResults& results) {
  json report;
  report["sparsim"] = {{"version", SPARSIM_VERSION}};
  report["config_source"] = in.config.source_name();
  report["config"] = config_json(in.config);
  report["seed"] = in.config.i64("run.seed");
  report["mode"] = in.config.str("run.mode");
  report["accelerator"] = {{"name", in.accelerator.name},
                           {"description", in.accelerator.description},
                           {"clock_ghz", results.clock_ghz},
                           {"design_variant", results.design_variant},
                           {"baseline_variant", results.baseline_variant}};
  const Network& net = in.step.network;
  std::int64_t step_macs = 0;
  for (const auto& op : in.step.ops) step_macs += op.macs();
  report["workload"] = {{"network", net.name},
                        {"source", net.source},
                        {"batch", in.step.batch},
                        {"layers", net.layers.size()},
                        {"ops", in.step.ops.size()},
                        {"weights", net.weight_count()},
                        {"forward_macs_per_sample", net.macs_per_sample()},
                        {"step_dense_macs", step_macs}};

  // Per-job energies, totals per variant and per (phase, variant), breakdown per component and action.
  std::vector<std::string> variants;
  std::map<std::string, Totals> by_variant;
  std::map<std::string, std::map<std::string, Totals>> by_phase;                          // phase -> variant -> totals
  std::map<std::string, std::map<std::string, std::map<std::string, double>>> breakdown;  // variant/block/action
  std::set<std::string> used_actions;
  json jobs = json::array();
  // Winograd runs, and runs that name workload.conv_algorithm (direct too, so that direct and Winograd
  // reports compare column by column), carry the multiplication counts of sim/report/convolution.hpp.
  const bool winograd = has_winograd(in.step) || in.config.origin("workload.conv_algorithm") != "default";
  {  // Every action the run charges that the table lacks, all at once.
    std::vector<CounterSample> all;
    for (const auto& j : results.jobs) all.insert(all.end(), j.counters.begin(), j.counters.end());
    const auto missing = in.energy.missing(all);
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing) list += (list.empty() ? "" : ", ") + m;
      throw InputError(located(in.config.origin("energy.table"), "energy.table",
                               "the table lacks " + std::to_string(missing.size()) + " action(s) the run charges: " +
                                   list + " (add them, or start from the built-in table with `base: builtin:45nm`)"));
    }
  }
  for (const auto& j : results.jobs) {
    if (std::find(variants.begin(), variants.end(), j.variant) == variants.end()) variants.push_back(j.variant);
    const auto items = energy_of(j.counters, in.energy);
    const double pj = total_pj(items);
    by_variant[j.variant].add(j, pj);
    by_phase[phase_name(j.phase)][j.variant].add(j, pj);
    json energy_by_block = json::object();
    for (const auto& it : items) {
      breakdown[j.variant][it.block][it.action] += it.pj;
      used_actions.insert(it.action);
      energy_by_block[it.block] = energy_by_block.value(it.block, 0.0) + it.pj;
    }
    json counters = json::object();
    for (const auto& c : j.counters) counters[c.block][c.name] = c.value;
    json stalls = json::object();
    for (const auto& [cause, cycles] : j.stall_cycles) stalls[cause] = cycles;
    json job = {{"layer_index", j.layer_index},
                {"layer", j.layer},
                {"phase", phase_name(j.phase)},
                {"variant", j.variant},
                {"cycles", j.cycles},
                {"dense_macs", j.dense_macs},
                {"issued_macs", j.issued_macs},
                {"peak_macs_per_cycle", j.peak_macs_per_cycle},
                {"utilization", j.utilization()},
                {"stall_cycles", stalls},
                {"energy_pj", pj},
                {"energy_pj_by_component", energy_by_block},
                {"counters", counters},
                {"mapping", j.mapping}};
    if (j.functional_checked)
      job["functional"] = {{"pass", j.functional_pass}, {"max_abs_error", j.functional_max_abs_error}};
    if (counters.contains("dram")) job["memory"] = dram_summary(counters, j.stall_cycles);
    if (winograd)
      if (const GemmOp* op = op_of_job(in.step, j);
          op && net.layers[static_cast<std::size_t>(op->layer_index)].kind == LayerKind::Conv)
        job["convolution"] = convolution_json(*op, j);
    jobs.push_back(std::move(job));
  }

  json summary;
  json per_variant = json::object();
  for (const auto& v : variants) per_variant[v] = by_variant[v].to_json(results.clock_ghz);
  summary["variants"] = per_variant;
  const std::string& d = results.design_variant;
  const std::string& b = results.baseline_variant;
  if (by_variant.count(d) && by_variant.count(b)) {
    json speedup = json::object();
    json energy_gain = json::object();
    for (const char* p : {"FF", "BP", "WU"}) {
      if (!by_phase.count(p)) continue;
      auto& ph = by_phase[p];
      speedup[p] = ratio(static_cast<double>(ph[b].cycles), static_cast<double>(ph[d].cycles));
      energy_gain[p] = ratio(ph[b].energy_pj, ph[d].energy_pj);
    }
    speedup["step"] = ratio(static_cast<double>(by_variant[b].cycles), static_cast<double>(by_variant[d].cycles));
    energy_gain["step"] = ratio(by_variant[b].energy_pj, by_variant[d].energy_pj);
    summary["speedup"] = speedup;                     // baseline cycles / design cycles
    summary["energy_efficiency_gain"] = energy_gain;  // baseline energy / design energy
  }
  json phases = json::array();
  for (const char* p : {"FF", "BP", "WU"})
    if (by_phase.count(p))
      for (const auto& v : variants)
        if (by_phase[p].count(v)) {
          json row = by_phase[p][v].to_json(results.clock_ghz);
          row["phase"] = p;
          row["variant"] = v;
          phases.push_back(row);
        }
  summary["phases"] = phases;
  report["summary"] = summary;

  json energy = json::object();
  json table = json::object();
  for (const auto& a : used_actions) table[a] = in.energy.pj(a);
  energy["table"] = in.energy.name();
  energy["scale"] = in.energy.scale();
  energy["pj_per_event"] = table;
  json by_component = json::object();
  for (const auto& [variant, blocks] : breakdown) {
    json vb = json::object();
    for (const auto& [block, actions] : blocks) {
      json ab = json::object();
      for (const auto& [action, pj] : actions) ab[action] = pj;
      vb[block] = ab;
    }
    by_component[variant] = vb;
  }
  energy["pj_by_variant_component_action"] = by_component;
  report["energy"] = energy;
  if (in.accelerator.inventory) report["area"] = area_report(in.accelerator.inventory(in.config), in.energy);
  report["extra"] = results.extra.is_null() ? json::object() : results.extra;
  report["jobs"] = jobs;
  return report;
}

}  // namespace sparsim
