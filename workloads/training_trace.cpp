#include "workloads/training_trace.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/config/yaml_input.hpp"
#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/mask_file.hpp"
#include "workloads/network_yaml.hpp"

namespace sparsim {

namespace fs = std::filesystem;

namespace {

const char* kFormat = "sparsim-training-trace";
const std::vector<std::string> kColumns = {
    "step",        "layer", "phase",  "weight_density", "activation_density", "gradient_density",
    "mask_change", "mask",  "mask_bp"};
const std::set<std::string> kKeys = {"format",   "version",      "model",    "method",    "seed",
                                     "steps",    "record_every", "records",  "batch",     "dataset",
                                     "settings", "final_loss",   "versions", "densities", "network"};
// A mask's density and its row's weight_density (written with 6 decimals) agree within this.
constexpr double kDensityTolerance = 1e-5;

std::string at(const std::string& file, const YAML::Node& n) {
  return n.Mark().line >= 0 ? file + ":" + std::to_string(n.Mark().line + 1) : file;
}

struct YamlReader {
  const std::string& file;
  const YAML::Node& root;

  [[noreturn]] void fail(const YAML::Node& where, const std::string& key, const std::string& msg) const {
    throw InputError(located(at(file, where), key, msg));
  }
  YAML::Node required(const char* key) const {
    const YAML::Node v = root[key];
    if (!v) throw InputError(located(file, key, "missing key"));
    return v;
  }
  std::int64_t integer(const char* key, std::int64_t min) const {
    const YAML::Node v = required(key);
    std::int64_t out = 0;
    try {
      out = v.as<std::int64_t>();
    } catch (const YAML::Exception&) {
      fail(v, key, "expected an integer, got '" + (v.IsScalar() ? v.Scalar() : std::string("a collection")) + "'");
    }
    if (out < min) fail(v, key, "must be at least " + std::to_string(min) + ", got " + std::to_string(out));
    return out;
  }
  std::string text(const char* key, bool needed = true) const {
    const YAML::Node v = root[key];
    if (!v) {
      if (needed) throw InputError(located(file, key, "missing key"));
      return "";
    }
    if (!v.IsScalar() || v.Scalar().empty()) fail(v, key, "expected a non-empty string");
    return v.Scalar();
  }
};

// A relative path inside the trace directory (no absolute paths, no "..").
std::string inside(const std::string& dir, const std::string& rel, const std::string& where, const std::string& key) {
  const fs::path p(rel);
  if (p.is_absolute()) throw InputError(located(where, key, "'" + rel + "' must be relative to the trace directory"));
  for (const auto& part : p)
    if (part == "..") throw InputError(located(where, key, "'" + rel + "' must stay inside the trace directory"));
  return (fs::path(dir) / p).string();
}

double number(const std::string& cell, const std::string& where, const std::string& key) {
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (cell.empty() || used != cell.size() || !std::isfinite(v))
    throw InputError(located(where, key, "expected a number, got '" + cell + "'"));
  return v;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out(1);
  for (char c : line) {
    if (c == ',')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

std::string describe(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

struct MaskCheck {
  std::map<std::string, MaskHeader> headers;  // by path, each file read once

  const MaskHeader& header(const std::string& path, const std::string& where, const std::string& key,
                           const std::string& layer) {
    auto it = headers.find(path);
    if (it != headers.end()) return it->second;
    if (!fs::is_regular_file(path)) throw InputError(located(where, key, "mask file " + path + " is missing"));
    try {
      return headers.emplace(path, read_mask_header(path, "layer " + layer)).first->second;
    } catch (const InputError& e) {
      throw InputError(located(where, key, e.what()));
    }
  }
};

void read_densities(TrainingTrace& t, const std::string& csv_path) {
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) throw InputError(located(csv_path, "", "cannot read the densities file"));
  const Network& net = t.network;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < net.layers.size(); ++i) index[net.layers[i].name] = i;
  auto owner_of = [&](const Layer& l) -> const Layer& {
    return l.shares_weights.empty() ? l : net.layers[index.at(l.shares_weights)];
  };
  MaskCheck masks;
  std::string line;
  int number_of_line = 0;
  std::size_t next_layer = 0;  // position in the network of the next row's layer
  while (std::getline(in, line)) {
    ++number_of_line;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string where = csv_path + ":" + std::to_string(number_of_line);
    const std::vector<std::string> cells = split(line);
    if (number_of_line == 1) {
      if (cells != kColumns) {
        std::string expected;
        for (const auto& c : kColumns) expected += (expected.empty() ? "" : ",") + c;
        throw InputError(located(where, "header", "expected the columns " + expected));
      }
      continue;
    }
    if (line.empty()) throw InputError(located(where, "", "empty line"));
    if (cells.size() != kColumns.size())
      throw InputError(located(
          where, "", std::to_string(cells.size()) + " fields where a row has " + std::to_string(kColumns.size())));
    std::int64_t step = 0;
    {
      std::size_t used = 0;
      try {
        step = std::stoll(cells[0], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (cells[0].empty() || used != cells[0].size() || cells[0][0] == '+' || cells[0][0] == '-')
        throw InputError(located(where, "step", "expected a non-negative integer, got '" + cells[0] + "'"));
      if (step >= t.steps)
        throw InputError(located(
            where, "step", std::to_string(step) + " is not below the trace's steps (" + std::to_string(t.steps) + ")"));
    }
    if (next_layer == 0) {  // a new record begins
      if (!t.records.empty() && step <= t.records.back().step)
        throw InputError(located(where, "step",
                                 "steps must increase from record to record: " + std::to_string(step) + " after " +
                                     std::to_string(t.records.back().step)));
      t.records.push_back({step, cells[2], {}});
    } else if (step != t.records.back().step) {
      throw InputError(located(where, "step",
                               "record of step " + std::to_string(t.records.back().step) + " is incomplete: layer '" +
                                   net.layers[next_layer].name + "' is missing"));
    }
    TraceRecord& rec = t.records.back();
    const Layer& expected = net.layers[next_layer];
    if (cells[1] != expected.name) {
      const auto known = index.find(cells[1]);
      if (known == index.end())
        throw InputError(located(where, "layer", "unknown layer '" + cells[1] + "' (not in the trace's network)"));
      if (known->second > next_layer)
        throw InputError(located(
            where, "layer",
            "record of step " + std::to_string(step) + " is incomplete: layer '" + expected.name + "' is missing"));
      throw InputError(located(where, "layer",
                               "'" + cells[1] + "' where the record's next layer is '" + expected.name +
                                   "' (every record lists every layer once, in network order)"));
    }
    if (cells[2].empty()) throw InputError(located(where, "phase", "expected a phase name"));
    if (cells[2] != rec.phase)
      throw InputError(
          located(where, "phase",
                  "'" + cells[2] + "' where the record of step " + std::to_string(step) + " has '" + rec.phase + "'"));
    TraceLayerSample s;
    s.layer = cells[1];
    s.line = number_of_line;
    double* fields[] = {&s.weight_density, &s.activation_density, &s.gradient_density, &s.mask_change};
    for (int i = 0; i < 4; ++i) {
      const std::string& key = kColumns[static_cast<std::size_t>(3 + i)];
      *fields[i] = number(cells[static_cast<std::size_t>(3 + i)], where, key);
      if (!(*fields[i] >= 0.0 && *fields[i] <= 1.0))
        throw InputError(located(where, key, "must be in [0, 1], got " + cells[static_cast<std::size_t>(3 + i)]));
    }
    const Layer& owner = owner_of(expected);
    for (int bp = 0; bp < 2; ++bp) {
      const std::string& rel = cells[bp ? 8 : 7];
      const std::string key = bp ? "mask_bp" : "mask";
      if (rel.empty()) continue;
      if (expected.kind == LayerKind::MatMul)
        throw InputError(located(where, key, "a matmul layer has no weights, so no mask"));
      const std::string path = inside(t.dir, rel, where, key);
      const MaskHeader& h = masks.header(path, where, key, expected.name);
      const auto shape = weight_mask_shape(owner);
      if (h.shape != shape)
        throw InputError(located(
            where, key,
            rel + " has shape " + describe(h.shape) + " where layer " + expected.name + " needs " + describe(shape)));
      if (!bp && std::abs(h.density() - s.weight_density) > kDensityTolerance)
        throw InputError(
            located(where, "weight_density", cells[3] + " but " + rel + " has density " + std::to_string(h.density())));
      (bp ? s.mask_bp : s.mask) = path;
    }
    if (s.mask.empty() && !s.mask_bp.empty())
      throw InputError(located(where, "mask_bp", "a BP mask needs an FF mask (mask) too"));
    if (s.mask.empty() && s.weight_density != 1.0)
      throw InputError(located(where, "mask", "empty (dense) but weight_density is " + cells[3]));
    rec.layers.push_back(s);
    next_layer = (next_layer + 1) % net.layers.size();
  }
  const std::string end = csv_path + ":" + std::to_string(number_of_line);
  if (t.records.empty()) throw InputError(located(csv_path, "", "no records"));
  if (next_layer != 0)
    throw InputError(located(end, "layer",
                             "record of step " + std::to_string(t.records.back().step) + " is incomplete: layer '" +
                                 net.layers[next_layer].name + "' is missing"));
}

}  // namespace

const std::vector<std::string>& training_trace_methods() {
  static const std::vector<std::string> methods = {"dense", "magnitude", "dsd", "nm", "rigl", "set"};
  return methods;
}

bool is_training_trace_dir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::is_regular_file(fs::path(path) / "trace.yaml", ec);
}

TrainingTrace load_training_trace(const std::string& dir) {
  TrainingTrace t;
  t.dir = dir;
  const std::string file = (fs::path(dir) / "trace.yaml").string();
  std::ifstream in(file);
  if (!in) throw InputError(located(file, "", "cannot read the trace (a training trace directory holds trace.yaml)"));
  std::stringstream text;
  text << in.rdbuf();
  const YAML::Node root = load_yaml(text.str(), file);
  if (!root.IsMap()) throw InputError(located(file, "", "trace.yaml is a mapping (docs/workloads.md)"));
  for (auto it = root.begin(); it != root.end(); ++it) {
    const auto key = it->first.as<std::string>();
    if (!kKeys.count(key)) throw InputError(located(at(file, it->first), key, "unknown key"));
  }
  const YamlReader r{file, root};
  if (r.text("format") != kFormat)
    r.fail(root["format"], "format", "expected '" + std::string(kFormat) + "', got '" + root["format"].Scalar() + "'");
  const std::int64_t version = r.integer("version", 1);
  if (version != kTrainingTraceVersion)
    r.fail(root["version"], "version",
           "unsupported trace version " + std::to_string(version) + " (this build reads " +
               std::to_string(kTrainingTraceVersion) + ")");
  t.version = static_cast<int>(version);
  t.model = r.text("model");
  t.method = r.text("method");
  const auto& methods = training_trace_methods();
  if (std::find(methods.begin(), methods.end(), t.method) == methods.end()) {
    std::string known;
    for (const auto& m : methods) known += (known.empty() ? "" : ", ") + m;
    r.fail(root["method"], "method", "unknown method '" + t.method + "' (known: " + known + ")");
  }
  t.seed = static_cast<std::uint64_t>(r.integer("seed", 0));
  t.steps = r.integer("steps", 1);
  t.record_every = r.integer("record_every", 1);
  if (t.record_every > t.steps)
    r.fail(root["record_every"], "record_every", "larger than steps (" + std::to_string(t.steps) + ")");
  const std::int64_t records = r.integer("records", 1);
  t.batch = r.integer("batch", 1);
  t.dataset = r.text("dataset", false);
  if (const YAML::Node s = root["settings"]; s && !s.IsMap()) r.fail(s, "settings", "expected a mapping");
  if (const YAML::Node l = root["final_loss"]) {
    try {
      l.as<double>();
    } catch (const YAML::Exception&) {
      r.fail(l, "final_loss", "expected a number");
    }
  }
  const YAML::Node versions = r.required("versions");
  if (!versions.IsMap()) r.fail(versions, "versions", "expected a mapping such as {python: \"3.11.2\", torch: ...}");
  for (auto it = versions.begin(); it != versions.end(); ++it) {
    const auto key = it->first.as<std::string>();
    if (!it->second.IsScalar()) r.fail(it->second, "versions." + key, "expected a version string");
    t.versions[key] = it->second.Scalar();
  }
  for (const char* needed : {"python", "torch"})
    if (!t.versions.count(needed)) r.fail(versions, std::string("versions.") + needed, "missing");
  const YAML::Node network = r.required("network");
  if (!network.IsMap()) r.fail(network, "network", "expected a network mapping (name, layers)");
  t.network = parse_network_node(network, file);
  const std::string densities = inside(dir, r.text("densities"), at(file, root["densities"]), "densities");
  read_densities(t, densities);
  if (static_cast<std::int64_t>(t.records.size()) != records)
    r.fail(root["records"], "records",
           std::to_string(records) + " but " + densities + " holds " + std::to_string(t.records.size()));
  return t;
}

std::size_t verify_training_trace_masks(const TrainingTrace& trace) {
  std::set<std::string> done;
  for (const auto& rec : trace.records)
    for (const auto& s : rec.layers)
      for (const std::string* path : {&s.mask, &s.mask_bp})
        if (!path->empty() && done.insert(*path).second) verify_mask_file(*path, "layer " + s.layer);
  return done.size();
}

}  // namespace sparsim
