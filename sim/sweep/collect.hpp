#pragma once
// DIR/results.csv: one row per point of the plan, in point order, with every swept key and the key
// metrics read from the points' reports. Rows of unfinished points say so (status "missing") and keep
// their swept values, so nothing silently drops out of a figure.
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <map>

#include "sim/run.hpp"
#include "sim/sweep/plan.hpp"

namespace sparsim::sweep {

struct CollectSummary {
  std::size_t points = 0;
  std::size_t finished = 0;
  std::map<std::string, std::string> damaged;  // run id -> why its outputs no longer verify
};

// The results: a header and one row of text cells per point (the cells of results.csv).
struct ResultsTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  CollectSummary summary;
};

// Reads the reports under DIR (pure function of the files: deterministic).
ResultsTable results_table(const Plan& plan, const std::string& dir);
// The CSV text of results.csv.
std::string results_csv(const ResultsTable& table);
std::string results_csv(const Plan& plan, const std::string& dir, CollectSummary* summary);
// For people: one line per point (its swept values, status, step speedup, energy gain, ideal bound,
// cycles, the sweep baselines' speedups and the metric columns), fitting `width` columns (0: all).
std::string results_text(const Plan& plan, const ResultsTable& table, std::size_t width);
// For programs: {"sweep", "results_csv", "points", "finished", "axes", "rows"}; each row an object of
// the results.csv columns with numbers as numbers and empty cells as null.
nlohmann::ordered_json results_json(const Plan& plan, const std::string& dir, const ResultsTable& table);

// Writes DIR/results.csv atomically and prints the sweep's summary on `out` in `format`: the point table
// and the results path (table), the CSV text alone (csv), or one JSON document (json). Lines for people
// that are not the summary (the results path, unfinished points) go to `notes` in the csv and json forms.
// Returns 0 when every point is finished, else 1 (after saying which).
int collect(const Plan& plan, const std::string& dir, std::ostream& out, SummaryFormat format = SummaryFormat::Table,
            std::ostream* notes = nullptr);

}  // namespace sparsim::sweep
