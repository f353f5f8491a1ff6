#include "sim/data_paths.hpp"

#include <filesystem>

namespace sparsim {

std::string data_path(const std::string& relative) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "sparsim" / relative;
    if (fs::exists(installed, ec)) return installed.string();
  }
  return (fs::path(SPARSIM_SOURCE_DIR) / relative).string();
}

}  // namespace sparsim
