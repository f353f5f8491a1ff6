#pragma once
// Turns a run's results into the report: report.json (everything, built first and the single source of
// truth), layers.csv (one row per layer x phase) and the summary table printed on stdout.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/accelerator.hpp"
#include "sim/energy.hpp"
#include "sim/report/output_set.hpp"

namespace sparsim {

struct ReportInputs {
  const Config& config;
  const AcceleratorInfo& accelerator;
  const TrainingStep& step;
  const EnergyTable& energy;
};

nlohmann::ordered_json build_report(const ReportInputs& in, const RunResults& results);
std::string layers_csv(const nlohmann::ordered_json& report);

// The summary printed on stdout. As a table it fits kSummaryWidth columns unless `wide` (the columns that
// matter least are left out first; big numbers carry thousands separators). As CSV and JSON it holds every
// column with plain numbers, for programs: one row per layer x phase, then the phase and step totals.
constexpr std::size_t kSummaryWidth = 120;
std::string summary_table(const nlohmann::ordered_json& report, bool wide = false);
std::string summary_csv(const nlohmann::ordered_json& report);
// The table summary's last line(s): where report.json and layers.csv went. Within `width` columns (0: no
// limit): "reports: DIR/report.json, DIR/layers.csv" when it fits, else the file names once and DIR after
// them, on lines of its own broken after a '/' when even DIR alone is too long.
std::string reports_lines(const std::string& dir, std::size_t width = kSummaryWidth);
nlohmann::ordered_json summary_json(const nlohmann::ordered_json& report);

}  // namespace sparsim
