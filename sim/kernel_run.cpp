#include "sim/kernel_run.hpp"

#include <systemc>

#include "sim/errors.hpp"

namespace sparsim {

void run_kernel() {
  try {
    sc_core::sc_start();
  } catch (const sc_core::sc_report& report) {
    // The report of an uncaught exception carries the exception's message verbatim.
    const std::string& input = last_input_error_message();
    if (!input.empty() && report.get_msg() != nullptr && input == report.get_msg()) throw InputError(input);
    throw;
  }
}

}  // namespace sparsim
