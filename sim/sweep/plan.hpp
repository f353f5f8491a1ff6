#pragma once
// The plan of a sweep: its points in order and the distinct runs they need. A run is named by a hash of
// its effective config (every key with its value, defaults included) and of the sparsim binary, so a point
// that is already finished is recognised on a re-run however the sweep file was reordered, and a baseline
// that several points share runs once. The plan is written to DIR/plan.json; every later step (the local
// runner, `--run-point` on a cluster node, `--collect`) reads that file, so they cannot disagree.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/spec.hpp"

namespace sparsim::sweep {

struct Run {
  std::string id;
  std::vector<std::string> overrides;  // key=value, applied to the base config in order
};

struct PlannedPoint {
  std::vector<Assignment> values;          // the swept keys
  std::string run;                         // id of the point's own run
  std::vector<std::string> baseline_runs;  // one per spec baseline, same order
};

struct Column {
  std::string key;
  std::string unit;      // from the parameter's declaration ("" when it has none)
  std::size_t axis = 0;  // which axis sets it: keys of one zip share it (plots never split a zip into lines)
};

struct Plan {
  std::string name;
  std::string sweep_file;
  std::string base;               // absolute path of the base config ("" = the embedded default)
  std::vector<Assignment> fixed;  // the sweep's set: overrides, for labels
  std::vector<Column> axes;
  std::vector<std::string> baselines;
  std::vector<Metric> metrics;
  std::vector<PlannedPoint> points;
  std::vector<Run> runs;  // distinct, in order of first use

  const Run& run(const std::string& id) const;
  nlohmann::ordered_json to_json() const;
  static Plan from_json(const nlohmann::ordered_json& j, const std::string& where);
};

// Expands the spec and validates every point (and baseline) by loading the base config with its
// overrides; the first invalid one is an InputError naming the sweep file line of the offending key.
Plan make_plan(const SweepSpec& spec);

// DIR/plan.json; reading checks the layout and fails with an InputError naming the file.
void write_plan(const Plan& plan, const std::string& dir);
Plan read_plan(const std::string& dir);

// DIR/points/ID holds a finished run (report.json and friends); it appears by an atomic rename. Finished
// means its output set verifies against its manifest (sim/report/output_set.hpp); a point directory that
// exists but does not verify is damaged (run_damage says why) and is run again.
std::string run_dir(const std::string& dir, const std::string& id);
bool run_finished(const std::string& dir, const std::string& id);
std::string run_damage(const std::string& dir, const std::string& id);  // "" when finished or absent

}  // namespace sparsim::sweep
