#pragma once
// Memory a run will need, estimated before anything is elaborated, and the limit it must stay under
// (run.max_memory_mb, `--max-memory MiB`). The estimate has two parts, each measured rather than guessed
// (docs/reliability.md, "Bounded runs"): the report, built in memory as JSON before it is written (about
// kReportBytesPerJob per job: ops x the model's variants), and what the model itself holds that grows with
// the workload (AcceleratorInfo::workload_bytes: SCNN's mask bitmaps, for example). A run beyond the limit
// is an input error that names the biggest part and how to shrink it.
#include <cstdint>
#include <string>

#include "sim/accelerator.hpp"

namespace sparsim {

// Measured: 1.75 GB peak for 60,000 jobs of a 10,000-layer fc network on sat (report.json 155 MB).
inline constexpr std::uint64_t kReportBytesPerJob = 32 * 1024;
// The simulator, its libraries and one model's fixed structure (measured: 60-170 MB for the shipped configs).
inline constexpr std::uint64_t kBaseBytes = 256ULL << 20;

struct RunBudget {
  std::uint64_t jobs = 0;
  std::uint64_t report_bytes = 0;
  std::uint64_t model_bytes = 0;
  std::uint64_t total() const { return kBaseBytes + report_bytes + model_bytes; }
};

RunBudget estimate_run(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step);
// Throws an InputError (key run.max_memory_mb) when the estimate exceeds the limit.
void check_run_budget(const Config& cfg, const RunBudget& budget);

}  // namespace sparsim
