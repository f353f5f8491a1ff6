#include "sim/text/input_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/errors.hpp"

namespace sparsim {

void check_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw InputError(located(path, "", "cannot open " + what + " (no such file)"));
  if (!fs::is_regular_file(st))
    throw InputError(located(path, what, "not a regular file (a directory, FIFO or device cannot be an input)"));
  const std::uint64_t size = fs::file_size(path, ec);
  if (ec) throw InputError(located(path, what, "cannot read the file's size"));
  if (size > max_bytes)
    throw InputError(located(path, what,
                             "the file has " + std::to_string(size) + " bytes; a " + what + " may have at most " +
                                 std::to_string(max_bytes) + " (" + std::to_string(max_bytes >> 20) + " MiB)"));
}

std::string read_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes) {
  check_input_file(path, what, max_bytes);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(located(path, what, "cannot open the file"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sparsim
