#pragma once
// Turns a run's results into the report: report.json (everything, built first and the single source of
// truth), layers.csv (one row per layer x phase) and the summary table printed on stdout.
#include <string>

#include <nlohmann/json.hpp>

#include "sim/accelerator.hpp"
#include "sim/energy.hpp"

namespace sparsim {

struct ReportInputs {
  const Config& config;
  const AcceleratorInfo& accelerator;
  const TrainingStep& step;
  const EnergyTable& energy;
};

nlohmann::ordered_json build_report(const ReportInputs& in, const RunResults& results);
std::string layers_csv(const nlohmann::ordered_json& report);
std::string summary_table(const nlohmann::ordered_json& report);

// Writes DIR/name through a temporary file and a rename, so a report is never half-written.
void write_atomically(const std::string& dir, const std::string& name, const std::string& content);

}  // namespace sparsim
