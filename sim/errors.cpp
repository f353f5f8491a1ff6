#include "sim/errors.hpp"

namespace sparsim {

std::string located(const std::string& where, const std::string& key, const std::string& message) {
  std::string out = where.empty() ? std::string("<config>") : where;
  if (!key.empty()) out += ": " + key;
  return out + ": " + message;
}

}  // namespace sparsim
