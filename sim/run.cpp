#include "sim/run.hpp"

#include <systemc>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/accelerator.hpp"
#include "sim/errors.hpp"
#include "sim/extension.hpp"
#include "sim/kernel_run.hpp"
#include "sim/oracle_run.hpp"
#include "sim/report/report.hpp"
#include "sim/run_budget.hpp"
#include "sim/timeline.hpp"
#include "sim/trace_run.hpp"
#include "sim/wave_options.hpp"
#include "sim/workload_setup.hpp"

namespace sparsim {

void prepare_out_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw InputError(located(dir, "--out", "cannot create the output directory"));
}

EnergyTable configured_energy_table(const Config& cfg) {
  const std::string path = cfg.resolved_path("energy.table");
  if (path.rfind("builtin:", 0) != 0 && !std::filesystem::exists(path))
    cfg.fail("energy.table", "cannot open energy table '" + path + "' (no such file)");
  return EnergyTable::load(path, cfg.f64("energy.scale"));
}

RunResults simulate_step(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step, Progress* progress) {
  DeviceMemorySlot device_memory, baseline_memory;
  RunContext context{cfg,
                     step,
                     cfg.str("run.mode") == "detailed" ? TimingMode::Detailed : TimingMode::Fast,
                     cfg.boolean("run.functional"),
                     static_cast<std::uint64_t>(cfg.i64("run.seed")),
                     progress,
                     nullptr,
                     &device_memory,
                     nullptr,
                     &baseline_memory};
  // Extensions (sim/extension.hpp) elaborate first: one of them may set context.gate.
  ActiveExtensions extensions;
  extensions.elaborate(cfg, context);
  std::unique_ptr<Accelerator> accelerator = info.make();
  accelerator->elaborate(context);
  run_kernel();
  RunResults results = accelerator->collect();
  extensions.collect(results);
  return results;
}

int run_simulation(const RunRequest& request, std::ostream& out) {
  const Config cfg = Config::load(request.config_path, request.overrides);
  const AcceleratorInfo& info = *AcceleratorRegistry::instance().find(cfg.str("accelerator.name"));
  if (is_trace_workload(cfg)) return run_trace(request, cfg, info, out);
  const TrainingStep step = configured_training_step(cfg);
  if (step.ops.empty()) cfg.fail("workload.phases", "nothing to simulate: no op in the selected layers and phases");
  check_winograd_support(cfg, info, step);
  check_run_budgets(cfg, info, step);
  // Load the energy table and check every output path before simulating, so bad input fails fast.
  const EnergyTable energy = configured_energy_table(cfg);
  (void)wave_options(cfg, info.waveforms);
  const std::string timeline_file = timeline_path(cfg);
  prepare_out_dir(request.out_dir);
  check_output_paths(request.out_dir, {"report.json", "layers.csv", kManifestName});
  Timeline timeline;
  struct ActiveTimeline {  // models record into it while the simulation runs, also if it throws
    explicit ActiveTimeline(Timeline* t) { set_active_timeline(t); }
    ~ActiveTimeline() { set_active_timeline(nullptr); }
  } active(timeline_file.empty() ? nullptr : &timeline);

  // Progress goes to stderr only and never into a report: the reports are the same with and without it.
  ProgressLine progress = make_stderr_progress(request.progress);
  // A run with an extension (the offload path) also simulates the same config without it, in a child
  // process started before anything is elaborated and running beside this one: the oracle.
  OracleRun oracle;
  if (const auto off = extension_disable_overrides(cfg); !off.empty()) {
    std::vector<std::string> overrides = request.overrides;
    overrides.insert(overrides.end(), off.begin(), off.end());
    oracle.start(request.config_path, overrides);
  }
  RunResults results = simulate_step(cfg, info, step, &progress);

  progress.clear();  // before anything reaches stdout, which may share the terminal

  if (oracle.started()) {
    const auto figures = oracle.finish();
    const auto plain = build_report(ReportInputs{cfg, info, step, energy}, results);
    results.extra["oracle"] = figures;
    results.extra["oracle"]["what"] = "the same config with every extension off";
    if (!results.extra.contains("summary_lines")) results.extra["summary_lines"] = nlohmann::ordered_json::array();
    results.extra["summary_lines"].push_back(oracle_summary_line(figures, plain));
  }
  const auto report = build_report(ReportInputs{cfg, info, step, energy}, results);
  const std::string csv = layers_csv(report);
  // The outputs as one set: the old manifest goes first, the new one is written last (output_set.hpp).
  OutputSet outputs(request.out_dir);
  outputs.write("report.json", report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  outputs.write("layers.csv", csv);
  if (!timeline_file.empty()) {
    timeline.add_jobs(results);
    write_timeline(timeline, timeline_file);
    outputs.add_file(timeline_file);
  }
  outputs.commit();  // (waveforms are not in the set: SystemC finishes the VCD file when the design is torn down)

  bool functional_ok = true;
  std::size_t checked = 0;
  double worst = 0;
  for (const auto& j : results.jobs) {
    functional_ok = functional_ok && (!j.functional_checked || j.functional_pass);
    if (j.functional_checked) {
      ++checked;
      worst = std::max(worst, j.functional_max_abs_error);
    }
  }
  std::string report_path = request.out_dir, csv_path = request.out_dir;
  report_path += "/report.json";
  csv_path += "/layers.csv";
  const char* const failed =
      "FUNCTIONAL CHECK FAILED: a sparse datapath disagreed with the dense reference (see report.json)\n";
  if (request.format == SummaryFormat::Csv) {
    out << summary_csv(report);
    if (!functional_ok) std::cerr << failed;  // stdout holds the CSV alone
  } else if (request.format == SummaryFormat::Json) {
    auto summary = summary_json(report);
    if (checked > 0)
      summary["functional_check"] = {{"passed", functional_ok}, {"jobs_checked", checked}, {"largest_error", worst}};
    summary["reports"] = {{"report_json", report_path}, {"layers_csv", csv_path}};
    out << summary.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    if (!functional_ok) std::cerr << failed;
  } else {
    out << summary_table(report, request.wide) << "\n"
        << reports_lines(request.out_dir, request.wide ? 0 : kSummaryWidth);
    if (checked > 0 && functional_ok) {
      std::ostringstream line;
      line << "functional check: passed (" << checked << " jobs against a dense reference, largest error " << worst
           << ")\n";
      out << line.str();
    }
    if (!functional_ok) out << failed;
  }
  if (!functional_ok) return 1;
  return 0;
}

}  // namespace sparsim
