#pragma once
// Event counts of one DRAM channel (or a whole system, summed), the same in both timing modes.
#include <array>
#include <bit>
#include <cstdint>

namespace sparsim::memory {

struct DramStats {
  std::uint64_t reads = 0, writes = 0;  // bursts
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::uint64_t activates = 0, precharges = 0, refreshes = 0;
  std::uint64_t read_latency_sum = 0;                 // memory cycles from arrival at the controller to data returned
  std::uint64_t queue_occupancy_sum = 0;              // sum over cycles of requests queued (detailed mode only)
  std::uint64_t busy_cycles = 0;                      // cycles the data bus carried data
  std::array<std::uint64_t, 24> read_latency_log2{};  // histogram: bucket b holds latencies in [2^b, 2^(b+1))

  // Inline: the fast mode records every read it places.
  void record_read_latency(std::uint64_t cycles) {
    read_latency_sum += cycles;
    const int b = cycles == 0 ? 0 : std::bit_width(cycles) - 1;
    ++read_latency_log2[static_cast<std::size_t>(b < 23 ? b : 23)];
  }
  // The latency below which a fraction q of the reads completed (bucket upper bound, in cycles).
  std::uint64_t read_latency_quantile(double q) const;
  DramStats& operator+=(const DramStats& o);
  // The events of a span extrapolated from a sample (this - base) to `columns` column accesses: reads,
  // writes and row events in the sample's proportions of those accesses (precharges = activates: the span
  // leaves the open rows as they were), the other fields (this - base) * factor, rounded.
  DramStats extrapolated(const DramStats& base, double factor, std::uint64_t columns) const;
};

}  // namespace sparsim::memory
