#pragma once
// `sparsim memtrace`: replays a request trace through the configured DRAM, with the semantics of
// DRAMSim3's standalone driver so figures are comparable: at most one request offered per memory cycle,
// in trace order, no earlier than its issue cycle, held while its channel's queue is full.
// Trace lines: `0xADDR READ|WRITE CYCLE` (hex byte address, issue cycle in memory cycles).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/memory/dram_spec.hpp"
#include "models/memory/dram_stats.hpp"

namespace sparsim::memory {

struct TraceRequest {
  std::uint64_t address = 0;
  bool write = false;
  i64 cycle = 0;
};

// Reads and checks a trace (malformed lines, unsorted cycles, addresses beyond the capacity): InputError
// with file:line. At most `max_requests` lines are accepted.
std::vector<TraceRequest> read_trace(const std::string& path, const DramSpec& spec, std::size_t max_requests);

struct ReplayResult {
  i64 cycles = 0;  // memory cycle at which the last request completed
  std::uint64_t requests = 0, bytes = 0;
  double avg_read_latency = 0, p99_read_latency = 0;  // memory cycles, arrival at the controller to data
  DramStats stats;
};

ReplayResult replay_detailed(const DramSpec& spec, const std::vector<TraceRequest>& trace);
ReplayResult replay_fast(const DramSpec& spec, const std::vector<TraceRequest>& trace);

nlohmann::json replay_json(const DramSpec& spec, const ReplayResult& r, const std::string& mode);

// The subcommand: sparsim memtrace [CONFIG] TRACE [--dramsim3-ini FILE] [--mode fast|detailed]
// [--set k=v]... [--out DIR]. Returns the exit status.
int memtrace_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace sparsim::memory
