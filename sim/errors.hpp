#pragma once
// Error kinds that map to the CLI's exit status: InputError (bad config, workload, arguments, files) exits
// with 2, anything else with 1. An InputError's message is one line that already names where the problem
// is ("file:line: key.path: what is wrong").
#include <stdexcept>
#include <string>

namespace sparsim {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message) : std::runtime_error(message) {}
};

// Formats "where: key: message" the same way everywhere (where = "file:line" or "--set key=value").
std::string located(const std::string& where, const std::string& key, const std::string& message);

}  // namespace sparsim
