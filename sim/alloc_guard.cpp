#include "sim/alloc_guard.hpp"

#include <cstdio>
#include <string>

#include "sim/errors.hpp"

namespace sparsim {

namespace {
std::uint64_t limit_bytes = 8192ULL << 20;  // run.max_memory_mb's default

std::string mib(double bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f", bytes / (1024.0 * 1024.0));
  return text;
}
}  // namespace

void set_allocation_limit(std::uint64_t bytes) { limit_bytes = bytes; }

std::uint64_t allocation_limit() { return limit_bytes; }

void check_allocation(double count, double element_bytes, std::string_view what) {
  if (limit_bytes == 0) return;
  const double bytes = count * element_bytes;
  if (!(bytes <= static_cast<double>(limit_bytes)))  // also NaN
    throw InputError("run.max_memory_mb: " + std::string(what) + " would need about " + mib(bytes) +
                     " MiB in one allocation, more than the limit of " + mib(static_cast<double>(limit_bytes)) +
                     " MiB: shrink the layer or the batch, or raise --max-memory");
}

}  // namespace sparsim
