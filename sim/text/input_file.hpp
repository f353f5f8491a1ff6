#pragma once
// Reading a user's input file whole (configs, networks, sweep specs, energy tables, reports): only regular
// files, and only up to a size limit, checked before reading. A FIFO would block the run forever and
// /dev/zero would be read until memory ran out; a 50 MB "config" would make the YAML parser take gigabytes.
// Errors are InputErrors naming the path and `what` the file is for.
#include <cstdint>
#include <string>

namespace sparsim {

inline constexpr std::uint64_t kMaxTextInputBytes = std::uint64_t{16} << 20;  // 16 MiB

// Throws unless `path` is a regular file of at most `max_bytes`.
void check_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes);
// check_input_file, then the whole file.
std::string read_input_file(const std::string& path, const std::string& what,
                            std::uint64_t max_bytes = kMaxTextInputBytes);

}  // namespace sparsim
