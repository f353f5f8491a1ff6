// Memory request traces (`sparsim memtrace`): read_trace on a scratch file, against a DDR4 preset.
#include "models/memory/dram_spec.hpp"
#include "models/memory/memtrace.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const sparsim::memory::DramSpec spec = *sparsim::memory::dram_preset(sparsim::memory::dram_preset_names()[0]);
  const std::string path = sparsim::fuzz::scratch_file(".trace", data, size);
  sparsim::fuzz::run_guarded([&] { (void)sparsim::memory::read_trace(path, spec, 4096); });
  return 0;
}
