// Training traces (`sparsim workloads validate TRACE_DIR`): the input is trace.yaml, a line "%%", then
// densities.csv, written to a scratch trace directory whose masks/ links to the shipped trace's masks
// (workloads/traces/cnn-nm), so rows can name real mask files; load_training_trace, then verification.
#include <filesystem>

#include "tests/fuzz/fuzz_support.hpp"
#include "workloads/training_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / ("sparsim-fuzz-trace-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    fs::create_directory_symlink(fs::path(SPARSIM_SOURCE_DIR) / "workloads" / "traces" / "cnn-nm" / "masks",
                                 d / "masks");
    return d;
  }();
  const std::string text = sparsim::fuzz::as_text(data, size);
  const auto split = text.find("\n%%\n");
  {
    std::ofstream yaml(dir / "trace.yaml", std::ios::binary | std::ios::trunc);
    yaml << text.substr(0, split);
    std::ofstream csv(dir / "densities.csv", std::ios::binary | std::ios::trunc);
    if (split != std::string::npos) csv << text.substr(split + 4);
  }
  sparsim::fuzz::run_guarded([&] {
    const sparsim::TrainingTrace t = sparsim::load_training_trace(dir.string());
    (void)sparsim::verify_training_trace_masks(t);
  });
  return 0;
}
