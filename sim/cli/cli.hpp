#pragma once
#include <ostream>

namespace sparsim {
// Parses the command line and runs the command; returns the exit status (never throws).
int cli_main(int argc, char* argv[], std::ostream& out, std::ostream& err);
}  // namespace sparsim
