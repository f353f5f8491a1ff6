#include "sim/config/yaml_input.hpp"

#include <map>

#include "sim/errors.hpp"

namespace sparsim {

namespace {

std::string where(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  return mark.line < 0 ? file : file + ":" + std::to_string(mark.line + 1);
}

void reject_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& prefix) {
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) reject_duplicate_keys(node[i], file, prefix);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, std::string> seen;  // key -> where it first appeared
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // copies: it-> refers into a temporary of the iterator
    const YAML::Node value = it->second;
    const std::string k = key.IsScalar() ? key.Scalar() : "(non-scalar key)";
    const std::string path = prefix.empty() ? k : prefix + "." + k;
    const std::string at = where(file, key);
    if (auto [first, fresh] = seen.emplace(k, at); !fresh)
      throw InputError(located(at, path, "key given twice (first at " + first->second + ")"));
    reject_duplicate_keys(value, file, path);
  }
}

}  // namespace

YAML::Node load_yaml(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(name + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  reject_duplicate_keys(root, name, "");
  return root;
}

}  // namespace sparsim
