#pragma once
// The sweep file: a base config, fixed overrides, axes over any config key (lists or ranges; crossed, or
// zipped so that several keys move together), optional baselines per point and extra metric columns.
// Parsing is as strict as configs: unknown keys and wrong types are InputErrors naming file:line:key.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace sparsim::sweep {

using Assignment = std::pair<std::string, std::string>;  // config key, value text (as for --set)

// Keys under "label." are result columns only (e.g. a GEMM size zipped with the network file that has
// it); they are never passed to the config.
inline bool is_label_key(const std::string& key) { return key.rfind("label.", 0) == 0; }

// One axis: one key (a plain axis) or several keys of equal length (a zipped axis). Axes are crossed.
struct Axis {
  std::vector<std::string> keys;
  std::vector<std::vector<std::string>> values;  // values[step][key index]
  std::vector<std::string> where;                // "file:line" of each key, for point validation errors
};

struct Baseline {
  std::string name;
  std::vector<Assignment> set;  // applied on top of the point's own overrides
  std::string where;
};

struct Metric {
  std::string column;
  std::string path;  // dotted path into report.json, e.g. extra.offload_time_s
};

struct SweepSpec {
  std::string file;  // as given
  std::string dir;   // the sweep file's directory: relative paths in values are resolved against it
  std::string name;  // `name:` or the file's stem
  std::string base;  // base config path, resolved against the sweep file's directory
  std::string base_where;
  std::vector<Assignment> set;
  std::vector<std::string> set_where;
  std::vector<Axis> axes;
  std::vector<Baseline> baselines;
  std::vector<Metric> metrics;
};

// A point of the design space: the value of every swept key, in axis order.
struct Point {
  std::vector<Assignment> values;
  std::vector<std::size_t> steps;  // index into each axis
};

SweepSpec load_spec(const std::string& path);
SweepSpec parse_spec(const std::string& yaml_text, const std::string& name, const std::string& base_dir);
// Cartesian product of the axes, first axis outermost (the last axis varies fastest).
std::vector<Point> expand(const SweepSpec& spec);
// The numbers of a range (from, to inclusive, step), as config text; throws InputError naming `where`.
std::vector<std::string> range_values(const std::string& from, const std::string& to, const std::string& step,
                                      const std::string& where, const std::string& key);

}  // namespace sparsim::sweep
