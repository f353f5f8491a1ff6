// Registers the SAT-style N:M sparse training accelerator ("sat"): the same hardware runs every op of
// the training step twice, in N:M mode (variant "sparse", the design) and in dense mode (variant
// "dense", the baseline). See docs/sat.md.
#include <algorithm>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include "models/sat/sat_area.hpp"
#include "models/sat/sat_params.hpp"
#include "models/sat/sat_top.hpp"
#include "sim/errors.hpp"

namespace sparsim::sat {

namespace {

class SatAccelerator : public Accelerator {
 public:
  void elaborate(const RunContext& ctx) override;
  RunResults collect() override;

 private:
  const RunContext* ctx_ = nullptr;
  Hw hw_;
  std::unique_ptr<SatTop> top_;
};

// The N:M pattern the array executes for an op in a variant; checks it against the index hardware.
Nm executed_nm(const Config& cfg, const Hw& hw, const GemmOp& op, bool sparse) {
  if (!sparse || !op.a_is_weight || !op.a_nm.active()) return {};
  const Nm nm{op.a_nm.n, op.a_nm.m};
  if (nm.m > hw.max_m)
    cfg.fail("accelerator.array.max_m", "layer " + op.layer + " uses M = " + std::to_string(nm.m) +
                                            ", more than the PE index hardware selects from");
  if (hw.pe_multipliers % nm.n != 0)
    cfg.fail("accelerator.array.pe_multipliers", "layer " + op.layer + " uses N = " + std::to_string(nm.n) +
                                                     ", which does not divide the multipliers per PE");
  return nm;
}

// Size of a conv's input tensor over the size of its im2col matrix (1 for other layers): how much of
// the lowered B (FF, WU) or of the lowered output (BP) actually travels to and from DRAM.
double tensor_fraction(const TrainingStep& step, const GemmOp& op) {
  if (op.layer_index < 0 || static_cast<std::size_t>(op.layer_index) >= step.network.layers.size()) return 1.0;
  const Layer& l = step.network.layers[static_cast<std::size_t>(op.layer_index)];
  if (l.kind != LayerKind::Conv) return 1.0;
  const double tensor =
      static_cast<double>(l.cin / l.groups) * static_cast<double>(l.h * l.w) * static_cast<double>(step.batch);
  const double im2col =
      static_cast<double>((l.cin / l.groups) * l.kh * l.kw) * static_cast<double>(step.batch * l.out_h() * l.out_w());
  return im2col > 0 ? std::min(1.0, tensor / im2col) : 1.0;
}

// Winograd ops: the transform unit sits between DRAM and the GLB, so DRAM holds the spatial tensors and
// the unit expands them into (and folds them back from) the alpha^2 position GEMMs' operands. B's (and the
// output's) DRAM share is the spatial tensor's size over the lowered operand's: FF reads X and writes Y,
// BP reads dY and writes dX, WU reads X and writes the 3x3 weight gradient. (A keeps its lowered size:
// U is stored transformed; WU's dM is not scaled, an overestimate of its traffic.)
std::pair<double, double> winograd_dram_fractions(const TrainingStep& step, const GemmOp& op) {
  const Layer& l = step.network.layers[static_cast<std::size_t>(op.layer_index)];
  const double b = static_cast<double>(step.batch);
  const double x = static_cast<double>(l.cin * l.h * l.w) * b,
               y = static_cast<double>(l.cout * l.out_h() * l.out_w()) * b;
  const double w = static_cast<double>(l.cout * l.cin * l.kh * l.kw);
  const double in_side = op.phase == Phase::BP ? y : x;
  double out_side = w;  // WU
  if (op.phase == Phase::FF) out_side = y;
  if (op.phase == Phase::BP) out_side = x;
  const double inst = static_cast<double>(op.instances);
  const auto frac = [](double tensor, double lowered) { return lowered > 0 ? std::min(1.0, tensor / lowered) : 1.0; };
  return {frac(in_side, inst * static_cast<double>(op.K * op.N)),
          frac(out_side, inst * static_cast<double>(op.M * op.N))};
}

void SatAccelerator::elaborate(const RunContext& ctx) {
  ctx_ = &ctx;
  hw_ = hw_from_config(ctx.config);
  std::vector<Job> jobs;
  // The mapper's search is a pure function of the hardware and the problem, and a network repeats its
  // shapes (a ResNet stage's blocks): each distinct problem is searched once.
  std::map<Problem, Mapping> mapped;
  for (const bool sparse : {true, false}) {
    for (std::size_t i = 0; i < ctx.step.ops.size(); ++i) {
      const GemmOp& op = ctx.step.ops[i];
      Job j;
      j.op_index = i;
      j.op = &op;
      j.design = sparse;
      j.variant = sparse ? "sparse" : "dense";
      j.problem = Problem{op.M, op.K, op.N, op.instances, executed_nm(ctx.config, hw_, op, sparse)};
      if (op.conv_algorithm != ConvAlgorithm::Direct) {
        std::tie(j.problem.b_dram_fraction, j.problem.out_dram_fraction) = winograd_dram_fractions(ctx.step, op);
      } else {
        const double fraction = tensor_fraction(ctx.step, op);
        if (op.phase == Phase::BP)
          j.problem.out_dram_fraction = fraction;
        else
          j.problem.b_dram_fraction = fraction;
      }
      try {
        const auto found = mapped.find(j.problem);
        j.mapping =
            found != mapped.end() ? found->second : mapped.emplace(j.problem, map_op(hw_, j.problem)).first->second;
      } catch (const std::runtime_error& e) {
        ctx.config.fail("accelerator.glb.capacity_bytes", "layer " + op.layer + ": " + e.what());
      }
      // Bidirectional pruning: after the sparse variant's weight update of a pruned layer, the mask unit
      // regenerates the FF (along Cin) and BP (along Cout) masks from the updated dense weights (on demand:
      // before the layer's sparse FF instead, which waits for them).
      const Phase mask_phase = hw_.mask_on_demand ? Phase::FF : Phase::WU;
      if (sparse && op.phase == mask_phase && op.layer_index >= 0 &&
          static_cast<std::size_t>(op.layer_index) < ctx.step.network.layers.size()) {
        const Layer& l = ctx.step.network.layers[static_cast<std::size_t>(op.layer_index)];
        // (A Winograd layer's U has no N:M pattern: no masks to regenerate.)
        if (l.sparsity.prunable && l.sparsity.nm.active() && l.kind != LayerKind::MatMul &&
            op.conv_algorithm == ConvAlgorithm::Direct) {
          // A transposable mask is made of M x M blocks of W: Cout and Cin (per group) must fill them.
          const std::int64_t m = l.sparsity.nm.m, groups = l.kind == LayerKind::Conv ? l.groups : 1;
          if (l.sparsity.transposable && (l.cout / groups % m != 0 || l.cin / groups % m != 0))
            ctx.config.fail("workload.network", "layer " + l.name + ": a transposable " +
                                                    std::to_string(l.sparsity.nm.n) + ":" + std::to_string(m) +
                                                    " mask needs Cout (" + std::to_string(l.cout / groups) +
                                                    ") and Cin (" + std::to_string(l.cin / groups) +
                                                    ") per group to be multiples of " + std::to_string(m));
          (hw_.mask_on_demand ? j.mask_before : j.mask_after) = true;
          // W is Cout x (Cin taps): FF's A (M x K), WU's result (M x N).
          j.mask.cout = op.M;
          j.mask.red = hw_.mask_on_demand ? op.K : op.N;
          j.mask.instances = op.instances;
          j.mask.nm = Nm{l.sparsity.nm.n, l.sparsity.nm.m};
          j.mask.layer = l.name;
          j.mask.rank = !(hw_.mask_rank_on_change && l.sparsity.mask_change == 0.0);
        }
      }
      JobResult& r = j.result;
      r.layer_index = op.layer_index;
      r.layer = op.layer;
      r.phase = op.phase;
      r.variant = j.variant;
      r.dense_macs = static_cast<std::uint64_t>(op.macs());
      jobs.push_back(std::move(j));
    }
  }
  top_ = std::make_unique<SatTop>("sat", ctx, hw_, std::move(jobs));
}

std::uint64_t counter(const JobResult& r, const std::string& block, const std::string& name) {
  for (const auto& c : r.counters)
    if (c.block == block && c.name == name) return c.value;
  return 0;
}

RunResults SatAccelerator::collect() {
  top_->finish_waves();
  RunResults out;
  out.clock_ghz = ctx_->config.f64("accelerator.clock_ghz");
  out.design_variant = "sparse";
  out.baseline_variant = "dense";
  const std::uint64_t peak = static_cast<std::uint64_t>(hw_.rows * hw_.cols * hw_.pe_multipliers);
  std::map<std::string, std::map<std::string, double>> phase_cycles;  // variant -> phase -> cycles
  for (Job& j : top_->jobs()) {
    JobResult& r = j.result;
    r.issued_macs = counter(r, "array", "macs");
    r.peak_macs_per_cycle = peak;
    r.stall_cycles = {{"operand_starvation", counter(r, "array", "stall_operand_cycles")},
                      {"dram_bandwidth", counter(r, "array", "stall_dram_cycles")},
                      {"bank_conflict", counter(r, "array", "stall_bank_conflict_cycles") +
                                            counter(r, "array", "stall_obuf_conflict_cycles")},
                      {"fill_drain", counter(r, "array", "stall_fill_drain_cycles")},
                      {"mask_generation", counter(r, "array", "stall_mask_cycles")},
                      {"gate", counter(r, "array", "stall_gate_cycles")}};
    if (top_->transform_unit()) r.stall_cycles["winograd_transform"] = counter(r, "winograd_transform", "stall_cycles");
    nlohmann::ordered_json m = j.mapping.to_json(hw_, j.problem);
    for (auto it = r.mapping.begin(); it != r.mapping.end(); ++it) m[it.key()] = it.value();
    const double sim = static_cast<double>(r.cycles);
    m["simulated_cycles"] = r.cycles;
    m["busy_cycles"] = counter(r, "array", "busy_cycles");
    m["estimate_error"] = sim > 0 ? (j.mapping.estimate_cycles - sim) / sim : 0.0;
    if (j.mask_after || j.mask_before) m["mask_rank_cycles"] = mask_rank_cycles(hw_, j.mask);
    r.mapping = std::move(m);
    phase_cycles[r.variant][phase_name(r.phase)] += sim;
    phase_cycles[r.variant]["step"] += sim;
    out.jobs.push_back(r);
  }
  // The work bound: every MAC of the dense variant over the MACs the sparse variant must issue (N of M
  // in FF and BP of pruned layers; layers kept dense, WU and attention matmuls in full).
  double dense_macs = 0, sparse_macs = 0;
  for (const JobResult& r : out.jobs)
    if (r.variant == "sparse") {
      dense_macs += static_cast<double>(r.dense_macs);
      sparse_macs += static_cast<double>(r.issued_macs);
    }
  const double ideal = sparse_macs > 0 ? dense_macs / sparse_macs : 1.0;
  nlohmann::ordered_json speedup;
  for (const char* ph : {"FF", "BP", "WU", "step"}) {
    const double d = phase_cycles["dense"][ph], s = phase_cycles["sparse"][ph];
    if (s > 0) speedup[ph] = d / s;
  }
  out.extra["ideal_speedup_bound"] = ideal;
  out.extra["ideal_speedup_formula"] =
      "dense MACs / MACs the sparse variant issues (FF and BP of pruned layers at N/M; dense layers, WU in full)";
  out.extra["speedup"] = speedup;
  if (speedup.contains("step")) out.extra["fraction_of_ideal"] = speedup["step"].get<double>() / ideal;
  out.extra["mask_unit_rank_cycles"] = top_->mask_cycles_total();
  out.extra["array"] = {
      {"rows", hw_.rows}, {"cols", hw_.cols}, {"pe_multipliers", hw_.pe_multipliers}, {"peak_macs_per_cycle", peak}};
  return out;
}

AcceleratorInfo sat_info() {
  AcceleratorInfo i;
  i.name = "sat";
  i.description = "SAT-style N:M sparse training array (bidirectional weight pruning) vs the same array dense";
  i.params = sat_params();
  i.validate = validate_sat;
  i.make = [] { return std::unique_ptr<Accelerator>(new SatAccelerator()); };
  i.waveforms = true;
  i.winograd = true;
  i.variants = 2;  // sparse, dense
  i.inventory = sat_inventory;
  // Work (sim/run_budget.hpp): an op's cycles in each variant are its dense MACs over the array's peak, or its
  // operands' and result's bytes over the DRAM's peak if more; the events per cycle are measured
  // (docs/reliability.md, "Bounded runs: --max-events").
  i.work_law = [](const Config& cfg) {
    const Hw hw = hw_from_config(cfg);
    // Events per estimated cycle, measured (scripts/measure_work.py): detailed 0.94-2.4, fast 0.011-0.040.
    return WorkLaw{.peak_macs_per_cycle = static_cast<double>(hw.rows * hw.cols * hw.pe_multipliers),
                   .dram_bytes_per_cycle = hw.dram_bw,
                   .bytes_per_element = static_cast<double>(hw.data_bytes),
                   .detailed_events_per_cycle = 2.5,
                   .fast_events_per_cycle = 0.04,
                   .events_per_job = 100};
  };
  return i;
}

}  // namespace

SPARSIM_REGISTER_ACCELERATOR(sat_info());

}  // namespace sparsim::sat
