#include "sim/sweep/spec.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/config/yaml_input.hpp"
#include "sim/errors.hpp"
#include "sim/text/input_file.hpp"

namespace sparsim::sweep {

namespace {

// Bounds that keep a typo (a step of 0.0001) from turning into a sweep that never ends.
constexpr std::size_t kMaxAxisValues = 10000;
constexpr std::size_t kMaxPoints = 100000;

struct Ctx {
  std::string file;
  std::string where(const YAML::Node& node) const {
    const auto mark = node.Mark();
    return mark.line < 0 ? file : file + ":" + std::to_string(mark.line + 1);
  }
  [[noreturn]] void fail(const YAML::Node& node, const std::string& key, const std::string& msg) const {
    throw InputError(located(where(node), key, msg));
  }
};

std::string scalar(const Ctx& c, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) c.fail(node, key, "expected a single value");
  return node.Scalar();
}

// Checks the keys of a mapping against the allowed ones.
void only_keys(const Ctx& c, const YAML::Node& map, const std::string& key, const std::set<std::string>& allowed) {
  if (!map.IsMap()) c.fail(map, key, "expected a mapping");
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string k = it->first.as<std::string>();
    if (allowed.count(k)) continue;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    c.fail(it->first, key.empty() ? k : key + "." + k, "unknown key (known here: " + list + ")");
  }
}

std::vector<Assignment> assignments(const Ctx& c, const YAML::Node& map, const std::string& key,
                                    std::vector<std::string>* where) {
  if (!map.IsMap()) c.fail(map, key, "expected a mapping of config keys (dotted, as for --set) to values");
  std::vector<Assignment> out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string k = it->first.as<std::string>();
    out.emplace_back(k, scalar(c, it->second, key + "." + k));
    if (where) where->push_back(c.where(it->first));
  }
  return out;
}

bool as_int(const std::string& t, long long& v) {
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && p == t.data() + t.size() && !t.empty();
}

bool as_double(const std::string& t, double& v) {
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  v = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && std::isfinite(v) && errno != ERANGE;
}

// A list of scalars, or a range {from, to, step}.
std::vector<std::string> axis_values(const Ctx& c, const YAML::Node& node, const std::string& key) {
  std::vector<std::string> out;
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      out.push_back(scalar(c, node[i], key + "[" + std::to_string(i) + "]"));
  } else if (node.IsMap()) {
    only_keys(c, node, key, {"from", "to", "step"});
    for (const char* k : {"from", "to", "step"})
      if (!node[k]) c.fail(node, key, std::string("a range needs from, to and step (") + k + " is missing)");
    out = range_values(scalar(c, node["from"], key + ".from"), scalar(c, node["to"], key + ".to"),
                       scalar(c, node["step"], key + ".step"), c.where(node), key);
  } else {
    c.fail(node, key, "expected a list of values or a range {from, to, step}");
  }
  if (out.empty()) c.fail(node, key, "an axis needs at least one value");
  if (out.size() > kMaxAxisValues) c.fail(node, key, "more than " + std::to_string(kMaxAxisValues) + " values");
  return out;
}

Axis parse_axis(const Ctx& c, const YAML::Node& node, const std::string& key) {
  Axis axis;
  if (!node.IsMap()) c.fail(node, key, "expected {key: K, values: [...]}, {key: K, range: {...}} or {zip: {...}}");
  if (node["zip"]) {
    only_keys(c, node, key, {"zip"});
    const YAML::Node zip = node["zip"];
    if (!zip.IsMap() || zip.size() == 0) c.fail(zip, key + ".zip", "expected a mapping of config keys to value lists");
    std::vector<std::vector<std::string>> columns;
    for (auto it = zip.begin(); it != zip.end(); ++it) {
      const std::string k = it->first.as<std::string>();
      axis.keys.push_back(k);
      axis.where.push_back(c.where(it->first));
      columns.push_back(axis_values(c, it->second, key + ".zip." + k));
      if (columns.back().size() != columns.front().size())
        c.fail(it->second, key + ".zip." + k,
               "zipped keys need equally many values (" + std::to_string(columns.back().size()) + " here, " +
                   std::to_string(columns.front().size()) + " for " + axis.keys.front() + ")");
    }
    for (std::size_t s = 0; s < columns.front().size(); ++s) {
      axis.values.emplace_back();
      for (const auto& col : columns) axis.values.back().push_back(col[s]);
    }
    return axis;
  }
  only_keys(c, node, key, {"key", "values", "range"});
  if (!node["key"]) c.fail(node, key + ".key", "missing (the config key this axis sweeps)");
  const bool has_values = static_cast<bool>(node["values"]), has_range = static_cast<bool>(node["range"]);
  if (has_values == has_range) c.fail(node, key, "give exactly one of values or range");
  axis.keys.push_back(scalar(c, node["key"], key + ".key"));
  axis.where.push_back(c.where(node["key"]));
  const char* which = has_values ? "values" : "range";
  const YAML::Node v = node[which];
  if (has_values && !v.IsSequence()) c.fail(v, key + ".values", "expected a list of values");
  if (has_range && !v.IsMap()) c.fail(v, key + ".range", "expected {from, to, step}");
  for (const auto& s : axis_values(c, v, key + "." + which)) axis.values.push_back({s});
  return axis;
}

}  // namespace

std::vector<std::string> range_values(const std::string& from, const std::string& to, const std::string& step,
                                      const std::string& where, const std::string& key) {
  auto bad = [&](const std::string& msg) { throw InputError(located(where, key, msg)); };
  long long fi = 0, ti = 0, si = 0;
  std::vector<std::string> out;
  if (as_int(from, fi) && as_int(to, ti) && as_int(step, si)) {
    // In 128 bits: to - from and its quotient by step overflow 64 (from 0 to INT64_MIN by -1 trapped).
    const __int128 span = static_cast<__int128>(ti) - fi;
    if (si == 0 || span / si < 0) bad("step " + step + " never reaches " + to + " from " + from);
    const __int128 count = span / si;
    if (count >= static_cast<__int128>(kMaxAxisValues))
      bad("range has more than " + std::to_string(kMaxAxisValues) + " values");
    for (__int128 i = 0; i <= count; ++i) out.push_back(std::to_string(static_cast<long long>(fi + i * si)));
    return out;
  }
  double fd = 0, td = 0, sd = 0;
  if (!as_double(from, fd)) bad("from: expected a number, got '" + from + "'");
  if (!as_double(to, td)) bad("to: expected a number, got '" + to + "'");
  if (!as_double(step, sd)) bad("step: expected a number, got '" + step + "'");
  if (sd == 0 || (td - fd) / sd < 0) bad("step " + step + " never reaches " + to + " from " + from);
  const double count = std::floor((td - fd) / sd + 1e-9);
  if (count >= kMaxAxisValues) bad("range has more than " + std::to_string(kMaxAxisValues) + " values");
  // Each value is computed from its index (not by repeated addition) and printed with 10 significant
  // digits, so 0.1 steps give "0.3", not "0.30000000000000004".
  for (long long i = 0; i <= static_cast<long long>(count); ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", fd + static_cast<double>(i) * sd);
    out.emplace_back(buf);
  }
  return out;
}

SweepSpec parse_spec(const std::string& yaml_text, const std::string& name, const std::string& base_dir) {
  const Ctx c{name};
  const YAML::Node root = load_yaml(yaml_text, name);
  if (!root.IsMap()) c.fail(root, "(top level)", "expected a mapping with base, axes, ...");
  only_keys(c, root, "", {"name", "base", "set", "axes", "baselines", "metrics"});
  SweepSpec spec;
  spec.file = name;
  spec.dir = base_dir;
  spec.name = root["name"] ? scalar(c, root["name"], "name") : std::filesystem::path(name).stem().string();
  for (char ch : spec.name)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.'))
      c.fail(root["name"], "name", "use letters, digits, '-', '_' and '.' only (it names jobs and files)");
  if (!root["base"]) c.fail(root, "base", "missing (the config every point starts from)");
  const std::string base = scalar(c, root["base"], "base");
  spec.base_where = c.where(root["base"]);
  if (base.rfind("builtin:", 0) == 0 || base.empty()) {
    if (base != "builtin:default") c.fail(root["base"], "base", "expected a config path or builtin:default");
    spec.base = "";  // the embedded default config
  } else {
    const std::filesystem::path p(base);
    spec.base = (p.is_absolute() ? p : std::filesystem::path(base_dir) / p).lexically_normal().string();
    if (!std::filesystem::is_regular_file(spec.base))
      c.fail(root["base"], "base", "cannot open config file " + spec.base);
  }
  if (root["set"] && !root["set"].IsNull()) spec.set = assignments(c, root["set"], "set", &spec.set_where);
  std::set<std::string> swept;
  if (root["axes"] && !root["axes"].IsNull()) {
    const YAML::Node axes = root["axes"];
    if (!axes.IsSequence()) c.fail(axes, "axes", "expected a list of axes (crossed in order)");
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const std::string key = "axes[" + std::to_string(i) + "]";
      spec.axes.push_back(parse_axis(c, axes[i], key));
      for (std::size_t k = 0; k < spec.axes.back().keys.size(); ++k) {
        const std::string& ck = spec.axes.back().keys[k];
        if (!swept.insert(ck).second)
          throw InputError(located(spec.axes.back().where[k], ck, "swept by two axes (zip them instead)"));
        for (std::size_t s = 0; s < spec.set.size(); ++s)
          if (spec.set[s].first == ck)
            throw InputError(
                located(spec.axes.back().where[k], ck, "both swept and fixed in set: (" + spec.set_where[s] + ")"));
      }
    }
  }
  if (root["baselines"] && !root["baselines"].IsNull()) {
    const YAML::Node b = root["baselines"];
    if (!b.IsMap()) c.fail(b, "baselines", "expected a mapping of baseline names to config overrides");
    for (auto it = b.begin(); it != b.end(); ++it) {
      const std::string bn = it->first.as<std::string>();
      for (char ch : bn)
        if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
          c.fail(it->first, "baselines." + bn, "use letters, digits and '_' only (it names result columns)");
      spec.baselines.push_back(
          Baseline{bn, assignments(c, it->second, "baselines." + bn, nullptr), c.where(it->first)});
      if (spec.baselines.back().set.empty()) c.fail(it->second, "baselines." + bn, "a baseline needs overrides");
    }
  }
  if (root["metrics"] && !root["metrics"].IsNull()) {
    const YAML::Node m = root["metrics"];
    if (!m.IsMap()) c.fail(m, "metrics", "expected a mapping of column names to report.json paths");
    for (auto it = m.begin(); it != m.end(); ++it) {
      const std::string col = it->first.as<std::string>();
      spec.metrics.push_back(Metric{col, scalar(c, it->second, "metrics." + col)});
      if (spec.metrics.back().path.empty()) c.fail(it->second, "metrics." + col, "expected a dotted report.json path");
    }
  }
  std::size_t points = 1;
  for (const auto& a : spec.axes) {
    points *= a.values.size();
    if (points > kMaxPoints)
      c.fail(root["axes"], "axes", "more than " + std::to_string(kMaxPoints) + " points; split the sweep");
  }
  return spec;
}

SweepSpec load_spec(const std::string& path) {
  const std::string text = read_input_file(path, "sweep file");
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return parse_spec(text, path, dir.empty() ? "." : dir);
}

std::vector<Point> expand(const SweepSpec& spec) {
  std::vector<Point> points(1);
  for (const auto& axis : spec.axes) {
    std::vector<Point> next;
    next.reserve(points.size() * axis.values.size());
    for (const auto& p : points)
      for (std::size_t s = 0; s < axis.values.size(); ++s) {
        Point q = p;
        q.steps.push_back(s);
        for (std::size_t k = 0; k < axis.keys.size(); ++k) q.values.emplace_back(axis.keys[k], axis.values[s][k]);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

}  // namespace sparsim::sweep
