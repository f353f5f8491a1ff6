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

DramStats DramStats::extrapolated(const DramStats& base, double factor) const {
  auto f = [&](std::uint64_t now, std::uint64_t then) {
    return static_cast<std::uint64_t>(static_cast<double>(now - then) * factor + 0.5);
  };
  DramStats d;
  d.reads = f(reads, base.reads);
  d.writes = f(writes, base.writes);
  d.row_hits = f(row_hits, base.row_hits);
  d.row_misses = f(row_misses, base.row_misses);
  d.row_conflicts = f(row_conflicts, base.row_conflicts);
  d.activates = f(activates, base.activates);
  d.precharges = f(precharges, base.precharges);
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
