// The `offload` run extension: the vDNN/cDMA offload path (offload_path.hpp) attached to the training step
// of whatever accelerator the config names (sat, stc, scnn, ...), through its JobGate. It reuses the cdma
// model's plan, sampled data, codecs and DMA stages; only the keys differ (offload.*, params.hpp).
// Report: RunResults::extra["offload"] and lines of the stdout summary.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "models/cdma/accelerator.hpp"
#include "sim/config/schema.hpp"
#include "sim/errors.hpp"
#include "sim/extension.hpp"

namespace sparsim::cdma {

namespace {

std::string fmt(const char* f, double a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}

std::uint64_t now_cycles() {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS));
}

// Forwards to the offload path and measures, independently of how the accelerator accounts its jobs, the
// time each op waited in before_job and the span of the gated FF and backward ops (the link utilisation
// denominators).
class MeteredGate : public JobGate {
 public:
  explicit MeteredGate(OffloadPath& path) : path_(path) {}
  void before_job(std::size_t op_index, const GemmOp& op) override {
    const std::uint64_t t0 = now_cycles();
    Span& s = span(op);
    if (s.first == kUnset) s.first = t0;
    path_.before_job(op_index, op);
    const std::uint64_t waited = now_cycles() - t0;
    (op.phase == Phase::FF ? offload_wait : prefetch_wait) += waited;
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

 private:
  Span& span(const GemmOp& op) { return op.phase == Phase::FF ? ff : bwd; }
  OffloadPath& path_;
};

class OffloadExtension : public RunExtension {
 public:
  JobGate* elaborate(const RunContext& context) override {
    ctx_ = &context;
    params_ = Params::from_keys(context.config, extension_key);
    vdnn_ = context.config.str("offload.mode") == "vdnn";
    prepare_offload(params_, context, tensors_, data_);
    // The DMA engine reads and writes the accelerator's own device memory (its DRAM model, which the
    // accelerator puts in the slot as it elaborates next).
    if (!context.device_memory) throw std::logic_error("offload: the run has no device-memory slot");
    path_ = std::make_unique<OffloadPath>("offload_dma", params_, vdnn_ ? Codec::None : params_.codec, context.step,
                                          tensors_, data_, context.mode, "offload.dma", context.device_memory);
    // The path's counters are reported here rather than in the accelerator's jobs: they are not the
    // accelerator's blocks, and its energy table need not know them.
    path_->attach_stats(registry_);
    gate_ = std::make_unique<MeteredGate>(*path_);
    return gate_.get();
  }

  ExtensionReport collect(const RunResults& results) override;

 private:
  const RunContext* ctx_ = nullptr;
  Params params_;
  bool vdnn_ = false;
  std::vector<TensorPlan> tensors_;
  std::vector<TensorData> data_;
  StatsRegistry registry_;
  std::unique_ptr<OffloadPath> path_;
  std::unique_ptr<MeteredGate> gate_;
};

ExtensionReport OffloadExtension::collect(const RunResults& results) {
  using json = nlohmann::ordered_json;
  const TrainingStep& step = ctx_->step;
  const Codec codec = path_->codec();
  const MeteredGate& g = *gate_;
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
      const auto& tt = path_->times()[static_cast<std::size_t>(t.id)];
      complete = complete && tt.offloaded && tt.prefetched;
      row["offload_cycles"] = tt.offload_done - tt.offload_issue;
      row["prefetch_cycles"] = tt.prefetch_done - tt.prefetch_issue;
    }
    tensors.push_back(row);
  }
  // The accelerator may not have gated every op (a model that ignores RunContext::gate): say so.
  if (g.gated_ops == 0)
    throw std::logic_error("offload: the accelerator never called the JobGate; it cannot take the extension");
  const std::uint64_t peak = path_->peak_resident_bytes();
  const double ms_per_cycle = 1e-6 / params_.clock_ghz;
  const double ratio = packed ? double(off_bytes) / double(packed) : 0.0;
  const std::uint64_t stall = g.offload_wait + g.prefetch_wait;
  auto util = [](std::uint64_t busy, std::uint64_t span) { return span ? double(busy) / double(span) : 0.0; };
  const double util_ff = util(path_->offload_link_busy(), g.ff.length());
  const double util_bwd = util(path_->prefetch_link_busy(), g.bwd.length());
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
                {"sent_bytes", path_->bytes_sent()},
                {"gpu_peak_activation_bytes_offload", peak},
                {"gpu_bytes_saved", all_bytes - peak},
                {"gpu_saved_fraction", all_bytes ? double(all_bytes - peak) / double(all_bytes) : 0.0}};
  r["link"] = {{"offload_busy_cycles", path_->offload_link_busy()},
               {"prefetch_busy_cycles", path_->prefetch_link_busy()},
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
  for (const auto& c : registry_.snapshot())
    r["counters"].push_back({{"block", c.block}, {"name", c.name}, {"value", c.value}});
  r["tensors"] = tensors;

  ExtensionReport out;
  out.data = std::move(r);
  const double mb = 1e-6;
  out.summary_lines.push_back("offload (" + std::string(vdnn_ ? "vDNN" : "cDMA") + ", codec " + codec_name(codec) +
                              ") on " + results.design_variant + ": PCIe gen" +
                              std::to_string(params_.pcie.generation) + " x" + std::to_string(params_.pcie.lanes) +
                              ", compression " + fmt("%.2fx", ratio) + ", " + fmt("%.1f MB", double(off_bytes) * mb) +
                              " offloaded, " + fmt("%.1f MB", double(all_bytes - peak) * mb) + " of GPU memory saved");
  out.summary_lines.push_back("offload stalls: " + std::to_string(g.offload_wait) + " offload-wait + " +
                              std::to_string(g.prefetch_wait) + " prefetch-wait cycles (" +
                              fmt("%.3f ms", double(stall) * ms_per_cycle) + ", " + std::to_string(g.stalled_ops) +
                              " ops held); link busy " + fmt("%.0f%%", 100 * util_ff) + " of FF, " +
                              fmt("%.0f%%", 100 * util_bwd) + " of backward");
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
  return i;
}

}  // namespace

SPARSIM_REGISTER_EXTENSION(info());

}  // namespace sparsim::cdma
