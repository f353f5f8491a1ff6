// The `offload` run extension: the vDNN/cDMA offload path (offload_path.hpp) attached to the training step
// of whatever accelerator the config names (sat, stc, scnn, ...), through its JobGate. It reuses the cdma
// model's plan, sampled data, codecs and DMA stages; only the keys differ (offload.*, params.hpp).
// Report: RunResults::extra["offload"] and lines of the stdout summary.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <stdexcept>

#include "models/cdma/accelerator.hpp"
#include "sim/config/schema.hpp"
#include "sim/energy.hpp"
#include "sim/errors.hpp"
#include "sim/extension.hpp"
#include "sim/text/numbers.hpp"
#include "sim/timeline.hpp"

namespace sparsim::cdma {

namespace {

std::uint64_t now_cycles() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS));
}

// Forwards to the offload path and measures, independently of how the accelerator accounts its jobs, the
// time each op waited in before_job and the span of the gated FF and backward ops (the link utilisation
// denominators).
// It also splits the path's counters over the ops: what the path did from one op's before_job to the next
// one's is charged to the first (the tail after the last op to the last), so the jobs' energy includes the
// link, the (de)compressors and host memory.
class MeteredGate : public JobGate {
 public:
  MeteredGate(OffloadPath& path, const StatsRegistry& registry, std::string label)
      : path_(path), registry_(registry), label_(std::move(label)) {}
  void before_job(std::size_t op_index, const GemmOp& op) override {
    attribute();
    last_op_ = op_index;
    const std::uint64_t t0 = now_cycles();
    Span& s = span(op);
    if (s.first == kUnset) s.first = t0;
    path_.before_job(op_index, op);
    const std::uint64_t waited = now_cycles() - t0;
    (op.phase == Phase::FF ? offload_wait : prefetch_wait) += waited;
    if (Timeline* tl = active_timeline(); tl && waited > 0) {
      std::string name = op.layer;
      name += " ";
      name += phase_name(op.phase);
      tl->slice(label_ + " stalls", op.phase == Phase::FF ? "offload_wait" : "prefetch_wait", t0, t0 + waited,
                {{"op", name}});
    }
    if (waited) ++stalled_ops;
    ++gated_ops;
  }
  void after_job(std::size_t op_index, const GemmOp& op) override {
    path_.after_job(op_index, op);
    span(op).last = now_cycles();
  }
  struct Span {
    std::uint64_t first = kUnset, last = 0;
    std::uint64_t length() const { return first == kUnset || last < first ? 0 : last - first; }
  };
  static constexpr std::uint64_t kUnset = std::numeric_limits<std::uint64_t>::max();
  Span ff, bwd;
  std::uint64_t offload_wait = 0, prefetch_wait = 0, gated_ops = 0, stalled_ops = 0;
  // After the simulation: the counters of each op (by op index), the tail included.
  const std::map<std::size_t, std::vector<CounterSample>>& per_op() {
    attribute();
    return per_op_;
  }

 private:
  void attribute() {
    auto now = registry_.snapshot();
    if (last_op_ != kNoOp) {
      auto& into = per_op_[last_op_];
      for (const auto& d : StatsRegistry::difference(now, previous_.empty() ? zero(now) : previous_)) {
        auto it = std::find_if(into.begin(), into.end(),
                               [&](const CounterSample& c) { return c.block == d.block && c.name == d.name; });
        if (it == into.end())
          into.push_back(d);
        else
          it->value += d.value;
      }
    }
    previous_ = std::move(now);
  }
  static std::vector<CounterSample> zero(std::vector<CounterSample> v) {
    for (auto& c : v) c.value = 0;
    return v;
  }
  static constexpr std::size_t kNoOp = std::numeric_limits<std::size_t>::max();
  Span& span(const GemmOp& op) { return op.phase == Phase::FF ? ff : bwd; }
  OffloadPath& path_;
  const StatsRegistry& registry_;
  std::string label_;
  std::size_t last_op_ = kNoOp;
  std::vector<CounterSample> previous_;
  std::map<std::size_t, std::vector<CounterSample>> per_op_;
};

// One offload path and its gate: the design's, or the baseline's (the same policy, its own link and DMA
// engine, reading and writing the baseline's device memory).
struct GatedPath {
  StatsRegistry registry;
  std::unique_ptr<OffloadPath> path;
  std::unique_ptr<MeteredGate> gate;
};

class OffloadExtension : public RunExtension {
 public:
  JobGate* elaborate(const RunContext& context) override {
    ctx_ = &context;
    params_ = Params::from_keys(context.config, extension_key);
    vdnn_ = context.config.str("offload.mode") == "vdnn";
    prepare_offload(params_, context, tensors_, data_);
    // The DMA engines read and write the accelerator's own device memory (its DRAM model, which the
    // accelerator puts in the slots as it elaborates next).
    if (!context.device_memory) throw std::logic_error("offload: the run has no device-memory slot");
    // The path's counters go to the jobs of the variant it serves (collect), under the same block names
    // for design and baseline, so their energy compares component by component.
    auto make = [&](const char* name, const DeviceMemorySlot* memory, const char* label) {
      auto g = std::make_unique<GatedPath>();
      g->path = std::make_unique<OffloadPath>(name, params_, vdnn_ ? Codec::None : params_.codec, context.step,
                                              tensors_, data_, context.mode, "offload.dma", memory);
      g->path->attach_stats(g->registry);
      g->path->set_timeline_label(label);
      g->gate = std::make_unique<MeteredGate>(*g->path, g->registry, label);
      return g;
    };
    design_ = make("offload_dma", context.device_memory, "offload: design");
    // The baseline runs under the same policy, on its own path (its variant runs after the design's).
    if (context.baseline_memory) baseline_ = make("offload_dma_baseline", context.baseline_memory, "offload: baseline");
    return design_->gate.get();
  }
  JobGate* baseline_gate() override { return baseline_ ? baseline_->gate.get() : nullptr; }

  ExtensionReport collect(RunResults& results) override;

 private:
  const RunContext* ctx_ = nullptr;
  Params params_;
  bool vdnn_ = false;
  std::vector<TensorPlan> tensors_;
  std::vector<TensorData> data_;
  std::unique_ptr<GatedPath> design_, baseline_;
};

// Adds each op's path counters to the job of `variant` that ran the op.
void charge_jobs(RunResults& results, const TrainingStep& step, const std::string& variant, MeteredGate& gate) {
  for (const auto& [op_index, samples] : gate.per_op()) {
    const GemmOp& op = step.ops[op_index];
    for (auto& j : results.jobs)
      if (j.variant == variant && j.layer == op.layer && j.phase == op.phase) {
        for (const auto& c : samples)
          if (c.value > 0) j.counters.push_back(c);
        break;
      }
  }
}

std::string percent(double part, double whole) {
  return format_number("%.0f%%", whole > 0 ? 100.0 * part / whole : 0.0);
}

ExtensionReport OffloadExtension::collect(RunResults& results) {
  using json = nlohmann::ordered_json;
  const TrainingStep& step = ctx_->step;
  const OffloadPath& path = *design_->path;
  const Codec codec = path.codec();
  const MeteredGate& g = *design_->gate;
  std::uint64_t all_bytes = 0, off_bytes = 0, packed = 0, mismatches = 0;
  bool complete = true;
  json tensors = json::array();
  for (const auto& t : tensors_) {
    const TensorData& d = data_[static_cast<std::size_t>(t.id)];
    all_bytes += t.bytes;
    json row = tensor_row(step, t, d);
    if (t.offloaded) {
      off_bytes += t.bytes;
      packed += d.total(codec);
      mismatches += d.codec[static_cast<int>(codec)].mismatches;
      const auto& tt = path.times()[static_cast<std::size_t>(t.id)];
      complete = complete && tt.offloaded && tt.prefetched;
      row["offload_cycles"] = tt.offload_done - tt.offload_issue;
      row["prefetch_cycles"] = tt.prefetch_done - tt.prefetch_issue;
    }
    tensors.push_back(row);
  }
  // The accelerator may not have gated every op (a model that ignores RunContext::gate): say so.
  if (g.gated_ops == 0)
    throw std::logic_error("offload: the accelerator never called the JobGate; it cannot take the extension");
  const std::uint64_t peak = path.peak_resident_bytes();
  const double ms_per_cycle = 1e-6 / params_.clock_ghz;
  const double ratio = packed ? double(off_bytes) / double(packed) : 0.0;
  const std::uint64_t stall = g.offload_wait + g.prefetch_wait;
  auto util = [](std::uint64_t busy, std::uint64_t span) { return span ? double(busy) / double(span) : 0.0; };
  const double util_ff = util(path.offload_link_busy(), g.ff.length());
  const double util_bwd = util(path.prefetch_link_busy(), g.bwd.length());
  // From the first gated op's start to the last one's end, stalls included, whether or not the
  // accelerator counts the gate's wait in its jobs (stc does not).
  const std::uint64_t span = g.ff.first == MeteredGate::kUnset ? 0 : std::max(g.ff.last, g.bwd.last) - g.ff.first;
  std::uint64_t design_cycles = 0;
  for (const auto& j : results.jobs)
    if (j.variant == results.design_variant) design_cycles += j.cycles;

  json r;
  r["accelerator"] = ctx_->config.str("accelerator.name");
  r["design_variant"] = results.design_variant;
  r["mode"] = vdnn_ ? "vdnn" : "cdma";
  r["codec"] = codec_name(codec);
  r["clock_ghz"] = params_.clock_ghz;
  r["pcie"] = {{"generation", params_.pcie.generation},
               {"lanes", params_.pcie.lanes},
               {"raw_gbps", params_.pcie.raw_gbps()},
               {"payload_gbps", params_.pcie.payload_gbps()},
               {"latency_ns", params_.pcie.latency_ns}};
  r["compression_ratio"] = ratio;
  r["bytes"] = {{"activation_bytes", all_bytes},
                {"offloaded_bytes", off_bytes},
                {"sent_bytes", path.bytes_sent()},
                {"gpu_peak_activation_bytes_offload", peak},
                {"gpu_bytes_saved", all_bytes - peak},
                {"gpu_saved_fraction", all_bytes ? double(all_bytes - peak) / double(all_bytes) : 0.0}};
  r["link"] = {{"offload_busy_cycles", path.offload_link_busy()},
               {"prefetch_busy_cycles", path.prefetch_link_busy()},
               {"ff_span_cycles", g.ff.length()},
               {"backward_span_cycles", g.bwd.length()},
               {"offload_utilization_ff", util_ff},
               {"prefetch_utilization_backward", util_bwd}};
  r["stalls"] = {{"offload_wait_cycles", g.offload_wait},
                 {"prefetch_wait_cycles", g.prefetch_wait},
                 {"total_cycles", stall},
                 {"total_ms", double(stall) * ms_per_cycle},
                 {"stalled_ops", g.stalled_ops},
                 {"gated_ops", g.gated_ops},
                 {"design_step_cycles", design_cycles},
                 {"gated_span_cycles", span}};
  r["all_transfers_completed"] = complete;
  r["functional"] = {{"mismatches", mismatches}};
  r["counters"] = json::array();
  for (const auto& c : design_->registry.snapshot())
    r["counters"].push_back({{"block", c.block}, {"name", c.name}, {"value", c.value}});

  // The baseline under the same policy, when the accelerator gates it.
  const bool baseline = baseline_ && baseline_->gate->gated_ops > 0;
  if (baseline) {
    const MeteredGate& b = *baseline_->gate;
    const OffloadPath& bp = *baseline_->path;
    bool done = true;
    for (const auto& t : tensors_)
      if (t.offloaded) {
        const auto& tt = bp.times()[static_cast<std::size_t>(t.id)];
        done = done && tt.offloaded && tt.prefetched;
      }
    r["baseline"] = {{"variant", results.baseline_variant},
                     {"sent_bytes", bp.bytes_sent()},
                     {"offload_busy_cycles", bp.offload_link_busy()},
                     {"prefetch_busy_cycles", bp.prefetch_link_busy()},
                     {"offload_wait_cycles", b.offload_wait},
                     {"prefetch_wait_cycles", b.prefetch_wait},
                     {"stalled_ops", b.stalled_ops},
                     {"gated_ops", b.gated_ops},
                     {"all_transfers_completed", done}};
    r["baseline"]["counters"] = json::array();
    for (const auto& c : baseline_->registry.snapshot())
      r["baseline"]["counters"].push_back({{"block", c.block}, {"name", c.name}, {"value", c.value}});
  }
  // Energy of the path (link, (de)compressors, host memory; its device-memory traffic is the accelerator's
  // DRAM's), charged to the jobs of the variant it served.
  const EnergyTable table =
      EnergyTable::load(ctx_->config.resolved_path("energy.table"), ctx_->config.f64("energy.scale"));
  auto energy = [&](const StatsRegistry& reg) {
    json by = json::object();
    double total = 0;
    for (const auto& e : energy_of(reg.snapshot(), table)) {
      by[e.block] = by.value(e.block, 0.0) + e.pj;
      total += e.pj;
    }
    return json{{"total_pj", total}, {"pj_by_component", by}};
  };
  r["energy"] = {{results.design_variant, energy(design_->registry)}};
  if (baseline) r["energy"][results.baseline_variant] = energy(baseline_->registry);
  charge_jobs(results, step, results.design_variant, *design_->gate);
  if (baseline) charge_jobs(results, step, results.baseline_variant, *baseline_->gate);
  r["tensors"] = tensors;

  ExtensionReport out;
  out.data = std::move(r);
  const double mb = 1e-6;
  out.summary_lines.push_back("offload (" + std::string(vdnn_ ? "vDNN" : "cDMA") + ", codec " + codec_name(codec) +
                              ") on " + results.design_variant + ": PCIe gen" +
                              std::to_string(params_.pcie.generation) + " x" + std::to_string(params_.pcie.lanes) +
                              ", compression " + format_number("%.2fx", ratio) + ", " +
                              format_number("%.1f MB", double(off_bytes) * mb) + " offloaded, " +
                              format_number("%.1f MB", double(all_bytes - peak) * mb) + " of GPU memory saved");
  out.summary_lines.push_back(
      "offload stalls: " + std::to_string(g.offload_wait) + " offload-wait + " + std::to_string(g.prefetch_wait) +
      " prefetch-wait cycles (" + format_number("%.3f ms", double(stall) * ms_per_cycle) + ", " +
      std::to_string(g.stalled_ops) + " ops held); link busy " + format_number("%.0f%%", 100 * util_ff) + " of FF, " +
      format_number("%.0f%%", 100 * util_bwd) + " of backward");
  if (baseline) {
    const MeteredGate& b = *baseline_->gate;
    std::string line = "offload on ";
    line += results.baseline_variant;
    line += " (the same policy): ";
    line += std::to_string(b.offload_wait);
    line += " offload-wait + ";
    line += std::to_string(b.prefetch_wait);
    line += " prefetch-wait cycles (";
    line += std::to_string(b.stalled_ops);
    line += " ops held)";
    out.summary_lines.push_back(line);
  } else {
    std::string line = "offload on ";
    line += results.baseline_variant;
    line +=
        ": none (the accelerator does not gate its baseline); the speedup compares an offloaded design with "
        "an un-offloaded baseline";
    out.summary_lines.push_back(line);
  }
  std::string e = "offload energy (link, codec, host DDR4):";
  for (const auto& [variant, figures] : out.data["energy"].items()) {
    const double total = figures["total_pj"].get<double>();
    double link = 0, codec_pj = 0, host = 0;
    for (const auto& [block, pj] : figures["pj_by_component"].items()) {
      const double v = pj.get<double>();
      if (block.find("pcie") != std::string::npos)
        link += v;
      else if (block.find("compressor") != std::string::npos)
        codec_pj += v;
      else if (block.find("host") != std::string::npos)
        host += v;
    }
    e += " ";
    e += variant;
    e += " ";
    e += group_fixed(total / 1e6, 2);
    e += " uJ";
    e += " (link ";
    e += percent(link, total);
    e += ", codec ";
    e += percent(codec_pj, total);
    e += ", host ";
    e += percent(host, total);
    e += ")";
  }
  out.summary_lines.push_back(e);
  return out;
}

ExtensionInfo info() {
  ExtensionInfo i;
  i.name = "offload";
  i.description =
      "vDNN activation offload over PCIe, plain (mode vdnn) or through the compressing DMA engine (mode cdma, "
      "Rhu et al. HPCA 2018), attached to the design variant of any accelerator through its JobGate; keys as the "
      "cdma accelerator's (docs/cdma.md).";
  i.params = {bool_param("offload.enabled", false, "Attach the offload path to the accelerator's training step."),
              enum_param("offload.mode", "cdma", {"vdnn", "cdma"},
                         "vdnn: offload uncompressed; cdma: through the compressing DMA engine (offload.codec).")};
  const auto path = path_param_specs(extension_key);
  i.params.insert(i.params.end(), path.begin(), path.end());
  i.validate = [](const Config& cfg) {
    if (!cfg.boolean("offload.enabled")) return;
    if (cfg.str("accelerator.name") == "cdma")
      cfg.fail("offload.enabled", "the cdma accelerator models the offload itself (accelerator.dma.*); disable it");
    validate_path(cfg, extension_key);
  };
  i.enabled = [](const Config& cfg) { return cfg.boolean("offload.enabled"); };
  i.make = [] { return std::make_unique<OffloadExtension>(); };
  i.disable_override = "offload.enabled=false";
  return i;
}

}  // namespace

SPARSIM_REGISTER_EXTENSION(info());

}  // namespace sparsim::cdma
