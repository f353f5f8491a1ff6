#include "sim/config/config.hpp"

#include <map>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/accelerator.hpp"
#include "sim/config/yaml_input.hpp"
#include "sim/errors.hpp"
#include "sim/extension.hpp"
#include "sim/text/input_file.hpp"

namespace sparsim {

namespace {

std::string mark_of(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  if (mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1);
}

bool parse_int(const std::string& text, long long& out) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

bool parse_float(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  // ERANGE: beyond double (1e400) or below its normal range (1e-400, 1e-320): refused, not rounded.
  return end == text.c_str() + text.size() && std::isfinite(out) && errno != ERANGE;
}

std::string range_text(const ParamSpec& spec) {
  std::ostringstream s;
  s << "[" << spec.min << ", " << spec.max << "]";
  return s.str();
}

// Checks one scalar against its declaration; returns the normalised text.
std::string check_scalar(const ParamSpec& spec, const std::string& text, const std::string& where) {
  auto bad = [&](const std::string& msg) { throw InputError(located(where, spec.path, msg)); };
  switch (spec.type) {
    case ParamType::Int: {
      long long v = 0;
      if (!parse_int(text, v)) bad("expected an integer, got '" + text + "'");
      if (v < spec.min || v > spec.max) bad("value " + text + " is out of range " + range_text(spec));
      return std::to_string(v);
    }
    case ParamType::Float: {
      double v = 0;
      if (!parse_float(text, v)) bad("expected a number, got '" + text + "'");
      if (v < spec.min || v > spec.max) bad("value " + text + " is out of range " + range_text(spec));
      return text;
    }
    case ParamType::Bool:
      if (text != "true" && text != "false") bad("expected true or false, got '" + text + "'");
      return text;
    case ParamType::Enum:
      if (std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end()) {
        std::string list;
        for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
        bad("'" + text + "' is not one of: " + list);
      }
      return text;
    case ParamType::String:
    case ParamType::Path:
      return text;
  }
  return text;
}

bool is_prefix_of_some(const std::string& prefix, const std::vector<ParamSpec>& specs) {
  const std::string p = prefix + ".";
  return std::any_of(specs.begin(), specs.end(),
                     [&](const ParamSpec& s) { return s.path.compare(0, p.size(), p) == 0; });
}

std::string known_keys_under(const std::string& prefix, const std::vector<ParamSpec>& specs) {
  std::set<std::string> keys;
  const std::string p = prefix.empty() ? "" : prefix + ".";
  for (const auto& s : specs) {
    if (s.path.compare(0, p.size(), p) != 0) continue;
    const std::string rest = s.path.substr(p.size());
    keys.insert(rest.substr(0, rest.find('.')));
  }
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

struct Loader {
  const std::vector<ParamSpec>& specs;
  const std::string& file;
  const std::string& base_dir;
  std::map<std::string, ConfigValue>& values;

  const ParamSpec* spec_for(const std::string& path) const {
    for (const auto& s : specs)
      if (s.path == path) return &s;
    return nullptr;
  }

  void walk(const YAML::Node& node, const std::string& prefix) {
    if (!node.IsMap()) {
      throw InputError(
          located(mark_of(file, node), prefix.empty() ? "(top level)" : prefix, "expected a mapping of keys"));
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.as<std::string>();
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      const std::string where = mark_of(file, it->first);
      if (const ParamSpec* spec = spec_for(path)) {
        const YAML::Node v = it->second;  // a copy: it->second refers into a temporary of the iterator
        if (v.IsNull() && spec->optional) continue;
        if (!v.IsScalar())
          throw InputError(located(where, path, std::string("expected a single ") + type_name(spec->type) + " value"));
        values[path] = ConfigValue{check_scalar(*spec, v.Scalar(), where), where, base_dir, spec};
      } else if (is_prefix_of_some(path, specs)) {
        if (it->second.IsNull()) continue;  // an empty section keeps its defaults
        walk(it->second, path);
      } else {
        throw InputError(located(where, path, "unknown key (known here: " + known_keys_under(prefix, specs) + ")"));
      }
    }
  }
};

std::pair<std::string, std::string> split_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError(located("--set " + text, "", "expected key.path=value"));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string unquote(std::string v) {
  if (v.size() >= 2 && ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\'')))
    return v.substr(1, v.size() - 2);
  return v;
}

}  // namespace

std::vector<ParamSpec> params_for(const std::string& accelerator_name) {
  std::vector<ParamSpec> specs = common_params();
  if (const auto* info = AcceleratorRegistry::instance().find(accelerator_name))
    specs.insert(specs.end(), info->params.begin(), info->params.end());
  for (const auto& ext : ExtensionRegistry::instance().all())  // extensions apply to every accelerator
    specs.insert(specs.end(), ext.params.begin(), ext.params.end());
  return specs;
}

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return build(YAML::Node(YAML::NodeType::Map), "<default>", ".", overrides);
  const std::string text = read_input_file(path, "config file");
  const auto dir = std::filesystem::path(path).parent_path().string();
  YAML::Node root = load_yaml(text, path);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  return build(root, path, dir.empty() ? "." : dir, overrides);
}

Config Config::from_text(const std::string& yaml_text, const std::string& name,
                         const std::vector<std::string>& overrides) {
  YAML::Node root = load_yaml(yaml_text, name);
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  return build(root, name, ".", overrides);
}

Config Config::build(const YAML::Node& root, const std::string& name, const std::string& base_dir,
                     const std::vector<std::string>& overrides) {
  if (!root.IsMap()) throw InputError(located(mark_of(name, root), "(top level)", "expected a mapping of keys"));
  // The accelerator decides which keys exist, so find its name first (last --set wins).
  std::string accel = "sat";
  std::string accel_where = "default";
  if (root["accelerator"] && root["accelerator"].IsMap() && root["accelerator"]["name"]) {
    if (!root["accelerator"]["name"].IsScalar())
      throw InputError(
          located(mark_of(name, root["accelerator"]["name"]), "accelerator.name", "expected a single string value"));
    accel = root["accelerator"]["name"].as<std::string>();
    accel_where = mark_of(name, root["accelerator"]["name"]);
  }
  for (const auto& o : overrides) {
    auto [key, value] = split_override(o);
    if (key == "accelerator.name") {
      accel = unquote(value);
      accel_where = "--set " + o;
    }
  }
  if (!AcceleratorRegistry::instance().find(accel)) {
    std::string list;
    for (const auto& n : AcceleratorRegistry::instance().names()) list += (list.empty() ? "" : ", ") + n;
    throw InputError(
        located(accel_where, "accelerator.name", "unknown accelerator '" + accel + "' (known: " + list + ")"));
  }
  Config cfg;
  cfg.source_name_ = name;
  cfg.base_dir_ = base_dir;
  const std::vector<ParamSpec> specs = params_for(accel);
  // Specs must outlive the config: keep the registry's and the common table's (both static) pointers.
  static std::map<std::string, std::vector<ParamSpec>> spec_store;
  auto& stored = spec_store[accel];
  if (stored.empty()) stored = specs;

  Loader loader{stored, name, base_dir, cfg.values_};
  loader.walk(root, "");
  for (const auto& o : overrides) {
    auto [key, raw] = split_override(o);
    const ParamSpec* spec = loader.spec_for(key);
    const std::string where = "--set " + o;
    if (!spec) throw InputError(located(where, key, "unknown key"));
    const std::string value = unquote(raw);
    if (value.empty() && spec->optional) {
      cfg.values_.erase(key);
      continue;
    }
    cfg.values_[key] = ConfigValue{check_scalar(*spec, value, where), where, ".", spec};
  }
  for (const auto& spec : stored) {
    if (cfg.values_.count(spec.path)) continue;
    cfg.values_[spec.path] = ConfigValue{spec.default_value, "default", ".", &spec};
  }
  // Cross-key checks of the accelerator.
  if (const auto* info = AcceleratorRegistry::instance().find(accel); info && info->validate) info->validate(cfg);
  for (const auto& ext : ExtensionRegistry::instance().all())
    if (ext.validate) ext.validate(cfg);
  return cfg;
}

const ConfigValue& Config::value(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw std::logic_error("undeclared config key read: " + key);
  return it->second;
}

std::int64_t Config::i64(const std::string& key) const {
  long long v = 0;
  const auto& val = value(key);
  if (!parse_int(val.text, v)) throw std::logic_error("config key is not an integer: " + key);
  return v;
}

double Config::f64(const std::string& key) const {
  double v = 0;
  const auto& val = value(key);
  if (!parse_float(val.text, v)) throw std::logic_error("config key is not a number: " + key);
  return v;
}

bool Config::boolean(const std::string& key) const { return value(key).text == "true"; }
const std::string& Config::str(const std::string& key) const { return value(key).text; }
bool Config::is_set(const std::string& key) const { return !value(key).text.empty(); }
std::string Config::origin(const std::string& key) const { return value(key).origin; }

std::string Config::resolved_path(const std::string& key) const {
  const auto& v = value(key);
  if (v.text.rfind("builtin:", 0) == 0) return v.text;
  std::filesystem::path p(v.text);
  if (p.is_absolute() || v.base_dir.empty()) return p.string();
  return (std::filesystem::path(v.base_dir) / p).lexically_normal().string();
}

void Config::fail(const std::string& key, const std::string& message) const {
  throw InputError(located(origin(key), key, message));
}

namespace {
// Keys grouped into nested sections, children in the order they were first declared.
struct KeyTree {
  std::string name;
  const ConfigValue* value = nullptr;
  std::vector<KeyTree> children;
  KeyTree& child(const std::string& n) {
    for (auto& c : children)
      if (c.name == n) return c;
    children.push_back(KeyTree{n, nullptr, {}});
    return children.back();
  }
};

void emit_tree(YAML::Emitter& out, const KeyTree& tree) {
  out << YAML::BeginMap;
  for (const auto& c : tree.children) {
    out << YAML::Key << c.name << YAML::Value;
    if (c.value == nullptr)
      emit_tree(out, c);
    else if (c.value->text.empty() && c.value->spec->optional)
      out << YAML::Null;
    else
      out << c.value->text;
  }
  out << YAML::EndMap;
}
}  // namespace

std::string Config::dump_yaml() const {
  std::vector<const ConfigValue*> ordered;
  for (const auto& [key, v] : values_) ordered.push_back(&v);
  // Specs live in one vector per accelerator, so pointer order is declaration order.
  std::sort(ordered.begin(), ordered.end(),
            [](const ConfigValue* a, const ConfigValue* b) { return a->spec < b->spec; });
  KeyTree root;
  for (const auto* v : ordered) {
    KeyTree* node = &root;
    std::stringstream ss(v->spec->path);
    for (std::string part; std::getline(ss, part, '.');) node = &node->child(part);
    node->value = v;
  }
  YAML::Emitter out;
  emit_tree(out, root);
  return std::string(out.c_str()) + "\n";
}

}  // namespace sparsim
