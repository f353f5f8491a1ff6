#include "models/memory/dram_stats.hpp"

namespace sparsim::memory {

std::uint64_t DramStats::read_latency_quantile(double q) const {
  if (reads == 0) return 0;
  const double target = q * static_cast<double>(reads);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < read_latency_log2.size(); ++b) {
    seen += read_latency_log2[b];
    if (static_cast<double>(seen) >= target) return (std::uint64_t{2} << b) - 1;
  }
  return (std::uint64_t{2} << 23) - 1;
}

DramStats DramStats::extrapolated(const DramStats& base, double factor, std::uint64_t columns) const {
  auto f = [&](std::uint64_t now, std::uint64_t then) {
    return static_cast<std::uint64_t>(static_cast<double>(now - then) * factor + 0.5);
  };
  // part / whole of n, rounded (128-bit: n * part may not fit in 64).
  auto share = [](std::uint64_t n, std::uint64_t part, std::uint64_t whole) -> std::uint64_t {
    if (whole == 0) return 0;
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(n) * part + whole / 2) / whole);
  };
  DramStats d;
  // Row events follow from the span's column accesses in the sample's proportions, so they keep the
  // counts' identities: hits + misses + conflicts = reads + writes, activates = misses + conflicts. The
  // span leaves the banks' open rows as they were (the channel's advance()), so it closes as many rows
  // as it opens: precharges = activates. (Scaling each field on its own did not: a refresh inside the
  // sample closes every bank, and the sample's extra precharges, times the factor, came out thousands
  // above the activates.)
  const std::uint64_t s_reads = reads - base.reads, s_cols = s_reads + (writes - base.writes);
  const std::uint64_t s_conflicts = row_conflicts - base.row_conflicts;
  const std::uint64_t s_opens = (row_misses - base.row_misses) + s_conflicts;
  d.reads = share(columns, s_reads, s_cols);
  d.writes = columns - d.reads;
  d.activates = share(columns, s_opens, s_cols);
  d.row_conflicts = share(d.activates, s_conflicts, s_opens);
  d.row_misses = d.activates - d.row_conflicts;
  d.row_hits = columns - d.activates;
  d.precharges = d.activates;
  d.refreshes = f(refreshes, base.refreshes);
  d.read_latency_sum = f(read_latency_sum, base.read_latency_sum);
  d.queue_occupancy_sum = f(queue_occupancy_sum, base.queue_occupancy_sum);
  d.busy_cycles = f(busy_cycles, base.busy_cycles);
  for (std::size_t b = 0; b < read_latency_log2.size(); ++b)
    d.read_latency_log2[b] = f(read_latency_log2[b], base.read_latency_log2[b]);
  return d;
}

DramStats& DramStats::operator+=(const DramStats& o) {
  reads += o.reads;
  writes += o.writes;
  row_hits += o.row_hits;
  row_misses += o.row_misses;
  row_conflicts += o.row_conflicts;
  activates += o.activates;
  precharges += o.precharges;
  refreshes += o.refreshes;
  read_latency_sum += o.read_latency_sum;
  queue_occupancy_sum += o.queue_occupancy_sum;
  busy_cycles += o.busy_cycles;
  for (std::size_t b = 0; b < read_latency_log2.size(); ++b) read_latency_log2[b] += o.read_latency_log2[b];
  return *this;
}

}  // namespace sparsim::memory
