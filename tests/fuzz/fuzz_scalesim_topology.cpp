// SCALE-Sim v2 topology CSV: parse_scalesim_topology (which also validates the network).
#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/scalesim_topology.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded(
      [&] { (void)sparsim::parse_scalesim_topology(sparsim::fuzz::as_text(data, size), "fuzz.csv"); });
  return 0;
}
