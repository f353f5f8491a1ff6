#include "sim/config/yaml_input.hpp"

#include <cstdint>
#include <map>

#include "sim/errors.hpp"

namespace sparsim {

// RFC 3629: 1-4 byte sequences, no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
    if (n < 0 || i + static_cast<std::size_t>(n) >= s.size() + (n == 0 ? 1 : 0)) return false;
    std::uint32_t cp = n == 0 ? c : n == 1 ? (c & 0x1Fu) : n == 2 ? (c & 0x0Fu) : (c & 0x07u);
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((d >> 6) != 0x2) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

namespace {

std::string where(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  return mark.line < 0 ? file : file + ":" + std::to_string(mark.line + 1);
}

// Every key a plain value, every text valid UTF-8 (reports are JSON), no key twice in one mapping.
void reject_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& prefix) {
  if (node.IsScalar() && !valid_utf8(node.Scalar()))
    throw InputError(located(where(file, node), prefix.empty() ? "(top level)" : prefix, "text is not valid UTF-8"));
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) reject_duplicate_keys(node[i], file, prefix);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, std::string> seen;  // key -> where it first appeared
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;  // copies: it-> refers into a temporary of the iterator
    const YAML::Node value = it->second;
    const std::string at = where(file, key);
    if (!key.IsScalar())
      throw InputError(located(at, prefix.empty() ? "(top level)" : prefix, "a key must be a plain value"));
    const std::string k = key.Scalar();
    const std::string path = prefix.empty() ? k : prefix + "." + k;
    if (!valid_utf8(k))
      throw InputError(located(at, prefix.empty() ? "(top level)" : prefix, "key is not valid UTF-8"));
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
