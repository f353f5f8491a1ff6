// Test entry point. SystemC's library owns main(), so Catch2 runs from sc_main; catch_discover_tests
// starts one process per test case, and each may elaborate its own SystemC design.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <systemc>

// Same as sim/main.cpp: silence the SystemC banner before any static initialiser can start the kernel.
__attribute__((constructor(101))) static void quiet_systemc_banner() {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
}

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
