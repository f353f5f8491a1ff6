#pragma once
// The top of the SCNN model: the three variants (scnn, dcnn, dcnn-opt), each with its own PE grid, DRAM
// channel, drain unit and counters, and one controller thread that runs every FF, BP and WU op on each variant in
// turn (the variants never overlap in simulated time; each job's cycles are its own).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/memory/dram_module.hpp"
#include "models/scnn/blocks.hpp"
#include "models/scnn/dense_grid.hpp"
#include "models/scnn/operand_masks.hpp"
#include "models/scnn/params.hpp"
#include "models/scnn/scnn_stats.hpp"
#include "models/scnn/sparse_grid.hpp"
#include "sim/accelerator.hpp"

namespace sparsim::scnn {

// One FF or BP op as it will run: the convolution, its densities and the mappings of both dataflows. A BP op
// runs the transposed convolution of bp_data.hpp, a WU op the forward geometry with dY streamed against X
// (sparse_grid.hpp); `fwd_shape` and `fwd_densities` regenerate the forward operands (same seeds as FF).
struct OpPlan {
  std::size_t op_index = 0;
  const GemmOp* op = nullptr;
  Phase phase = Phase::FF;
  ConvShape shape;
  ConvShape fwd_shape;
  Densities fwd_densities;
  double gradient_density = 1.0;  // BP, WU: requested density of dY
  // Non-zero fraction of the input-stationary operand before BP's dilation (FF: the input activations; BP:
  // dY): weights x this = expected non-zero products / dense MACs, the inverse of the ideal bound.
  double operand_density = 1.0;
  std::int64_t instances = 1;
  Densities densities;
  PlaneMapping mapping[2];  // [0] sparse (SCNN), [1] dense (DCNN, DCNN-opt)
  bool from_dram[2] = {true, true}, spill_out[2] = {true, true};
};

std::vector<OpPlan> plan_ops(const TrainingStep& step, const ScnnParams& p);

inline constexpr const char* kVariants[3] = {"scnn", "dcnn", "dcnn-opt"};

// One design of the comparison, with its own DRAM. Its weights, input activations and output activations
// stream from three regions a quarter of the memory apart, each transfer at its stream's next address.
struct Variant {
  Variant(const std::string& name, const ScnnParams& p, TimingMode mode, int index);
  enum class Stream { Weights, ActIn, ActOut };
  // `on_done` (may be empty) gets the completion time (the timeline's transfers).
  std::shared_ptr<memory::DramModule::Transfer> submit(Stream s, std::uint64_t bytes,
                                                       memory::DramModule::DoneCallback on_done = {});
  std::string name;
  VariantStats stats;
  StatsRegistry registry;
  memory::DramModule dram;
  std::uint64_t cursor[3] = {0, 0, 0};
  DrainUnit drain;
  std::unique_ptr<SparseGrid> sparse;
  std::unique_ptr<DenseGrid> dense;
};

class ScnnTop : public sc_core::sc_module {
 public:
  ScnnTop(sc_core::sc_module_name name, const RunContext& ctx, const ScnnParams& p, std::vector<OpPlan> plans);
  const std::vector<JobResult>& jobs() const { return jobs_; }
  const std::vector<OpPlan>& plans() const { return plans_; }

 private:
  void run();
  template <typename Grid>
  void run_instance(Variant& v, Grid& grid, const OpPlan& plan, const LayerData& data, int df,
                    std::map<std::string, std::uint64_t>& stalls);
  const RunContext& ctx_;
  ScnnParams p_;
  std::vector<OpPlan> plans_;
  std::vector<std::unique_ptr<Variant>> variants_;
  std::vector<JobResult> jobs_;
  OperandMasks masks_;           // the network's masks, shared by the three variants
  const Mask* wu_dy_ = nullptr;  // the gradient of the WU instance being run (nullptr otherwise)
};

}  // namespace sparsim::scnn
