#pragma once
// The SAT-style accelerator as one SystemC design: a controller thread that sequences jobs and drives
// the PE array tile by tile, a loader thread (DMA) that fetches the next GLB tile into the free half of
// the double-buffered GLB, a store thread that drains finished output blocks from the accumulator
// buffer, the DRAM channel and the mask unit. They interact only through sc_fifo tokens (free GLB
// halves, loaded tiles, free accumulator halves, stores) and the DRAM queue, so load, compute, store and
// mask generation overlap exactly as far as those resources allow.
#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include <systemc>

#include "dataflows/sat/sat_mapper.hpp"
#include "models/memory/dram_module.hpp"
#include "models/sat/mask_unit.hpp"
#include "models/sat/pe_array.hpp"
#include "models/transform/transform_unit.hpp"
#include "sim/accelerator.hpp"

namespace sparsim::sat {

struct Job {
  std::size_t op_index = 0;
  const GemmOp* op = nullptr;
  bool design = false;  // the sparse variant (gated, masks regenerated)
  std::string variant;
  Problem problem;
  Mapping mapping;
  bool mask_after = false;   // the mask unit takes `mask` once the job is done (pre-generation)
  bool mask_before = false;  // the job waits for the mask unit to do `mask` first (on demand)
  MaskJob mask;
  i64 store_base = 0;  // stores completed before the job began
  JobResult result;
};

class SatTop : public sc_core::sc_module {
 public:
  SatTop(sc_core::sc_module_name name, const RunContext& ctx, const Hw& hw, std::vector<Job> jobs);
  std::vector<Job>& jobs() { return jobs_; }
  i64 mask_cycles_total() const { return mask_cycles_; }
  // The Winograd transform unit, present only when some op was lowered with Winograd (so direct runs
  // report exactly the blocks they always did).
  const transform::TransformUnit* transform_unit() const { return transform_.get(); }
  // Closes the waveform file (if any) when the run has ended; an InputError when the trace window
  // began after the run's last cycle (the file is then removed).
  void finish_waves();

 private:
  void control();
  void loader();
  void storer();
  void run_job(Job& j);
  void check_masks(Job& j);
  // Detailed functional runs: hands the mask unit the layer's W to rank (MaskJob::values), and, once the run
  // is over, compares both masks its lanes produced with a sort of every group.
  void attach_mask_values(Job& j) const;
  void check_mask_values(Job& j);
  const Layer* layer_of(const Job& j) const;
  // A layer's W is drawn from a seed per conv group (instance); group 0's is the layer's seed.
  static constexpr std::uint64_t kInstanceSeedStride = 0x9E3779B97F4A7C15ULL;
  std::uint64_t weight_seed(const Job& j, i64 group = 0) const;
  std::function<double(i64, i64)> layer_weights(const Job& j, i64 group = 0) const;
  // Group `group`'s W of the job's layer (empty when the job's A is not a layer's weights).
  LayerWeights group_weights(const Job& j, i64 group) const;

  struct Store {
    memory::DramModule::Block block;
    // sc_fifo's print() needs it.
    friend std::ostream& operator<<(std::ostream& os, const Store& s) { return os << s.block.base; }
  };
  // Where an op's operands live in DRAM (row-major; see docs/sat.md, "DRAM layout").
  struct Layout {
    std::uint64_t a = 0, b = 0, c = 0;  // bases
    std::uint64_t a_pitch = 0, b_pitch = 0, c_pitch = 0, out_pitch = 0;
  };
  Layout layout(const Job& j, i64 instance) const;

  const RunContext& ctx_;
  Hw hw_;
  std::vector<Job> jobs_;
  StatsRegistry registry_;
  memory::DramModule dram_;
  MaskUnit mask_;
  PeArray pe_;
  sc_core::sc_fifo<Job*> loader_jobs_;
  sc_core::sc_fifo<i64> ready_;
  sc_core::sc_fifo<int> free_slots_;
  sc_core::sc_fifo<int> obuf_free_;
  sc_core::sc_fifo<Store> store_q_;
  i64 stores_done_ = 0;
  sc_core::sc_event store_done_;
  i64 mask_cycles_ = 0;
  std::unique_ptr<ArrayWaves> waves_;
  std::unique_ptr<transform::TransformUnit> transform_;
  // Fast mode (accelerator.sim.reuse_identical_gemms): the array part of jobs already simulated, by variant,
  // problem (shape, N:M pattern, DRAM fractions: so its operands lie at the same addresses) and what the mask
  // unit was doing when the job began. A later identical job takes the first one's cycles and counters for
  // that part; its mask submission and the end-of-step wait still run.
  struct JobMemo {
    std::size_t job = 0;  // the simulated job
    i64 cycles = 0;       // from the job's start to the end of its array part
    std::vector<CounterSample> counters;
  };
  using JobKey = std::tuple<bool, Problem, std::vector<i64>>;
  bool reuse_jobs_ = false;
  i64 reuse_min_cycles_ = 0;
  std::map<JobKey, JobMemo> job_memo_;
};

}  // namespace sparsim::sat
