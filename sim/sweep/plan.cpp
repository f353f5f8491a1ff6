#include "sim/sweep/plan.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/accelerator.hpp"
#include "sim/config/config.hpp"
#include "sim/errors.hpp"
#include "sim/report/report.hpp"

namespace sparsim::sweep {

namespace {

using json = nlohmann::ordered_json;
constexpr int kPlanFormat = 1;

std::string hash_id(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a, 64 bit: stable across hosts and compilers
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// Fingerprint of the running binary: a rebuilt simulator may model things differently, so its runs get
// new names and nothing computed by an older build is taken for a finished point.
const std::string& binary_fingerprint() {
  static const std::string fp = [] {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return hash_id(bytes.str());
  }();
  return fp;
}

std::vector<std::string> as_overrides(const std::vector<Assignment>& a) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a) out.push_back(k + "=" + v);
  return out;
}

// A value of a path parameter (or a network file) is relative to the sweep file, as it would be to a
// config file, so the sweep runs the same from any working directory.
bool is_path_key(const std::string& key) {
  if (key == "workload.network") return true;
  for (const auto& name : AcceleratorRegistry::instance().names())
    for (const auto& s : params_for(name))
      if (s.path == key) return s.type == ParamType::Path;
  return false;
}

Assignment resolved(const SweepSpec& spec, const Assignment& a) {
  if (!is_path_key(a.first) || a.second.empty() || a.second.rfind("builtin:", 0) == 0) return a;
  const std::filesystem::path p(a.second);
  if (p.is_absolute()) return a;
  const auto candidate = std::filesystem::path(spec.dir) / p;
  // A built-in network name is not a file; leave it as it is.
  if (a.first == "workload.network" && !std::filesystem::is_regular_file(candidate)) return a;
  return {a.first, std::filesystem::absolute(candidate).lexically_normal().string()};
}

struct Source {
  Assignment assignment;
  std::string where;
};

// Loads the run's config; a failure is re-thrown naming the sweep file line that set the offending key.
Config validate(const SweepSpec& spec, const std::vector<Source>& sources, const std::string& what) {
  std::vector<std::string> overrides;
  for (const auto& s : sources)
    if (!is_label_key(s.assignment.first)) overrides.push_back(s.assignment.first + "=" + s.assignment.second);
  try {
    return Config::load(spec.base, overrides);
  } catch (const InputError& e) {
    const std::string msg = e.what();
    // Config names an override as "--set key=value: key: message"; find which line of ours set it.
    for (auto it = sources.rbegin(); it != sources.rend(); ++it) {
      const std::string prefix = "--set " + it->assignment.first + "=" + it->assignment.second + ": ";
      if (msg.rfind(prefix, 0) != 0) continue;
      std::string rest = msg.substr(prefix.size());
      if (rest.rfind(it->assignment.first + ": ", 0) == 0) rest = rest.substr(it->assignment.first.size() + 2);
      throw InputError(located(it->where, it->assignment.first, what + ": " + rest));
    }
    throw InputError(located(spec.base_where, "base", what + ": " + msg));
  }
}

std::string describe(const std::vector<Assignment>& values) {
  std::string out;
  for (const auto& [k, v] : values) out += (out.empty() ? "" : ", ") + k + "=" + v;
  return out;
}

}  // namespace

const Run& Plan::run(const std::string& id) const {
  for (const auto& r : runs)
    if (r.id == id) return r;
  throw InputError(located("plan.json", id, "no such run in this sweep"));
}

Plan make_plan(const SweepSpec& spec) {
  Plan plan;
  plan.name = spec.name;
  plan.sweep_file = spec.file;
  plan.base = spec.base.empty() ? "" : std::filesystem::absolute(spec.base).lexically_normal().string();
  plan.metrics = spec.metrics;
  plan.fixed = spec.set;
  for (const auto& b : spec.baselines) plan.baselines.push_back(b.name);
  std::map<std::string, std::size_t> run_index;
  auto add_run = [&](const Config& cfg, const std::vector<Source>& sources) {
    const std::string id =
        hash_id(std::string("sparsim ") + SPARSIM_VERSION + " " + binary_fingerprint() + "\n" + cfg.dump_yaml());
    if (!run_index.count(id)) {
      run_index[id] = plan.runs.size();
      std::vector<Assignment> a;
      for (const auto& s : sources)
        if (!is_label_key(s.assignment.first)) a.push_back(s.assignment);
      plan.runs.push_back(Run{id, as_overrides(a)});
    }
    return id;
  };
  const auto points = expand(spec);
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::vector<Source> sources;
    for (std::size_t s = 0; s < spec.set.size(); ++s)
      sources.push_back(Source{resolved(spec, spec.set[s]), spec.set_where[s]});
    std::size_t v = 0;
    for (const auto& axis : spec.axes)
      for (std::size_t k = 0; k < axis.keys.size(); ++k, ++v)
        sources.push_back(Source{resolved(spec, points[i].values[v]), axis.where[k]});
    const std::string what =
        "point " + std::to_string(i) + (points[i].values.empty() ? "" : " (" + describe(points[i].values) + ")");
    const Config cfg = validate(spec, sources, what);
    if (i == 0)
      for (std::size_t a = 0; a < spec.axes.size(); ++a)
        for (const auto& key : spec.axes[a].keys)
          plan.axes.push_back(Column{key, is_label_key(key) ? "" : cfg.values().at(key).spec->unit, a});
    PlannedPoint p{points[i].values, add_run(cfg, sources), {}};
    for (const auto& b : spec.baselines) {
      std::vector<Source> with = sources;
      for (const auto& a : b.set) with.push_back(Source{resolved(spec, a), b.where});
      p.baseline_runs.push_back(add_run(validate(spec, with, what + ", baseline " + b.name), with));
    }
    plan.points.push_back(std::move(p));
  }
  return plan;
}

json Plan::to_json() const {
  json j;
  j["sparsim_sweep_plan"] = kPlanFormat;
  j["version"] = SPARSIM_VERSION;
  j["name"] = name;
  j["sweep_file"] = sweep_file;
  j["base"] = base;
  j["set"] = json::array();
  for (const auto& [k, v] : fixed) j["set"].push_back({k, v});
  j["axes"] = json::array();
  for (const auto& a : axes) j["axes"].push_back({{"key", a.key}, {"unit", a.unit}, {"axis", a.axis}});
  j["baselines"] = baselines;
  j["metrics"] = json::array();
  for (const auto& m : metrics) j["metrics"].push_back({{"column", m.column}, {"path", m.path}});
  j["runs"] = json::array();
  for (const auto& r : runs) j["runs"].push_back({{"id", r.id}, {"overrides", r.overrides}});
  j["points"] = json::array();
  for (const auto& p : points) {
    json values = json::array();
    for (const auto& [k, v] : p.values) values.push_back({k, v});
    j["points"].push_back({{"values", values}, {"run", p.run}, {"baselines", p.baseline_runs}});
  }
  return j;
}

Plan Plan::from_json(const json& j, const std::string& where) {
  try {
    if (j.value("sparsim_sweep_plan", 0) != kPlanFormat) throw InputError(located(where, "", "not a sweep plan"));
    Plan p;
    p.name = j.at("name").get<std::string>();
    p.sweep_file = j.at("sweep_file").get<std::string>();
    p.base = j.at("base").get<std::string>();
    for (const auto& kv : j.at("set")) p.fixed.emplace_back(kv.at(0), kv.at(1));
    for (const auto& a : j.at("axes")) p.axes.push_back(Column{a.at("key"), a.at("unit"), a.at("axis")});
    p.baselines = j.at("baselines").get<std::vector<std::string>>();
    for (const auto& m : j.at("metrics")) p.metrics.push_back(Metric{m.at("column"), m.at("path")});
    for (const auto& r : j.at("runs"))
      p.runs.push_back(Run{r.at("id"), r.at("overrides").get<std::vector<std::string>>()});
    for (const auto& pt : j.at("points")) {
      PlannedPoint q;
      for (const auto& kv : pt.at("values")) q.values.emplace_back(kv.at(0), kv.at(1));
      q.run = pt.at("run").get<std::string>();
      q.baseline_runs = pt.at("baselines").get<std::vector<std::string>>();
      p.points.push_back(std::move(q));
    }
    return p;
  } catch (const json::exception& e) {
    throw InputError(located(where, "", std::string("not a valid sweep plan: ") + e.what()));
  }
}

void write_plan(const Plan& plan, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir) / "points", ec);
  std::filesystem::create_directories(std::filesystem::path(dir) / "logs", ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw InputError(located(dir, "--out", "cannot create the output directory"));
  write_atomically(dir, "plan.json", plan.to_json().dump(2) + "\n");
}

Plan read_plan(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "plan.json").string();
  std::ifstream in(path);
  if (!in) throw InputError(located(path, "", "cannot open (is " + dir + " a sweep output directory?)"));
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw InputError(located(path, "", std::string("malformed JSON: ") + e.what()));
  }
  return Plan::from_json(j, path);
}

std::string run_dir(const std::string& dir, const std::string& id) {
  return (std::filesystem::path(dir) / "points" / id).string();
}

bool run_finished(const std::string& dir, const std::string& id) {
  // Finished means a complete, undamaged output set (sim/report/output_set.hpp), not merely a report.json.
  return std::filesystem::is_regular_file(std::filesystem::path(run_dir(dir, id)) / "report.json") &&
         verify_output_set(run_dir(dir, id)).empty();
}

std::string run_damage(const std::string& dir, const std::string& id) {
  std::error_code ec;
  if (!std::filesystem::exists(run_dir(dir, id), ec)) return "";
  return verify_output_set(run_dir(dir, id));
}

}  // namespace sparsim::sweep
