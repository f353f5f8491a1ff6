// `--set key=value` overrides: the input is one override string applied to a fixed valid config, then the
// checks `sparsim run` makes before simulating.
#include "tests/fuzz/fuzz_run_checks.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {
const char* const kBase =
    "accelerator:\n"
    "  name: sat\n"
    "workload:\n"
    "  network: alexnet\n"
    "  batch: 2\n";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  sparsim::fuzz::run_guarded([&] {
    const auto cfg = sparsim::Config::from_text(kBase, "base.yaml", {sparsim::fuzz::as_text(data, size)});
    sparsim::fuzz::check_like_run(cfg);
  });
  return 0;
}
