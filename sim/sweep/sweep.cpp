#include "sim/sweep/sweep.hpp"

#include "sim/errors.hpp"

namespace sparsim {

// Placeholder until the sweep runner lands (issue: design-space sweeps); says so instead of pretending.
int sweep_command(const std::vector<std::string>&, std::ostream&) {
  throw InputError("sparsim sweep: not implemented yet");
}

int plot_command(const std::vector<std::string>&, std::ostream&) {
  throw InputError("sparsim plot: not implemented yet");
}

}  // namespace sparsim
