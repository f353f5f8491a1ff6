#include "sim/oracle_run.hpp"

#include <cstdio>
#include <stdexcept>

#include "sim/accelerator.hpp"
#include "sim/energy.hpp"
#include "sim/report/report.hpp"
#include "sim/run.hpp"
#include "sim/text/numbers.hpp"
#include "sim/timeline.hpp"
#include "sim/workload_setup.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

// The child's work: simulate, report, keep the figures the parent prints.
json simulate(const std::string& config_path, const std::vector<std::string>& overrides) {
  set_active_timeline(nullptr);  // the parent's timeline is the parent's
  const Config cfg = Config::load(config_path, overrides);
  const AcceleratorInfo& info = *AcceleratorRegistry::instance().find(cfg.str("accelerator.name"));
  const TrainingStep step = configured_training_step(cfg);
  const EnergyTable energy = EnergyTable::load(cfg.resolved_path("energy.table"), cfg.f64("energy.scale"));
  const json report = build_report(ReportInputs{cfg, info, step, energy}, simulate_step(cfg, info, step, nullptr));
  json out = {{"design_variant", report["accelerator"]["design_variant"]},
              {"baseline_variant", report["accelerator"]["baseline_variant"]},
              {"variants", json::object()}};
  for (const auto& [v, t] : report["summary"]["variants"].items())
    out["variants"][v] = {{"cycles", t["cycles"]}, {"energy_pj", t["energy_pj"]}};
  if (report["summary"].contains("speedup")) out["speedup"] = report["summary"]["speedup"]["step"];
  if (report["summary"].contains("energy_efficiency_gain"))
    out["energy_efficiency_gain"] = report["summary"]["energy_efficiency_gain"]["step"];
  return out;
}

}  // namespace

void OracleRun::start(const std::string& config_path, const std::vector<std::string>& overrides) {
  // Timing does not depend on --functional (values never decide timing), so the oracle skips the values.
  std::vector<std::string> plain = overrides;
  plain.push_back("run.functional=false");
  child_.start([config_path, plain] { return simulate(config_path, plain).dump(); });
}

json OracleRun::finish() { return json::parse(child_.finish("the no-offload oracle run")); }

std::string oracle_summary_line(const json& oracle, const json& report) {
  const std::string design = oracle["design_variant"].get<std::string>();
  const std::string base = oracle["baseline_variant"].get<std::string>();
  const auto& mine = report["summary"]["variants"];
  const auto& theirs = oracle["variants"];
  std::string line = "no-offload oracle (the same run without it): ";
  for (const std::string& v : {design, base}) {
    if (!theirs.contains(v) || !mine.contains(v)) continue;
    const double c0 = theirs[v]["cycles"].get<double>(), c1 = mine[v]["cycles"].get<double>();
    const double e0 = theirs[v]["energy_pj"].get<double>(), e1 = mine[v]["energy_pj"].get<double>();
    line += v;
    line += " ";
    line += group_digits(static_cast<std::uint64_t>(c0));
    line += " cycles (offload ";
    line += format_number("%+.1f%%", c0 > 0 ? 100.0 * (c1 - c0) / c0 : 0.0);
    line += "), ";
    line += group_fixed(e0 / 1e6, 2);
    line += " uJ (offload ";
    line += format_number("%+.1f%%", e0 > 0 ? 100.0 * (e1 - e0) / e0 : 0.0);
    line += "); ";
  }
  if (oracle.contains("speedup")) {
    line += "speedup ";
    line += format_number("%.3fx", oracle["speedup"].get<double>());
  }
  if (oracle.contains("energy_efficiency_gain")) {
    line += ", energy-efficiency gain ";
    line += format_number("%.3fx", oracle["energy_efficiency_gain"].get<double>());
  }
  return line;
}

}  // namespace sparsim
