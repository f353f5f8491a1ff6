// Binary mask files (workloads/mask_file.hpp): the input is written to a scratch file and read the three ways
// the code reads masks: header only, streamed verification, and the whole mask.
#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/mask_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = sparsim::fuzz::scratch_file(".spmask", data, size);
  sparsim::fuzz::run_guarded([&] { (void)sparsim::read_mask_header(path, "layer fuzz"); });
  sparsim::fuzz::run_guarded([&] { (void)sparsim::verify_mask_file(path, "layer fuzz"); });
  sparsim::fuzz::run_guarded([&] { (void)sparsim::read_mask_file(path, "layer fuzz"); });
  return 0;
}
