#pragma once
// `sparsim run`: config + workload -> elaborate the accelerator -> simulate -> reports.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace sparsim {

struct RunRequest {
  std::string config_path;              // empty: the embedded default
  std::vector<std::string> overrides;   // key=value, applied in order
  std::string out_dir = "out";
};

// Simulates and writes DIR/report.json and DIR/layers.csv; prints the summary on `out`. Returns the exit
// status (0 success); bad input throws InputError.
int run_simulation(const RunRequest& request, std::ostream& out);

}  // namespace sparsim
