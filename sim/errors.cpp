#include "sim/errors.hpp"

namespace sparsim {

namespace {
std::string& last_message() {
  static std::string message;  // SystemC's processes are coroutines on the main thread
  return message;
}
}  // namespace

InputError::InputError(const std::string& message) : std::runtime_error(message) { last_message() = message; }

const std::string& last_input_error_message() { return last_message(); }

std::string located(const std::string& where, const std::string& key, const std::string& message) {
  std::string out = where.empty() ? std::string("<config>") : where;
  if (!key.empty()) out += ": " + key;
  return out + ": " + message;
}

}  // namespace sparsim
