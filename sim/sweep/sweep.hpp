#pragma once
// `sparsim sweep` and `sparsim plot` (design-space sweeps and figures; see docs/sweeps.md).
#include <ostream>
#include <string>
#include <vector>

namespace sparsim {

// args exclude "sparsim sweep". Returns the exit status; bad input throws InputError.
int sweep_command(const std::vector<std::string>& args, std::ostream& out);
// args exclude "sparsim plot". Runs the plotting front end (plots/, Debian's /usr/bin/python3).
int plot_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace sparsim
