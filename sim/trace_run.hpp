#pragma once
// `sparsim run CONFIG --workload TRACE_DIR`: simulates a recorded training run (a trace written by
// `sparsim workloads capture`, docs/workloads.md) step by step. Each simulated record is the trace's
// network with that record's weight masks (the real bitmaps), activation and gradient densities and
// training phase (DSD's dense phases dense), run as one training step in a child process (SystemC
// elaborates one design per process). Records beyond workload.trace.max_records are sampled evenly; each
// simulated record stands for the recorded steps up to the next simulated one, and the run's totals are
// those weighted sums (the report says so).
#include <cstdint>
#include <ostream>
#include <vector>

#include "sim/accelerator.hpp"
#include "sim/config/config.hpp"
#include "sim/run.hpp"
#include "workloads/training_trace.hpp"

namespace sparsim {

// Whether workload.network names a training trace directory.
bool is_trace_workload(const Config& cfg);

// One record to simulate and the training steps it stands for.
struct TraceSample {
  std::size_t record = 0;
  std::int64_t steps = 1;
};

// All records when max_records is 0 or covers them, else max_records evenly spaced ones (the first and
// the last always); their `steps` add up to the trace's steps.
std::vector<TraceSample> sample_trace_records(const TrainingTrace& trace, std::int64_t max_records);

// The trace's network with one record's sparsity: weight masks (FF and BP files), densities, and dense
// weights where the record has no mask (DSD's dense phases, layers the method leaves dense).
Network trace_record_network(const TrainingTrace& trace, const TraceRecord& record);

int run_trace(const RunRequest& request, const Config& cfg, const AcceleratorInfo& info, std::ostream& out);

}  // namespace sparsim
