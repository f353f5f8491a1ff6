#include "models/cdma/roofline.hpp"

#include <algorithm>

#include "sim/timeline.hpp"

namespace sparsim::cdma {

namespace {

std::uint64_t op_elements(const TrainingStep& step, const GemmOp& op) {
  const Layer& l = step.network.layers[static_cast<std::size_t>(op.layer_index)];
  const auto b = static_cast<std::uint64_t>(step.batch);
  if (l.kind == LayerKind::MatMul)
    return static_cast<std::uint64_t>((op.M * op.K + op.K * op.N + op.M * op.N) * op.instances);
  std::uint64_t x = 0, y = 0;
  if (l.kind == LayerKind::Conv) {
    x = b * static_cast<std::uint64_t>(l.cin * l.h * l.w);
    y = b * static_cast<std::uint64_t>(l.cout * l.out_h() * l.out_w());
  } else {
    x = b * static_cast<std::uint64_t>(l.cin * l.tokens);
    y = b * static_cast<std::uint64_t>(l.cout * l.tokens);
  }
  const auto w = static_cast<std::uint64_t>(l.weight_count());
  return w + x + y;  // FF: W+X+Y; BP: W+dY+dX; WU: dY+X+dW -- the same three sizes
}

}  // namespace

RooflineCost roofline_cost(const Params& p, const TrainingStep& step, const GemmOp& op) {
  RooflineCost c;
  const auto macs = static_cast<std::uint64_t>(op.macs());
  const auto peak = static_cast<std::uint64_t>(p.macs_per_cycle);
  c.compute_cycles = (macs + peak - 1) / peak;
  c.bytes = op_elements(step, op) * static_cast<std::uint64_t>(p.bytes_per_element);
  const Rate r = p.gpu_rate();
  c.memory_cycles = (c.bytes * Rate::kDen + r.num - 1) / r.num;
  return c;
}

RooflineCompute::RooflineCompute(sc_core::sc_module_name name, const Params& params, const TrainingStep& step,
                                 TimingMode mode, JobGate* gate, StatsRegistry& registry, const std::string& block,
                                 memory::DramModule& dram)
    : sc_core::sc_module(name),
      params_(params),
      step_(step),
      mode_(mode),
      gate_(gate),
      registry_(registry),
      stats_(block),
      macs_(stats_.add("macs", "multiply-accumulates of the roofline compute",
                       params.bytes_per_element == 2 ? "mac_fp16" : "mac_fp32")),
      dram_bytes_(stats_.add("dram_bytes", "GPU memory bytes of the ops' tensors (the DRAM block charges them)")),
      busy_cycles_(stats_.add("busy_cycles", "cycles of the ops: the longer of their math and their DRAM traffic")),
      stall_cycles_(stats_.add("stall_cycles", "cycles waiting for the offload path")),
      dram_(dram),
      layout_(step, params.bytes_per_element, static_cast<std::uint64_t>(dram.spec().capacity_bytes())) {
  registry.attach(stats_);
  label_ = block;
  if (label_.size() > 4 && label_.compare(label_.size() - 4, 4, ".gpu") == 0) label_.resize(label_.size() - 4);
  if (const auto dot = label_.find('.'); dot != std::string::npos) label_.replace(dot, 1, ": ");
  SC_THREAD(run);
}

// Snapshots are taken one delta after the instant's timed wake-ups: every DMA stage that finishes a chunk
// now has committed its counters (stage.hpp), so fast and detailed mode see the same state.
void RooflineCompute::settle() { wait(sc_core::SC_ZERO_TIME); }

void RooflineCompute::run() {
  const sc_core::sc_time cycle(1, sc_core::SC_NS);
  auto now = [&] { return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / cycle); };
  std::uint64_t prev_end = 0;
  for (std::size_t i = 0; i < step_.ops.size(); ++i) {
    const GemmOp& op = step_.ops[i];
    OpRecord r;
    r.start = prev_end;
    settle();
    const auto before = registry_.snapshot();
    if (gate_) gate_->before_job(i, op);
    r.stall = now() - r.start;
    r.cost = roofline_cost(params_, step_, op);
    const std::uint64_t t0 = now();
    const auto traffic = dram_.submit(layout_.op_blocks(op));  // the memory side runs beside the math
    const std::uint64_t n = r.cost.compute_cycles;
    if (mode_ == TimingMode::Fast) {
      if (n) wait(static_cast<double>(n), sc_core::SC_NS);
    } else {
      for (std::uint64_t k = 0; k < n; ++k) wait(cycle);
    }
    dram_.wait(traffic);
    const std::uint64_t took = now() - t0;
    if (took == 0) wait(cycle);  // at least one cycle per op
    if (Timeline* tl = active_timeline()) {
      std::string name = op.layer;
      name += " ";
      name += phase_name(op.phase);
      if (r.stall > 0)
        tl->slice(label_ + " stalls", op.phase == Phase::FF ? "offload_wait" : "prefetch_wait", r.start,
                  r.start + r.stall, {{"op", name}});
      tl->slice(label_ + " compute", name, t0, now(),
                {{"compute_cycles", r.cost.compute_cycles},
                 {"memory_cycles", r.cost.memory_cycles},
                 {"bound", r.cost.compute_cycles >= r.cost.memory_cycles ? "compute" : "memory"}});
    }
    macs_ += static_cast<std::uint64_t>(op.macs());
    dram_bytes_ += r.cost.bytes;
    busy_cycles_ += std::max<std::uint64_t>(1, took);
    stall_cycles_ += r.stall;
    if (gate_) gate_->after_job(i, op);
    r.end = now();
    settle();
    r.counters = StatsRegistry::difference(registry_.snapshot(), before);
    prev_end = r.end;
    records_.push_back(std::move(r));
  }
  finished_ = true;
}

}  // namespace sparsim::cdma
