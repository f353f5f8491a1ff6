// Registers the "scnn" accelerator: SCNN (Parashar et al., ISCA 2017) with its DCNN and DCNN-opt baselines
// simulated side by side in the same run (docs/scnn.md).
#include <algorithm>
#include <memory>
#include <string>

#include "models/scnn/area.hpp"
#include "models/scnn/controller.hpp"
#include "models/scnn/params.hpp"
#include "models/scnn/summary.hpp"
#include "sim/accelerator.hpp"
#include "sim/energy.hpp"
#include "workloads/layer_masks.hpp"

namespace sparsim::scnn {
namespace {

class ScnnAccelerator : public Accelerator {
 public:
  void elaborate(const RunContext& ctx) override {
    ctx_ = &ctx;
    params_ = scnn_params(ctx.config);
    // Several instances may share one elaboration (tests compare timing modes side by side).
    static int instances = 0;
    const std::string name = instances++ == 0 ? "scnn" : "scnn_" + std::to_string(instances - 1);
    top_ = std::make_unique<ScnnTop>(name.c_str(), ctx, params_, plan_ops(ctx.step, params_));
  }

  RunResults collect() override {
    RunResults r;
    r.jobs = top_->jobs();
    r.clock_ghz = params_.clock_ghz;
    r.design_variant = "scnn";
    r.baseline_variant = "dcnn";
    const EnergyTable table =
        EnergyTable::load(ctx_->config.resolved_path("energy.table"), ctx_->config.f64("energy.scale"));
    nlohmann::ordered_json s = summarize(r.jobs, top_->plans(), ctx_->step, table);
    r.extra["summary_lines"] = s["summary_lines"];
    r.extra["ideal_speedup_bound"] = s["ideal_speedup_step"];
    const bool bp = s.contains("phases");
    r.extra["ideal_speedup_formula"] =
        bp ? "dense MACs / non-zero products (weight x activation density; BP: weight x output-gradient density; "
             "WU: output-gradient x activation density), all layers and phases"
           : "dense MACs / non-zero products (weight x activation density), all layers";
    s.erase("summary_lines");
    r.extra["scnn"] = s;
    return r;
  }

 private:
  const RunContext* ctx_ = nullptr;
  ScnnParams params_;
  std::unique_ptr<ScnnTop> top_;
};

// What grows with the workload (sim/run_budget.hpp): OperandMasks keeps each layer's weight mask (FF, and BP
// when the step has BP) and every image's input and output masks for the run; a mask is generated from one
// float per weight; an op's LayerData holds its group's masks and, in functional runs, 16-bit values.
std::uint64_t scnn_workload_bytes(const Config& cfg, const TrainingStep& step) {
  std::uint64_t held = 0, largest = 0;
  bool bp = false;
  for (const auto& op : step.ops) bp = bp || op.phase == Phase::BP;
  auto count = [](const std::vector<std::int64_t>& shape) {
    std::uint64_t n = 1;
    for (auto d : shape) n *= static_cast<std::uint64_t>(d);
    return shape.empty() ? 0 : n;
  };
  const auto batch = static_cast<std::uint64_t>(step.batch);
  for (const auto& l : step.network.layers) {
    if (!OperandMasks::covers(l)) continue;
    const std::uint64_t w = count(weight_mask_shape(l)), a = count(activation_mask_shape(l)),
                        o = count(gradient_mask_shape(l));
    held += w / 8 * (bp ? 2 : 1) + batch * (a + o) / 8;
    largest = std::max(largest, 4 * w + (cfg.boolean("run.functional") ? 2 * (w + a + o) : 0));
  }
  return held + largest;
}

AcceleratorInfo scnn_info() {
  AcceleratorInfo i;
  i.name = "scnn";
  i.description =
      "SCNN (PT-IS-CP-sparse, ISCA 2017) with its DCNN and DCNN-opt dense baselines, FF (the paper) and BP "
      "(sparsim extension)";
  i.params = scnn_param_specs();
  i.validate = validate_scnn;
  i.make = [] { return std::unique_ptr<Accelerator>(new ScnnAccelerator()); };
  i.variants = 3;
  // Its PEs multiply every non-zero weight with every non-zero input activation of a tile and scatter the
  // products to output coordinates (i - r, j - s): that is the spatial convolution's product set, which has
  // no element-wise Winograd-domain product to run, and transformed tiles have no coordinates to scatter to.
  i.no_winograd_why =
      "its Cartesian-product datapath multiplies spatial weights with spatial activations and scatters the "
      "products by coordinate; Winograd's element-wise products of transformed tiles do not map onto it";
  i.workload_bytes = scnn_workload_bytes;
  i.inventory = scnn_inventory;
  // Work (sim/run_budget.hpp): an op's cycles in each variant are its dense MACs over the PE grid's multipliers, or its
  // operands' and result's bytes over the DRAM's peak if more; the events per cycle are measured
  // (docs/reliability.md, "Bounded runs: --max-events").
  i.work_law = [](const Config& cfg) {
    const ScnnParams p = scnn_params(cfg);
    const double peak = static_cast<double>(p.grid.pe_rows * p.grid.pe_cols * p.grid.F * p.grid.I);
    // Events per estimated cycle, measured (scripts/measure_work.py): detailed 1.9, fast 0.52-1.22 (the fast
    // mode still scatters every product and generates every mask).
    return WorkLaw{.peak_macs_per_cycle = peak,
                   .dram_bytes_per_cycle = p.dram.peak_gbps() / p.clock_ghz,
                   .bytes_per_element = 2,
                   .detailed_events_per_cycle = 2,
                   .fast_events_per_cycle = 1.2,
                   .events_per_job = 100};
  };
  return i;
}

}  // namespace

SPARSIM_REGISTER_ACCELERATOR(scnn_info());

}  // namespace sparsim::scnn
