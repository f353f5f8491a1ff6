// "Attaches to any accelerator": the offload path drives a stand-in accelerator registered here through
// RunContext::gate (JobGate), exactly as a real model's controller would call it.
#include <catch2/catch.hpp>

#include <systemc>

#include "harness.hpp"
#include "models/cdma/offload_path.hpp"
#include "models/cdma/samples.hpp"

using namespace cdma_test;
using namespace sparsim::cdma;

namespace {

// A stand-in accelerator: each op of its design variant takes MACs / 64 cycles; its controller calls
// ctx.gate around every op, as the JobGate contract asks.
class StandIn : public Accelerator {
 public:
  void elaborate(const RunContext& ctx) override {
    ctx_ = &ctx;
    module_ = std::make_unique<Module>("standin", ctx, starts_, ends_);
  }
  RunResults collect() override {
    RunResults rr;
    rr.design_variant = "standin";
    for (std::size_t i = 0; i < ends_.size(); ++i) {
      JobResult j;
      j.layer_index = ctx_->step.ops[i].layer_index;
      j.phase = ctx_->step.ops[i].phase;
      j.variant = "standin";
      j.cycles = ends_[i] - (i ? ends_[i - 1] : 0);
      rr.jobs.push_back(j);
    }
    return rr;
  }
  std::vector<std::uint64_t> starts_, ends_;

 private:
  struct Module : sc_core::sc_module {
    SC_HAS_PROCESS(Module);
    Module(sc_core::sc_module_name n, const RunContext& ctx, std::vector<std::uint64_t>& s,
           std::vector<std::uint64_t>& e)
        : sc_core::sc_module(n), ctx_(ctx), starts_(s), ends_(e) {
      SC_THREAD(run);
    }
    void run() {
      const sc_core::sc_time ns(1, sc_core::SC_NS);
      for (std::size_t i = 0; i < ctx_.step.ops.size(); ++i) {
        const GemmOp& op = ctx_.step.ops[i];
        if (ctx_.gate) ctx_.gate->before_job(i, op);
        starts_.push_back(static_cast<std::uint64_t>(sc_core::sc_time_stamp() / ns));
        wait(static_cast<double>(op.macs() / 64 + 1), sc_core::SC_NS);
        if (ctx_.gate) ctx_.gate->after_job(i, op);
        ends_.push_back(static_cast<std::uint64_t>(sc_core::sc_time_stamp() / ns));
      }
    }
    const RunContext& ctx_;
    std::vector<std::uint64_t>& starts_;
    std::vector<std::uint64_t>& ends_;
  };
  const RunContext* ctx_ = nullptr;
  std::unique_ptr<Module> module_;
};

AcceleratorInfo standin_info() {
  AcceleratorInfo i;
  i.name = "cdma-test-standin";
  i.description = "test stand-in accelerator that calls RunContext::gate";
  i.make = [] { return std::make_unique<StandIn>(); };
  return i;
}

SPARSIM_REGISTER_ACCELERATOR(standin_info());

}  // namespace

TEST_CASE("the offload path stalls a registered stand-in accelerator through JobGate") {
  Config cfg =
      Config::from_text("accelerator:\n  name: cdma\n", "gate.yaml",
                        {"accelerator.dma.chunk_bytes=1024", "memory.pcie.lanes=1", "memory.pcie.generation=1"});
  const TrainingStep step = expand_training_step(tiny_net(), 8, {Phase::FF, Phase::BP, Phase::WU});
  const Params p = Params::from(cfg);
  PlanOptions po;
  po.batch = step.batch;
  const auto tensors = build_plan(step.network, po);
  std::vector<TensorData> data;
  SampleOptions so;
  so.chunk_bytes = 1024;
  for (const auto& t : tensors) data.push_back(sample_tensor(t, so));
  // The stand-in has no memory of its own: the DMA engine reads and writes a GDDR5X device memory.
  StatsRegistry registry;
  memory::DramModule dram("device_dram", p.device, TimingMode::Fast, registry, p.clock_ghz);
  DeviceMemorySlot device{&dram};
  OffloadPath path("offload", p, Codec::Zvc, step, tensors, data, TimingMode::Fast, "gate.dma", &device);

  // Two copies of the stand-in, made through the registry: one gated by the offload path, one free.
  const AcceleratorInfo* info = AcceleratorRegistry::instance().find("cdma-test-standin");
  REQUIRE(info);
  auto gated = info->make(), free_run = info->make();
  RunContext gated_ctx{cfg, step, TimingMode::Fast, false, 1, nullptr, &path, nullptr};
  RunContext free_ctx{cfg, step, TimingMode::Fast, false, 1, nullptr, nullptr, nullptr};
  gated->elaborate(gated_ctx);
  // Module names must differ: elaborate the free copy under its own name scope.
  auto* s = dynamic_cast<StandIn*>(free_run.get());
  REQUIRE(s);
  s->elaborate(free_ctx);
  sc_core::sc_start();

  auto* g = dynamic_cast<StandIn*>(gated.get());
  REQUIRE(g->ends_.size() == step.ops.size());
  REQUIRE(s->ends_.size() == step.ops.size());
  REQUIRE(g->ends_.back() > s->ends_.back());  // an x1 gen1 link stalls the accelerator
  for (const auto& t : tensors) {
    if (!t.offloaded) continue;
    const auto& tt = path.times()[static_cast<std::size_t>(t.id)];
    REQUIRE(tt.offloaded);
    REQUIRE(tt.prefetched);
    for (std::size_t i = 0; i < step.ops.size(); ++i) {
      if (step.ops[i].phase == Phase::FF && step.ops[i].layer_index == t.release_layer)
        REQUIRE(g->starts_[i] >= tt.offload_done);
      if (step.ops[i].phase != Phase::FF && step.ops[i].layer_index == t.need_layer)
        REQUIRE(g->starts_[i] >= tt.prefetch_done);
    }
  }
  REQUIRE(path.peak_resident_bytes() > 0);
}
