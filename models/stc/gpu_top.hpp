#pragma once
// The whole GPU: the HBM (shared DRAM model) and the L2 server shared by all SMs, the SMs (all of them, or one
// representative SM per wave), and the controller that runs the jobs (op x variant) one after another as kernel
// launches and records a JobResult for each.
#include <systemc>

#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "models/memory/dram_module.hpp"
#include "models/stc/hbm_station.hpp"
#include "models/stc/job.hpp"
#include "models/stc/params.hpp"
#include "models/stc/rnn_kernels.hpp"
#include "models/stc/server.hpp"
#include "models/stc/sm.hpp"
#include "sim/accelerator.hpp"
#include "sim/result.hpp"

namespace sparsim {
class Timeline;
}

namespace sparsim::stc {

struct StcJob {
  std::size_t op_index = 0;
  GemmOp op;
  std::string variant;
  bool sparse = false;        // runs on the 2:4 sparse kernel
  bool transposable = false;  // the weight's mask is the transposable 2:4 one (FF and BP both sparse)
  bool design = false;        // job of the design variant (the JobGate sees these)
};

// Variants: "sparse" (design: FF and BP sparse with a transposable mask, WU dense), "dense" (baseline),
// "sparse-bp-dense" (FF sparse, BP falls back to dense). Ops whose pattern is not 2:4-compatible run dense.
std::vector<StcJob> stc_jobs(const TrainingStep& step);
// True when every aligned group of 4 along K is guaranteed to hold at most 2 non-zeros.
bool fits_24(const NMPattern& nm);

class GpuTop : public sc_core::sc_module {
 public:
  GpuTop(const sc_core::sc_module_name& name, const StcParams& params, TimingMode mode, bool functional,
         std::uint64_t seed, std::vector<StcJob> jobs, JobGate* gate, Progress* progress,
         JobGate* baseline_gate = nullptr);
  const std::vector<JobResult>& results() const { return results_; }
  std::size_t jobs_total() const { return jobs_.size(); }
  const gemm::KernelPlan& plan_for(const gemm::GemmShape& g);
  memory::DramModule& dram() { return *dram_; }

 private:
  // Stall tallies of the kernels of one job, per CTA slot (cycles).
  struct KernelStalls {
    std::uint64_t operand_wait = 0, smem_bound = 0, epilogue = 0, tail = 0;
    std::uint64_t launch = 0;     // the launch cost of every kernel (accelerator.kernel.launch_ns)
    std::uint64_t pointwise = 0;  // element-wise kernels of recurrent layers, less their launch
    std::uint64_t grid_sync = 0;  // persistent kernels' grid-wide synchronizations
  };
  void control();
  void launch_kernel(KernelStalls& s);
  // One GEMM kernel to completion (main loop, split-K reduction). t_main: when the main loop ended;
  // t_launched: when the launch cost was paid and the CTAs started.
  void run_gemm(const gemm::GemmShape& g, KernelStalls& s, std::uint64_t* t_main, std::uint64_t* t_launched);
  // One element-wise kernel moving these bytes through the L2 (docs/rnn.md).
  void run_pointwise(std::int64_t read_bytes, std::int64_t write_bytes, KernelStalls& s);
  // The algorithm a recurrent job runs (why: set when a persistent one was wanted but did not fit).
  RnnAlgorithm rnn_algorithm(const StcJob& sj, std::string& why) const;
  // One persistent recurrent kernel: weights loaded once, then per step and batch tile a grid-wide
  // synchronization, the gather of the vector the step depends on, the multiply, the write-back.
  void run_persistent(const RnnKernel& k, KernelStalls& s);
  // Where the persistent kernels' resident weights and the element-wise kernels' buffers lie in the HBM:
  // regions of their own, above the GEMM operands (OperandLayout places those from address 0).
  static constexpr std::uint64_t kPersistentWeightsBase = std::uint64_t{1} << 36;
  static constexpr std::uint64_t kRecurrentBuffersBase = std::uint64_t{3} << 35;
  // A recurrent layer's phase as its kernel sequence (models/stc/rnn_kernels.hpp).
  void run_rnn(const StcJob& sj, KernelStalls& s, nlohmann::ordered_json& mapping);
  void draw_job(Timeline& tl, const StcJob& sj, std::uint64_t t_gate, std::uint64_t t0, std::uint64_t t_main,
                std::uint64_t t1);
  StcParams params_;
  bool functional_;
  std::uint64_t seed_;
  std::vector<StcJob> jobs_;
  JobGate* gate_;
  JobGate* baseline_gate_;
  Progress* progress_;
  StatGroup tc_stats_{"tensor_core"}, smem_stats_{"smem"}, rf_stats_{"rf"}, noc_stats_{"l2_port"}, l2_stats_{"l2"};
  SmCounters sm_counters_{};
  Counter *l2_read_, *l2_write_, *l2_busy_;
  StatsRegistry registry_;
  JobContext job_;
  std::unique_ptr<Server> l2_;
  std::unique_ptr<memory::DramModule> dram_;
  std::unique_ptr<HbmStation> hbm_;
  std::vector<std::unique_ptr<Sm>> sms_;
  Transfer reduce_;
  // Runs one transfer through the HBM alone (split-K partials and output) and waits for it.
  void hbm_transfer(const Blocks& blocks);
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, bool>, gemm::KernelPlan> plans_;
  std::vector<JobResult> results_;
  // Fast mode (accelerator.sim.reuse_identical_gemms): GEMM jobs already simulated, by shape, sparsity and
  // mask; a later identical job takes the first one's cycles, counters, stalls and mapping.
  using GemmKey = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, bool, bool>;
  struct GemmMemo {
    std::size_t job = 0;  // the simulated job
    JobResult result;     // its cycles (no gate wait: gated jobs are never reused), counters, stalls, mapping
  };
  bool reuse_gemms_ = false;
  std::map<GemmKey, GemmMemo> gemm_memo_;
  // The Winograd transforms on the CUDA cores, only when some op was lowered with Winograd.
  std::unique_ptr<transform::TransformUnit> transform_;
};

}  // namespace sparsim::stc
