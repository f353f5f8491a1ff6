// Registers "stc": a GPU-like machine with Sparse Tensor Cores (2:4) running the GEMMs of a training
// step dense and 2:4 sparse through CUTLASS/cuBLAS-style tiled kernels (see docs/stc.md).
#include <memory>
#include <stdexcept>
#include <string>

#include "models/stc/area.hpp"
#include "models/stc/gpu_top.hpp"
#include "models/stc/params.hpp"
#include "sim/accelerator.hpp"

namespace sparsim::stc {
namespace {

class StcAccelerator : public Accelerator {
 public:
  void elaborate(const RunContext& ctx) override {
    params_ = stc_params_from(ctx.config);
    top_ = std::make_unique<GpuTop>("stc", params_, ctx.mode, ctx.functional, ctx.seed, stc_jobs(ctx.step), ctx.gate,
                                    ctx.progress, ctx.baseline_gate);
    // The offload extension's DMA engines (the design's and the baseline's) share the HBM.
    if (ctx.device_memory) ctx.device_memory->dram = &top_->dram();
    if (ctx.baseline_memory) ctx.baseline_memory->dram = &top_->dram();
  }
  RunResults collect() override {
    // The controller records a job only when its kernel finished: a simulation that ran out of events
    // before the last one (a deadlock in the model) is an internal error, never a short report.
    if (top_->results().size() != top_->jobs_total())
      throw std::runtime_error("stc: the simulation stopped after " + std::to_string(top_->results().size()) + " of " +
                               std::to_string(top_->jobs_total()) + " jobs (a kernel never finished)");
    RunResults r;
    r.jobs = top_->results();
    r.clock_ghz = params_.clock_ghz;
    r.design_variant = "sparse";
    r.baseline_variant = "dense";
    r.extra["stc"] = {{"variants", {"sparse", "dense", "sparse-bp-dense"}},
                      {"sm_model", params_.sm_model == SmModel::All ? "all" : "representative"},
                      {"dtype", params_.dtype}};
    return r;
  }

 private:
  StcParams params_;
  std::unique_ptr<GpuTop> top_;
};

AcceleratorInfo stc_info() {
  AcceleratorInfo i;
  i.name = "stc";
  i.description =
      "GPU with 2:4 Sparse Tensor Cores: tiled GEMM kernels over SMs, shared memory, L2 and HBM (H200 by default)";
  i.params = stc_params();
  i.validate = [](const Config& cfg) { (void)stc_params_from(cfg); };
  i.make = [] { return std::make_unique<StcAccelerator>(); };
  i.winograd = true;
  i.variants = 3;  // sparse, dense, sparse-bp-dense
  i.inventory = stc_inventory;
  // Work (sim/run_budget.hpp): an op's cycles in each variant are its dense MACs over the SMs' tensor cores, or its
  // operands' and result's bytes over the DRAM's peak if more; the events per cycle are measured
  // (docs/reliability.md, "Bounded runs: --max-events").
  i.work_law = [](const Config& cfg) {
    const StcParams p = stc_params_from(cfg);
    const double peak = static_cast<double>(p.machine.sms) * static_cast<double>(p.machine.tc_macs_per_cycle);
    // Events per estimated cycle, measured (scripts/measure_work.py): fast 0.13-0.54. Detailed mode's time
    // follows the output elements more than the cycles: 0.06-0.23 us per output element and variant.
    return WorkLaw{.peak_macs_per_cycle = peak,
                   .dram_bytes_per_cycle = p.dram.peak_gbps() / p.clock_ghz,
                   .bytes_per_element = 2,
                   .detailed_events_per_cycle = 0,
                   .fast_events_per_cycle = 0.3,
                   .events_per_job = 100,
                   .detailed_events_per_output = 0.25,
                   // The standard algorithm's two kernels per step (FF: GEMM + cell; BP: cell + GEMM).
                   .serial_step_cycles = 2.0 * static_cast<double>(p.launch_cycles),
                   .reuse_identical_gemms = p.reuse_identical_gemms,
                   .reuse_min_cycles = static_cast<double>(p.reuse_min_cycles)};
  };
  return i;
}

}  // namespace

SPARSIM_REGISTER_ACCELERATOR(stc_info());

}  // namespace sparsim::stc
