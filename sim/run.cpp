#include "sim/run.hpp"

#include <unistd.h>
#include <systemc>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "sim/accelerator.hpp"
#include "sim/errors.hpp"
#include "sim/extension.hpp"
#include "sim/report/report.hpp"
#include "sim/timeline.hpp"
#include "sim/wave_options.hpp"
#include "sim/workload_setup.hpp"

namespace sparsim {

namespace {

// Progress on stderr, only when it is a terminal and the run has lasted a while. Wall-clock time is used
// for the display only; it never reaches a report.
class TerminalProgress : public Progress {
 public:
  TerminalProgress() : enabled_(isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {}
  ~TerminalProgress() override {
    if (shown_) std::cerr << "\r" << std::string(78, ' ') << "\r" << std::flush;
  }
  void job_done(std::size_t done, std::size_t total, const std::string& what) override {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    shown_ = true;
    std::string text("[");  // built by appends: GCC 12 warns falsely (-Wrestrict) on "lit" + string
    text += std::to_string(done);
    text += '/';
    text += std::to_string(total);
    text += "] ";
    text += what;
    if (text.size() > 76) text.resize(76);
    std::cerr << "\r" << text << std::string(78 - text.size(), ' ') << std::flush;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

void prepare_out_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw InputError(located(dir, "--out", "cannot create the output directory"));
}

}  // namespace

int run_simulation(const RunRequest& request, std::ostream& out) {
  const Config cfg = Config::load(request.config_path, request.overrides);
  const AcceleratorInfo& info = *AcceleratorRegistry::instance().find(cfg.str("accelerator.name"));
  const TrainingStep step = configured_training_step(cfg);
  if (step.ops.empty()) cfg.fail("workload.phases", "nothing to simulate: no op in the selected layers and phases");
  // Load the energy table and check every output path before simulating, so bad input fails fast.
  const EnergyTable energy = EnergyTable::load(cfg.resolved_path("energy.table"), cfg.f64("energy.scale"));
  (void)wave_options(cfg, info.waveforms);
  const std::string timeline_file = timeline_path(cfg);
  prepare_out_dir(request.out_dir);
  Timeline timeline;
  struct ActiveTimeline {  // models record into it while the simulation runs, also if it throws
    explicit ActiveTimeline(Timeline* t) { set_active_timeline(t); }
    ~ActiveTimeline() { set_active_timeline(nullptr); }
  } active(timeline_file.empty() ? nullptr : &timeline);

  TerminalProgress progress;
  DeviceMemorySlot device_memory;
  RunContext context{cfg,
                     step,
                     cfg.str("run.mode") == "detailed" ? TimingMode::Detailed : TimingMode::Fast,
                     cfg.boolean("run.functional"),
                     static_cast<std::uint64_t>(cfg.i64("run.seed")),
                     &progress,
                     nullptr,
                     &device_memory};
  // Extensions (sim/extension.hpp) elaborate first: one of them may set context.gate.
  ActiveExtensions extensions;
  extensions.elaborate(cfg, context);
  std::unique_ptr<Accelerator> accelerator = info.make();
  accelerator->elaborate(context);
  sc_core::sc_start();
  RunResults results = accelerator->collect();
  extensions.collect(results);

  const auto report = build_report(ReportInputs{cfg, info, step, energy}, results);
  const std::string summary = summary_table(report);
  const std::string csv = layers_csv(report);
  write_atomically(request.out_dir, "report.json",
                   report.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
  write_atomically(request.out_dir, "layers.csv", csv);
  if (!timeline_file.empty()) {
    timeline.add_jobs(results);
    write_timeline(timeline, timeline_file);
  }
  out << summary << "\nreports: " << request.out_dir << "/report.json, " << request.out_dir << "/layers.csv\n";

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
  if (checked > 0 && functional_ok) {
    std::ostringstream line;
    line << "functional check: passed (" << checked << " jobs against a dense reference, largest error " << worst
         << ")\n";
    out << line.str();
  }
  if (!functional_ok) {
    out << "FUNCTIONAL CHECK FAILED: a sparse datapath disagreed with the dense reference (see report.json)\n";
    return 1;
  }
  return 0;
}

}  // namespace sparsim
