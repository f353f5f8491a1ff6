// Sweep files (sim/sweep/spec.hpp): parse_spec, then the expansion into points.
#include "sim/sweep/spec.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded([&] {
    const auto spec = sparsim::sweep::parse_spec(sparsim::fuzz::as_text(data, size), "fuzz.yaml",
                                                 SPARSIM_SOURCE_DIR "/configs/sweeps");
    (void)sparsim::sweep::expand(spec);
  });
  return 0;
}
