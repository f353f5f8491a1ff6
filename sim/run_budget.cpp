#include "sim/run_budget.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include "sim/alloc_guard.hpp"
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

OpWork op_work(const GemmOp& op, int variants_count, TimingMode mode, const WorkLaw& law) {
  double per_variant = std::max(1.0, std::ceil(static_cast<double>(op.macs()) / law.peak_macs_per_cycle));
  if (law.dram_bytes_per_cycle > 0) {
    const double elements = static_cast<double>(op.instances) * (static_cast<double>(op.M) * static_cast<double>(op.K) +
                                                                 static_cast<double>(op.K) * static_cast<double>(op.N) +
                                                                 static_cast<double>(op.M) * static_cast<double>(op.N));
    per_variant = std::max(per_variant, std::ceil(elements * law.bytes_per_element / law.dram_bytes_per_cycle));
  }
  if (op.rnn && law.serial_step_cycles > 0 && op.phase != Phase::WU) {
    const RnnSpec& s = op.rnn->spec;
    const double hidden = static_cast<double>(s.hidden);
    const double weights = rnn_gates(s.cell) * hidden * hidden * law.bytes_per_element;  // W_h, per step
    const double reads = law.dram_bytes_per_cycle > 0 ? weights / law.dram_bytes_per_cycle : 0;
    per_variant += static_cast<double>(s.steps) * (law.serial_step_cycles + reads);
  }
  const double variants = std::max(1, variants_count);
  const double per_cycle = mode == TimingMode::Detailed ? law.detailed_events_per_cycle : law.fast_events_per_cycle;
  OpWork w;
  w.cycles = variants * per_variant;
  w.events = variants * law.events_per_job + w.cycles * per_cycle;
  if (mode == TimingMode::Detailed)
    w.events += variants * law.detailed_events_per_output * static_cast<double>(op.instances) *
                static_cast<double>(op.M) * static_cast<double>(op.N);
  return w;
}

WorkBudget estimate_work(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step) {
  WorkBudget w;
  w.detailed = cfg.str("run.mode") == "detailed";
  w.batch = step.batch;
  if (!info.work_law) return w;
  w.estimated = true;
  const WorkLaw law = info.work_law(cfg);
  const TimingMode mode = w.detailed ? TimingMode::Detailed : TimingMode::Fast;
  // Ops a fast-mode model reuses (WorkLaw::reuse_identical_gemms) cost their jobs' bookkeeping only.
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, bool, int, int, bool>> seen;
  for (const GemmOp& op : step.ops) {
    OpWork o = op_work(op, info.variants, mode, law);
    if (law.reuse_identical_gemms && mode == TimingMode::Fast && !op.rnn &&
        o.cycles >= std::max(1, info.variants) * law.reuse_min_cycles &&
        op.transform_adds + op.transform_const_mults == 0 &&
        !seen.emplace(op.M, op.N, op.K, op.instances, op.a_is_weight, op.a_nm.n, op.a_nm.m, op.phase == Phase::WU)
             .second)
      o.events = std::max(1, info.variants) * law.events_per_job;
    w.cycles += o.cycles;
    w.events += o.events;
    if (o.events > w.biggest_events) {
      w.biggest_events = o.events;
      w.biggest_op = op.layer;
      w.biggest_op += " ";
      w.biggest_op += phase_name(op.phase);
    }
  }
  return w;
}

void check_work_budget(const Config& cfg, const WorkBudget& w) {
  const std::int64_t limit = cfg.i64("run.max_events");
  if (limit == 0 || !w.estimated || w.events <= static_cast<double>(limit)) return;
  // (Capped below 2^64: an absurd input's estimate still prints.)
  const auto whole = [](double v) { return group_digits(static_cast<std::uint64_t>(std::min(v + 0.5, 1.8e19))); };
  std::string message = "the run would take about ";
  message += whole(w.events);
  message += " events (";
  message += whole(w.cycles);
  message += " simulated cycles, ";
  message += w.detailed ? "detailed" : "fast";
  message += " mode), more than the limit of ";
  message += whole(static_cast<double>(limit));
  message += "; the biggest op is ";
  message += w.biggest_op;
  message += " (";
  message += format_number("%.0f", 100.0 * w.biggest_events / w.events);
  message += "% of it) at batch ";
  message += std::to_string(w.batch);
  message += ": reduce workload.batch, simulate fewer layers or phases (workload.layers, workload.phases)";
  if (w.detailed) message += ", use --mode fast";
  message += ", or raise --max-events";
  // The default limit has no place in a file to point at: name the key alone.
  if (cfg.origin("run.max_events") == "default") throw InputError("run.max_events: " + message);
  cfg.fail("run.max_events", message);
}

void check_run_budgets(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step) {
  // The same limit bounds every workload-sized allocation the models make while they run.
  set_allocation_limit(static_cast<std::uint64_t>(cfg.i64("run.max_memory_mb")) << 20);
  check_run_budget(cfg, estimate_run(cfg, info, step));
  check_work_budget(cfg, estimate_work(cfg, info, step));
}

}  // namespace sparsim
