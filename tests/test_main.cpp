// Test entry point. SystemC's library owns main(), so Catch2 runs from sc_main; catch_discover_tests
// starts one process per test case, and each may elaborate its own SystemC design.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }
