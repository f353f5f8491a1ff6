#pragma once
// The report's jobs regrouped as the tables show them: one row per layer x phase, holding that job of
// each variant. Shared by layers.csv, the summary table and the summary's CSV and JSON forms, so that
// they all list the same rows in the same order.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sparsim {

struct JobRow {
  int layer_index = 0;
  std::string layer, phase;
  std::map<std::string, const nlohmann::ordered_json*> by_variant;  // variant -> its job in the report

  // The job of `variant` in this row, or nullptr.
  const nlohmann::ordered_json* job(const std::string& variant) const;
};

// Variant names in the report's order (summary.variants).
std::vector<std::string> variants_of(const nlohmann::ordered_json& report);

// Rows in the order their first job appears in the report. The pointers point into `report`.
std::vector<JobRow> job_rows(const nlohmann::ordered_json& report);

// Why a job (or a set of jobs) is slow: the stall cause with the most cycles and its share of the
// cycles. Ties go to the cause named first in the report; `cycles` 0 means no stall was reported.
struct TopStall {
  std::string cause;
  std::uint64_t cycles = 0;
  double share = 0.0;  // of the jobs' cycles
};
TopStall top_stall(const std::vector<const nlohmann::ordered_json*>& jobs);
// A short label of a stall cause for narrow tables ("dram_bandwidth" -> "dram"); unknown causes as named.
std::string stall_label(const std::string& cause);
// "dram 41%", or "-" when nothing stalled.
std::string top_stall_cell(const TopStall& t);

}  // namespace sparsim
