#pragma once
// Helpers for the memory-system tests: small specs with round numbers and trace builders.
#include <cstdint>
#include <vector>

#include "models/memory/address_map.hpp"
#include "models/memory/memtrace.hpp"

namespace memory_test {

using namespace sparsim::memory;

// One channel, one rank, 2 bank groups x 2 banks, numbers easy to follow; refresh off unless asked.
inline DramSpec tiny_spec() {
  DramSpec s;
  s.name = "tiny";
  s.channels = 1;
  s.ranks = 1;
  s.bankgroups = 2;
  s.banks_per_group = 2;
  s.rows = 1024;
  s.columns = 128;  // 16 bursts of 64 B per row (8 KB... of x8 devices: 1 KB per device)
  s.CL = 10;
  s.CWL = 8;
  s.tRCD = 12;
  s.tRP = 11;
  s.tRAS = 30;
  s.tRRD_S = 4;
  s.tRRD_L = 6;
  s.tCCD_S = 4;
  s.tCCD_L = 6;
  s.tFAW = 40;
  s.tWR = 15;
  s.tWTR_S = 3;
  s.tWTR_L = 7;
  s.tRTP = 6;
  s.tRTRS = 2;
  s.refresh = false;
  s.address_mapping = "rorabgbachco";
  return s;
}

// The byte address of (bank group, bank, row, column burst) under tiny_spec's mapping.
inline std::uint64_t addr(const DramSpec& s, int bg, int ba, std::int64_t row, std::int64_t col) {
  const std::uint64_t burst = static_cast<std::uint64_t>(s.burst_bytes());
  const std::uint64_t cols = static_cast<std::uint64_t>(s.bursts_per_row());
  const std::uint64_t banks = static_cast<std::uint64_t>(s.banks_per_group);
  const std::uint64_t groups = static_cast<std::uint64_t>(s.bankgroups);
  return ((((static_cast<std::uint64_t>(row) * groups + static_cast<std::uint64_t>(bg)) * banks +
            static_cast<std::uint64_t>(ba)) *
               cols +
           static_cast<std::uint64_t>(col)) *
          burst);
}

inline std::vector<TraceRequest> sequential(const DramSpec& s, std::int64_t n, bool write, std::int64_t gap = 0) {
  std::vector<TraceRequest> t;
  for (std::int64_t i = 0; i < n; ++i)
    t.push_back({static_cast<std::uint64_t>(i * s.burst_bytes()), write, i * gap});
  return t;
}

inline std::vector<TraceRequest> random_trace(const DramSpec& s, std::int64_t n, double write_fraction,
                                              std::uint64_t seed) {
  std::vector<TraceRequest> t;
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  const std::uint64_t bursts = static_cast<std::uint64_t>(s.capacity_bytes() / s.burst_bytes());
  for (std::int64_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const bool w = static_cast<double>(x % 1000) < write_fraction * 1000;
    t.push_back({(x >> 11) % bursts * static_cast<std::uint64_t>(s.burst_bytes()), w, 0});
  }
  return t;
}

}  // namespace memory_test
