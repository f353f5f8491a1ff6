// Config YAML and schema validation: Config::from_text (common keys, the accelerator's keys and its
// validate hook), then the checks `sparsim run` makes before simulating (no simulation).
#include "tests/fuzz/fuzz_run_checks.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded([&] {
    const auto cfg = sparsim::Config::from_text(sparsim::fuzz::as_text(data, size), "fuzz.yaml", {});
    sparsim::fuzz::check_like_run(cfg);
  });
  return 0;
}
