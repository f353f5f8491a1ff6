// DRAMSim3 .ini files: parse_dramsim3_ini (which checks the resulting DramSpec), then the derived figures.
#include "models/memory/dramsim3_ini.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded([&] {
    const auto spec = sparsim::memory::parse_dramsim3_ini(sparsim::fuzz::as_text(data, size), "fuzz.ini");
    (void)spec.capacity_bytes();
    (void)spec.burst_bytes();
    (void)spec.peak_gbps();
  });
  return 0;
}
