// Registers the "scnn" accelerator: SCNN (Parashar et al., ISCA 2017) with its DCNN and DCNN-opt baselines
// simulated side by side in the same run (docs/scnn.md).
#include <memory>
#include <string>

#include "models/scnn/controller.hpp"
#include "models/scnn/params.hpp"
#include "models/scnn/summary.hpp"
#include "sim/accelerator.hpp"
#include "sim/energy.hpp"

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

}  // namespace

SPARSIM_REGISTER_ACCELERATOR((AcceleratorInfo{"scnn",
                                              "SCNN (PT-IS-CP-sparse, ISCA 2017) with its DCNN and DCNN-opt dense "
                                              "baselines, FF (the paper) and BP (sparsim extension)",
                                              scnn_param_specs(), validate_scnn,
                                              [] { return std::unique_ptr<Accelerator>(new ScnnAccelerator()); }, false}));

}  // namespace sparsim::scnn
