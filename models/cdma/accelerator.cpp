#include "models/cdma/accelerator.hpp"
#include "models/cdma/area.hpp"

#include "sim/errors.hpp"
#include "sim/timeline.hpp"

namespace sparsim::cdma {

void CdmaAccelerator::elaborate(const RunContext& context) {
  ctx_ = &context;
  const Config& cfg = context.config;
  params_ = Params::from(cfg);
  prepare_offload(params_, context, tensors_, data_);
  // The three variants run side by side in simulated time: each one's jobs start at 0 on the timeline.
  if (Timeline* tl = active_timeline()) tl->set_variants_concurrent(true);

  const struct {
    const char* name;
    bool offload;
    Codec codec;
  } kinds[] = {{"oracle", false, Codec::None}, {"vdnn", true, Codec::None}, {"cdma", true, params_.codec}};
  variants_.clear();
  variants_.reserve(3);
  for (const auto& k : kinds) {
    Variant v;
    v.name = k.name;
    v.codec = k.codec;
    v.offload = k.offload;
    v.registry = std::make_unique<StatsRegistry>();
    const std::string prefix = std::string("cdma.") + k.name;
    v.dram = std::make_unique<memory::DramModule>((prefix_ + k.name + "_dram").c_str(), params_.device, context.mode,
                                                  *v.registry, params_.clock_ghz);
    v.dram->set_steady_state_sample(params_.dram_steady_sample);
    v.device = std::make_unique<DeviceMemorySlot>(DeviceMemorySlot{v.dram.get()});
    if (k.offload) {
      v.path = std::make_unique<OffloadPath>((prefix_ + k.name + "_dma").c_str(), params_, k.codec, context.step,
                                             tensors_, data_, context.mode, prefix + ".dma", v.device.get());
      v.path->attach_stats(*v.registry);
      std::string label = "cdma: ";
      label += k.name;
      v.path->set_timeline_label(label);
    }
    v.compute = std::make_unique<RooflineCompute>((prefix_ + k.name + "_gpu").c_str(), params_, context.step,
                                                  context.mode, v.path.get(), *v.registry, prefix + ".gpu", *v.dram);
    variants_.push_back(std::move(v));
  }
}

RunResults CdmaAccelerator::collect() {
  RunResults rr;
  rr.clock_ghz = params_.clock_ghz;
  rr.design_variant = "cdma";
  rr.baseline_variant = "vdnn";
  const TrainingStep& step = ctx_->step;
  for (const auto& v : variants_) {
    if (!v.compute->finished()) throw std::logic_error("cdma: variant " + v.name + " did not finish its step");
    const auto& recs = v.compute->records();
    for (std::size_t i = 0; i < recs.size(); ++i) {
      const GemmOp& op = step.ops[i];
      const OpRecord& r = recs[i];
      JobResult j;
      j.layer_index = op.layer_index;
      j.layer = op.layer;
      j.phase = op.phase;
      j.variant = v.name;
      j.cycles = r.end - r.start;
      j.dense_macs = static_cast<std::uint64_t>(op.macs());
      j.issued_macs = j.dense_macs;  // a GPU without sparse compute does every MAC
      j.peak_macs_per_cycle = static_cast<std::uint64_t>(params_.macs_per_cycle);
      if (r.stall) j.stall_cycles[op.phase == Phase::FF ? "offload_wait" : "prefetch_wait"] = r.stall;
      j.counters = r.counters;
      j.mapping = {{"model", "roofline"},
                   {"compute_cycles", r.cost.compute_cycles},
                   {"memory_cycles", r.cost.memory_cycles},
                   {"bound", r.cost.compute_cycles >= r.cost.memory_cycles ? "compute" : "memory"}};
      if (ctx_->functional && v.name == "cdma" && op.phase == Phase::FF) {
        // The codec round trip of the tensors this layer offloads (samples.cpp) is the functional check.
        for (const auto& t : tensors_) {
          if (!t.offloaded || t.first_consumer() != op.layer_index) continue;
          const auto& cs = data_[static_cast<std::size_t>(t.id)].codec[static_cast<int>(v.codec)];
          j.functional_checked = true;
          j.functional_pass = cs.mismatches == 0;
        }
      }
      rr.jobs.push_back(std::move(j));
    }
  }
  rr.extra = offload_report(params_, step, tensors_, data_, variants_);
  return rr;
}

namespace {

AcceleratorInfo info() {
  AcceleratorInfo i;
  i.name = "cdma";
  i.description =
      "vDNN activation offload over PCIe with a compressing DMA engine (Rhu et al. HPCA 2018); variants oracle, "
      "vdnn, cdma on a roofline GPU";
  i.params = param_specs();
  i.validate = validate;
  i.make = [] { return std::make_unique<CdmaAccelerator>(); };
  i.variants = 3;  // oracle, vdnn, cdma
  i.inventory = cdma_inventory;
  i.no_winograd_why = "its compute model times the direct convolution's GEMMs and charges no transform";
  // Work (sim/run_budget.hpp): an op's cycles in each variant are its dense MACs over the roofline's peak, or its
  // operands' and result's bytes over the DRAM's peak if more; the events per cycle are measured
  // (docs/reliability.md, "Bounded runs: --max-events").
  i.work_law = [](const Config& cfg) {
    const Params p = Params::from(cfg);
    // Events per estimated cycle, measured (scripts/measure_work.py): detailed 1.3, fast 0.010-0.054.
    return WorkLaw{.peak_macs_per_cycle = static_cast<double>(p.macs_per_cycle),
                   .dram_bytes_per_cycle = p.gpu_bandwidth_gbps / p.clock_ghz,
                   .bytes_per_element = static_cast<double>(p.bytes_per_element),
                   .detailed_events_per_cycle = 1.5,
                   .fast_events_per_cycle = 0.05,
                   .events_per_job = 100};
  };
  return i;
}

}  // namespace

SPARSIM_REGISTER_ACCELERATOR(info());

}  // namespace sparsim::cdma
