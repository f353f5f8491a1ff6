#include "sim/run_budget.hpp"

#include <algorithm>

#include "sim/errors.hpp"
#include "sim/text/numbers.hpp"

namespace sparsim {

RunBudget estimate_run(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step) {
  RunBudget b;
  b.jobs = static_cast<std::uint64_t>(step.ops.size()) * static_cast<std::uint64_t>(std::max(1, info.variants));
  b.report_bytes = b.jobs * kReportBytesPerJob;
  if (info.workload_bytes) b.model_bytes = info.workload_bytes(cfg, step);
  return b;
}

void check_run_budget(const Config& cfg, const RunBudget& b) {
  const auto limit = static_cast<std::uint64_t>(cfg.i64("run.max_memory_mb")) << 20;
  if (b.total() <= limit) return;
  auto mib = [](std::uint64_t bytes) { return group_digits(bytes >> 20) + " MiB"; };
  std::string what;
  if (b.report_bytes >= b.model_bytes)
    what = "its report (" + group_digits(b.jobs) + " jobs, about " + mib(b.report_bytes) +
           "): simulate fewer layers or phases (workload.layers, workload.phases)";
  else
    what = "the model's workload data (about " + mib(b.model_bytes) +
           ", e.g. mask bitmaps): simulate fewer layers (workload.layers) or a smaller batch (workload.batch)";
  const std::string message = "the run would need about " + mib(b.total()) + ", more than the limit of " + mib(limit) +
                              "; most of it is " + what + ", or raise --max-memory";
  // The default limit has no place in a file to point at: name the key alone.
  if (cfg.origin("run.max_memory_mb") == "default") throw InputError("run.max_memory_mb: " + message);
  cfg.fail("run.max_memory_mb", message);
}

}  // namespace sparsim
