#pragma once
// DIR/results.csv: one row per point of the plan, in point order, with every swept key and the key
// metrics read from the points' reports. Rows of unfinished points say so (status "missing") and keep
// their swept values, so nothing silently drops out of a figure.
#include <ostream>
#include <string>

#include "sim/sweep/plan.hpp"

namespace sparsim::sweep {

struct CollectSummary {
  std::size_t points = 0;
  std::size_t finished = 0;
  std::size_t damaged = 0;  // points with a run whose outputs no longer verify
};

// Builds the CSV text from the reports under DIR (pure function of the files: deterministic).
std::string results_csv(const Plan& plan, const std::string& dir, CollectSummary* summary);
// Writes DIR/results.csv atomically; returns 0 when every point is finished, else 1 (after saying which).
int collect(const Plan& plan, const std::string& dir, std::ostream& out);

}  // namespace sparsim::sweep
