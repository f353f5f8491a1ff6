#pragma once
// Error kinds that map to the CLI's exit status: InputError (bad config, workload, arguments, files) exits
// with 2, anything else with 1. An InputError's message is one line that already names where the problem
// is ("file:line: key.path: what is wrong").
#include <stdexcept>
#include <string>

namespace sparsim {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& message);
};

// The message of the latest InputError made. SystemC turns an exception that escapes a process into an
// sc_report carrying only the message; run_kernel() (sim/kernel_run.hpp) matches it against this to give
// the error back its kind.
const std::string& last_input_error_message();

// Formats "where: key: message" the same way everywhere (where = "file:line" or "--set key=value").
std::string located(const std::string& where, const std::string& key, const std::string& message);

}  // namespace sparsim
