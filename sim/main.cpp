// sparsim command line. SystemC's library owns main(), so the program starts in sc_main.
// Exit status: 0 success, 2 bad input (config, workload, arguments, files), 1 internal error.
#include <cstdlib>
#include <iostream>
#include <systemc>

#include "sim/cli/cli.hpp"

// SystemC prints its banner when its kernel first starts, which can happen during static initialisation
// (a namespace-scope sc_time in a model); a constructor with the earliest priority runs before any of that.
__attribute__((constructor(101))) static void quiet_systemc_banner() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}

int sc_main(int argc, char* argv[]) {
  // sc_stop() from a model would otherwise print an informational line into the user's output.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  return sparsim::cli_main(argc, argv, std::cout, std::cerr);
}
