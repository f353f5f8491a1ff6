#pragma once
// The effective configuration of one run: every declared parameter with its value and where the value
// came from (a file line, a --set override, or the default). Loading validates everything and throws
// InputError with "file:line: key: message" on the first problem.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/config/schema.hpp"

namespace YAML {
class Node;
}

namespace sparsim {

struct ConfigValue {
  std::string text;    // scalar text ("" when an optional parameter is unset)
  std::string origin;  // "file.yaml:12", "--set key=value" or "default"
  std::string base_dir;  // directory relative paths are resolved against
  const ParamSpec* spec = nullptr;
};

class Config {
 public:
  // Loads CONFIG (empty path: the embedded default, i.e. all defaults), applies `--set key=value`
  // overrides in order, and validates against the common parameters plus the chosen accelerator's.
  static Config load(const std::string& path, const std::vector<std::string>& overrides);
  // Same from YAML text (tests, embedded configs); `name` is used in messages.
  static Config from_text(const std::string& yaml_text, const std::string& name,
                          const std::vector<std::string>& overrides);

  std::int64_t i64(const std::string& key) const;
  double f64(const std::string& key) const;
  bool boolean(const std::string& key) const;
  const std::string& str(const std::string& key) const;
  bool is_set(const std::string& key) const;  // false for an unset optional parameter
  // Path parameters are resolved against the directory of the config file that set them.
  std::string resolved_path(const std::string& key) const;

  // Where a key's value came from, for error messages ("file.yaml:12", "--set ...", "default").
  std::string origin(const std::string& key) const;
  // An InputError naming the key's origin; for consistency checks that span several keys.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  const std::map<std::string, ConfigValue>& values() const { return values_; }
  const std::string& source_name() const { return source_name_; }
  // YAML of every parameter with its effective value (`sparsim config --dump`).
  std::string dump_yaml() const;

 private:
  static Config build(const YAML::Node& root, const std::string& name, const std::string& base_dir,
                      const std::vector<std::string>& overrides);
  const ConfigValue& value(const std::string& key) const;
  std::map<std::string, ConfigValue> values_;
  std::string source_name_;
  std::string base_dir_;
};

// All parameters that apply when the accelerator is `accelerator_name` (common + the accelerator's).
std::vector<ParamSpec> params_for(const std::string& accelerator_name);

}  // namespace sparsim
