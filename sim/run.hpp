#pragma once
// `sparsim run`: config + workload -> elaborate the accelerator -> simulate -> reports.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/accelerator.hpp"
#include "sim/energy.hpp"
#include "sim/progress.hpp"

namespace sparsim {

// How the summary is printed on stdout: a table for people (fits 120 columns unless wide), or CSV or
// JSON for programs (every column, plain numbers, nothing else on stdout).
enum class SummaryFormat { Table, Csv, Json };

struct RunRequest {
  std::string config_path;             // empty: the embedded default
  std::vector<std::string> overrides;  // key=value, applied in order
  std::string out_dir = "out";
  SummaryFormat format = SummaryFormat::Table;
  bool wide = false;                           // table: every column, no width limit
  ProgressMode progress = ProgressMode::Auto;  // the progress line on stderr (sim/progress.hpp)
};

// Simulates and writes DIR/report.json and DIR/layers.csv; prints the summary on `out`. Returns the exit
// status (0 success); bad input throws InputError.
int run_simulation(const RunRequest& request, std::ostream& out);

// The run's energy table (energy.table, energy.scale); a missing file names the config's key.
EnergyTable configured_energy_table(const Config& cfg);
// Creates --out DIR (and its parents); an input error when it cannot.
void prepare_out_dir(const std::string& dir);

// Elaborates the extensions and the accelerator for `step`, simulates to the end and collects the jobs.
// One SystemC design per process: call it once (trace runs call it in a child process per record).
RunResults simulate_step(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step, Progress* progress);

}  // namespace sparsim
