#pragma once
// Memory a run will need, estimated before anything is elaborated, and the limit it must stay under
// (run.max_memory_mb, `--max-memory MiB`). The estimate has two parts, each measured rather than guessed
// (docs/reliability.md, "Bounded runs"): the report, built in memory as JSON before it is written (about
// kReportBytesPerJob per job: ops x the model's variants), and what the model itself holds that grows with
// the workload (AcceleratorInfo::workload_bytes: SCNN's mask bitmaps, for example). A run beyond the limit
// is an input error that names the biggest part and how to shrink it. The work a run will take is bounded
// the same way (run.max_events, `--max-events N`): estimate_work below.
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

// The work of a run (run.max_events, `--max-events N`), estimated before anything is elaborated from each
// op's AcceleratorInfo::op_work (docs/reliability.md, "Bounded runs: --max-events").
struct WorkBudget {
  bool estimated = false;  // false where the model has no op_work
  bool detailed = false;   // run.mode
  double cycles = 0;       // simulated cycles, every op in every variant
  double events = 0;
  std::string biggest_op;  // e.g. "conv1 BP": the op with the most events
  double biggest_events = 0;
  std::int64_t batch = 1;
};

// The work of simulating one op in every variant under a model's law.
struct OpWork {
  double cycles = 0;  // simulated cycles, summed over the variants
  double events = 0;
};
OpWork op_work(const GemmOp& op, int variants, TimingMode mode, const WorkLaw& law);

WorkBudget estimate_work(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step);
// Throws an InputError (key run.max_events) when the estimate exceeds the limit (0: no limit).
void check_work_budget(const Config& cfg, const WorkBudget& work);

RunBudget estimate_run(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step);
// Throws an InputError (key run.max_memory_mb) when the estimate exceeds the limit.
void check_run_budget(const Config& cfg, const RunBudget& budget);
// Both checks: the work first, then the memory.
void check_run_budgets(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step);

}  // namespace sparsim
