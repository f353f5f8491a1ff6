#include "sim/trace_run.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/child_process.hpp"
#include "sim/errors.hpp"
#include "sim/progress.hpp"
#include "sim/report/report.hpp"
#include "sim/run_budget.hpp"
#include "sim/text/numbers.hpp"
#include "sim/text/text_table.hpp"
#include "sim/workload_setup.hpp"

namespace sparsim {

namespace {

using json = nlohmann::ordered_json;

std::string fixed(const char* f, double v) { return format_number(f, v); }

}  // namespace

bool is_trace_workload(const Config& cfg) {
  const std::string& name = cfg.str("workload.network");
  if (name.empty()) return false;
  return is_training_trace_dir(cfg.resolved_path("workload.network"));
}

std::vector<TraceSample> sample_trace_records(const TrainingTrace& trace, std::int64_t max_records) {
  const std::size_t n = trace.records.size();
  std::vector<std::size_t> picked;
  if (max_records <= 0 || static_cast<std::size_t>(max_records) >= n) {
    for (std::size_t i = 0; i < n; ++i) picked.push_back(i);
  } else if (max_records == 1) {
    picked.push_back(0);
  } else {
    const auto k = static_cast<std::size_t>(max_records);
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t r = (i * (n - 1) + (k - 1) / 2) / (k - 1);  // evenly spaced, first and last kept
      if (picked.empty() || picked.back() != r) picked.push_back(r);
    }
  }
  // Each picked record stands for the steps from its own to the next picked one's (the last: to the end).
  const std::int64_t end = std::max(trace.steps, trace.records.back().step + 1);
  std::vector<TraceSample> out;
  for (std::size_t i = 0; i < picked.size(); ++i) {
    const std::int64_t from = i == 0 ? 0 : trace.records[picked[i]].step;
    const std::int64_t to = i + 1 < picked.size() ? trace.records[picked[i + 1]].step : end;
    out.push_back({picked[i], std::max<std::int64_t>(1, to - from)});
  }
  return out;
}

Network trace_record_network(const TrainingTrace& trace, const TraceRecord& record) {
  Network net = trace.network;
  for (std::size_t i = 0; i < net.layers.size() && i < record.layers.size(); ++i) {
    Layer& l = net.layers[i];
    const TraceLayerSample& s = record.layers[i];
    l.sparsity.activation_density = s.activation_density;
    l.sparsity.gradient_density = s.gradient_density;
    // Absolute: models resolve a relative mask path against the network's own file.
    l.sparsity.mask_file = s.mask.empty() ? "" : std::filesystem::absolute(s.mask).string();
    l.sparsity.mask_file_bp = s.mask_bp.empty() ? "" : std::filesystem::absolute(s.mask_bp).string();
    l.sparsity.weight_density = s.weight_density;
    // The first record has no previous one to compare with: its 0 means "not known", not "unchanged".
    l.sparsity.mask_change = &record == &trace.records.front() ? -1.0 : s.mask_change;
    // No mask: the weights are dense at this record (DSD's dense phases, layers the method keeps dense),
    // whatever pattern the network declares for the pruned phases.
    if (s.mask.empty()) l.sparsity.nm = NMPattern{};
  }
  return net;
}

int run_trace(const RunRequest& request, const Config& cfg, const AcceleratorInfo& info, std::ostream& out) {
  const std::string dir = cfg.resolved_path("workload.network");
  for (const char* key : {"workload.layers", "workload.sparsity.profile", "run.timeline", "run.trace"})
    if (!cfg.str(key).empty()) cfg.fail(key, "not with a training trace (workload.network is the trace " + dir + ")");
  for (const char* key : {"workload.sparsity.weight_density", "workload.sparsity.activation_density",
                          "workload.sparsity.gradient_density"})
    if (cfg.is_set(key)) cfg.fail(key, "not with a training trace: its densities come from the trace");
  const TrainingTrace trace = load_training_trace(dir);
  verify_training_trace_masks(trace);
  const std::int64_t batch = cfg.origin("workload.batch") == "default" ? trace.batch : cfg.i64("workload.batch");
  const auto samples = sample_trace_records(trace, cfg.i64("workload.trace.max_records"));
  const EnergyTable energy = configured_energy_table(cfg);
  // Every record's step is checked (shape, memory budget) before anything is simulated.
  std::vector<TrainingStep> steps;
  for (const auto& s : samples) {
    steps.push_back(
        expand_training_step(trace_record_network(trace, trace.records[s.record]), batch, configured_phases(cfg)));
    if (steps.back().ops.empty()) cfg.fail("workload.phases", "nothing to simulate: no op in the selected phases");
    check_run_budgets(cfg, info, steps.back());
  }
  prepare_out_dir(request.out_dir);
  check_output_paths(request.out_dir, {"report.json", "layers.csv", kManifestName});

  ProgressLine progress = make_stderr_progress(request.progress);
  std::vector<json> reports;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const TraceRecord& rec = trace.records[samples[i].record];
    progress.job_done(i, samples.size(), "step " + std::to_string(rec.step));
    const TrainingStep& step = steps[i];
    ChildProcess child;
    child.start([&] {
      const RunResults results = simulate_step(cfg, info, step, nullptr);
      return build_report(ReportInputs{cfg, info, step, energy}, results).dump();
    });
    reports.push_back(json::parse(child.finish("the simulation of the record of step " + std::to_string(rec.step))));
    progress.job_done(i + 1, samples.size(), "step " + std::to_string(rec.step));
  }
  progress.clear();

  // The run: each simulated record weighted by the steps it stands for.
  const json& first = reports.front();
  const std::string design = first["accelerator"]["design_variant"].get<std::string>();
  const std::string base = first["accelerator"]["baseline_variant"].get<std::string>();
  const double clock_ghz = first["accelerator"]["clock_ghz"].get<double>();
  std::map<std::string, double> run_cycles, run_energy;
  std::map<std::string, std::map<std::string, double>> run_phase;
  json step_rows = json::array(), jobs = json::array();
  std::string csv_header, csv_body;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const json& r = reports[i];
    const TraceRecord& rec = trace.records[samples[i].record];
    const double w = static_cast<double>(samples[i].steps);
    json variants = json::object();
    for (const auto& [v, fig] : r["summary"]["variants"].items()) {
      json phases = json::object();
      for (const auto& p : r["summary"]["phases"])
        if (p["variant"] == v) {
          phases[p["phase"].get<std::string>()] = p["cycles"];
          run_phase[v][p["phase"].get<std::string>()] += w * p["cycles"].get<double>();
        }
      variants[v] = {{"cycles", fig["cycles"]},
                     {"time_s", fig["time_s"]},
                     {"energy_pj", fig["energy_pj"]},
                     {"phase_cycles", phases}};
      run_cycles[v] += w * fig["cycles"].get<double>();
      run_energy[v] += w * fig["energy_pj"].get<double>();
    }
    json layers = json::array();
    for (std::size_t l = 0; l < rec.layers.size(); ++l) {
      const auto& s = rec.layers[l];
      layers.push_back({{"layer", s.layer},
                        {"weight_density", s.weight_density},
                        {"activation_density", s.activation_density},
                        {"gradient_density", s.gradient_density},
                        {"mask_change", s.mask_change},
                        {"weights", s.mask.empty() ? "dense" : "trace mask " + s.mask}});
    }
    json row = {{"step", rec.step},
                {"training_phase", rec.phase},
                {"represents_steps", samples[i].steps},
                {"variants", variants}};
    if (r["summary"].contains("speedup")) row["speedup"] = r["summary"]["speedup"];
    if (r["summary"].contains("energy_efficiency_gain"))
      row["energy_efficiency_gain"] = r["summary"]["energy_efficiency_gain"];
    row["layers"] = layers;
    step_rows.push_back(row);
    for (const auto& j : r["jobs"]) {
      json job = {{"step", rec.step}};
      for (const auto& [k, v] : j.items()) job[k] = v;
      jobs.push_back(job);
    }
    // layers.csv: each record's rows with the step in front.
    const std::string csv = layers_csv(r);
    const auto eol = csv.find('\n');
    const std::string header = "step," + csv.substr(0, eol + 1);
    if (csv_header.empty()) csv_header = header;
    if (header != csv_header)  // (the models report the same columns for every op of a config)
      throw std::runtime_error("trace run: the layers.csv columns of step " + std::to_string(rec.step) +
                               " differ from the first record's");
    std::istringstream rows(csv.substr(eol + 1));
    for (std::string line; std::getline(rows, line);)
      if (!line.empty()) csv_body += std::to_string(rec.step) + "," + line + "\n";
  }
  json summary_variants = json::object();
  for (const auto& [v, c] : run_cycles)
    summary_variants[v] = {{"cycles", c}, {"time_s", c / (clock_ghz * 1e9)}, {"energy_pj", run_energy[v]}};
  json summary = {{"variants", summary_variants}};
  if (run_cycles.count(design) && run_cycles.count(base) && run_cycles[design] > 0) {
    json speedup = json::object(), gain = json::object();
    for (const char* p : {"FF", "BP", "WU"})
      if (run_phase[design][p] > 0) speedup[p] = run_phase[base][p] / run_phase[design][p];
    speedup["run"] = run_cycles[base] / run_cycles[design];
    gain["run"] = run_energy[design] > 0 ? run_energy[base] / run_energy[design] : 0.0;
    summary["speedup"] = speedup;
    summary["energy_efficiency_gain"] = gain;
  }
  const bool sampled = samples.size() < trace.records.size();
  summary["simulated_records"] = samples.size();
  summary["recorded_records"] = trace.records.size();
  summary["training_steps"] = trace.steps;
  summary["extrapolation"] =
      std::string(sampled ? "sampled: " : "every record simulated; ") +
      "each simulated record stands for the training steps from its own to the next simulated record's "
      "(the run's totals are those weighted sums)";

  json report = json::object();
  for (const char* k : {"sparsim", "config_source", "config", "seed", "mode", "accelerator"})
    if (first.contains(k)) report[k] = first[k];
  report["workload"] = {{"trace", dir},
                        {"model", trace.model},
                        {"method", trace.method},
                        {"dataset", trace.dataset},
                        {"seed", trace.seed},
                        {"steps", trace.steps},
                        {"record_every", trace.record_every},
                        {"batch", batch},
                        {"network", trace.network.name},
                        {"layers", trace.network.layers.size()}};
  report["summary"] = summary;
  report["steps"] = step_rows;
  if (first.contains("energy"))
    report["energy"] = {{"table", first["energy"]["table"]}, {"scale", first["energy"]["scale"]}};
  if (first.contains("area")) report["area"] = first["area"];
  report["extra"] = json::object();
  report["jobs"] = jobs;

  OutputSet outputs(request.out_dir);
  outputs.write("report.json", report.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
  outputs.write("layers.csv", csv_header + csv_body);
  outputs.commit();

  // --functional: every record's checked jobs, as a one-step run reports them.
  std::size_t checked = 0, failed = 0;
  for (const auto& j : jobs)
    if (j.contains("functional")) {
      ++checked;
      failed += j["functional"]["pass"].get<bool>() ? 0 : 1;
    }
  const std::string verdict =
      failed > 0 ? "FUNCTIONAL CHECK FAILED: " + std::to_string(failed) + " of " + std::to_string(checked) +
                       " jobs disagreed with the dense reference (see report.json)\n"
      : checked > 0 ? "functional check: passed (" + std::to_string(checked) + " jobs of " +
                          std::to_string(samples.size()) + " records against a dense reference)\n"
                    : std::string();
  const int status = failed > 0 ? 1 : 0;

  // The summary: one row per simulated record, then the run. (CSV and JSON keep stdout to themselves.)
  if (request.format == SummaryFormat::Csv) {
    out << csv_header << csv_body;
    if (failed > 0) std::cerr << verdict;
    return status;
  }
  if (request.format == SummaryFormat::Json) {
    json doc = {{"summary", summary}, {"steps", step_rows}};
    if (checked > 0) doc["functional_check"] = {{"passed", failed == 0}, {"jobs_checked", checked}};
    out << doc.dump(2) << "\n";
    if (failed > 0) std::cerr << verdict;
    return status;
  }
  TextTable table({{"step", false},
                   {"phase", true},
                   {"stands for", false, 2},
                   {design + " cycles", false},
                   {base + " cycles", false},
                   {"speedup", false},
                   {"energy gain", false, 1},
                   {"act. density", false, 3},
                   {"mask change", false, 4}});
  for (const auto& row : step_rows) {
    double act = 0, change = 0;
    int pruned = 0;
    for (const auto& l : row["layers"]) {
      act += l["activation_density"].get<double>();
      if (l["weights"] != "dense") {
        change += l["mask_change"].get<double>();
        ++pruned;
      }
    }
    const auto nl = std::max<std::size_t>(1, row["layers"].size());
    const auto cyc = [&](const std::string& v) {
      return row["variants"].contains(v) ? group_digits(row["variants"][v]["cycles"].get<std::uint64_t>()) : "";
    };
    table.add_row(
        {std::to_string(row["step"].get<std::int64_t>()), row["training_phase"].get<std::string>(),
         std::to_string(row["represents_steps"].get<std::int64_t>()) +
             (row["represents_steps"] == 1 ? " step" : " steps"),
         cyc(design), cyc(base), row.contains("speedup") ? fixed("%.3fx", row["speedup"]["step"].get<double>()) : "",
         row.contains("energy_efficiency_gain") ? fixed("%.3fx", row["energy_efficiency_gain"]["step"].get<double>())
                                                : "",
         fixed("%.3f", act / static_cast<double>(nl)), pruned ? fixed("%.4f", change / pruned) : "-"});
  }
  std::ostringstream head;
  head << "sparsim " << first["sparsim"]["version"].get<std::string>() << " | accelerator "
       << first["accelerator"]["name"].get<std::string>() << " | trace " << trace.model << " / " << trace.method << ", "
       << trace.steps << " steps, batch " << batch << " | " << samples.size() << " of " << trace.records.size()
       << " records simulated";
  out << wrap_text(head.str(), kSummaryWidth) << "\n" << table.render(request.wide ? 0 : kSummaryWidth) << "\n";
  std::ostringstream run;
  run << "whole run (" << trace.steps << " steps):";
  for (const auto& [v, c] : run_cycles) run << "  " << v << " " << fixed("%.4g", c / (clock_ghz * 1e9)) << " s";
  if (summary.contains("speedup"))
    run << "; speedup " << fixed("%.3fx", summary["speedup"]["run"].get<double>()) << ", energy-efficiency gain "
        << fixed("%.3fx", summary["energy_efficiency_gain"]["run"].get<double>());
  out << wrap_text(run.str(), kSummaryWidth) << wrap_text(summary["extrapolation"].get<std::string>(), kSummaryWidth)
      << reports_lines(request.out_dir, request.wide ? 0 : kSummaryWidth) << verdict;
  return status;
}

}  // namespace sparsim
