#include "models/cdma/offload_path.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sim/timeline.hpp"

namespace sparsim::cdma {

namespace {
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
}

std::string OffloadPath::tensor_name(int tensor) const {
  const TensorPlan& t = tensors_[static_cast<std::size_t>(tensor)];
  std::string name = "input of ";
  const int layer = t.pool_input ? t.first_consumer() + 1 : t.first_consumer();
  const auto& layers = step_.network.layers;
  name += layer >= 0 && static_cast<std::size_t>(layer) < layers.size() ? layers[static_cast<std::size_t>(layer)].name
                                                                        : std::to_string(layer);
  return name;
}

OffloadPath::OffloadPath(sc_core::sc_module_name name, const Params& params, Codec codec, const TrainingStep& step,
                         const std::vector<TensorPlan>& tensors, const std::vector<TensorData>& data, TimingMode mode,
                         const std::string& block_prefix, const DeviceMemorySlot* device)
    : sc_core::sc_module(name),
      params_(params),
      device_(device),
      codec_(codec),
      step_(step),
      tensors_(tensors),
      data_(data) {
  const std::size_t n = tensors.size(), layers = step.network.layers.size();
  times_.resize(n);
  for (std::size_t t = 0; t < n; ++t) {
    offload_done_ev_.push_back(std::make_unique<sc_core::sc_event>());
    prefetch_done_ev_.push_back(std::make_unique<sc_core::sc_event>());
  }
  resident_.assign(n, false);
  prefetch_issued_.assign(n, false);
  ff_started_.assign(layers, false);
  bwd_started_.assign(layers, false);
  last_bwd_op_.assign(layers, kNone);
  for (std::size_t i = 0; i < step.ops.size(); ++i)
    if (step.ops[i].phase != Phase::FF) last_bwd_op_[static_cast<std::size_t>(step.ops[i].layer_index)] = i;

  const bool compressed = codec != Codec::None;
  const std::uint64_t lat = params.latency_cycles();
  const std::size_t slots =
      static_cast<std::size_t>(std::max<std::int64_t>(1, params.buffer_bytes / params.chunk_bytes));
  link_ = std::make_unique<memory::PcieLink>("pcie", params.pcie.link_spec(), mode, params.clock_ghz,
                                             block_prefix + ".pcie");
  std::vector<StageSpec> out_specs, in_specs;
  // Energy (docs/energy.md): the (de)compressors per uncompressed byte, the link per wire byte of its
  // generation (charged by the PcieLink block), host memory per DDR4 byte.
  const std::string pcie = memory::pcie_energy_action(params.pcie.generation);
  std::string compress_action = codec_name(codec), decompress_action = codec_name(codec);
  compress_action += "_compress_byte";
  decompress_action += "_decompress_byte";
  out_specs.push_back({"gpu_read", false, {}, nullptr, nullptr, false, 0, "", device, false});
  if (compressed)
    out_specs.push_back(
        {"compressor", false, params.codec_rate(codec), nullptr, nullptr, false, 0, compress_action, nullptr, false});
  out_specs.push_back({"link_out", true, params.link_rate(), &params_.pcie, link_.get(), false, lat, pcie});
  out_specs.push_back({"host_write", true, params.host_rate(), nullptr, nullptr, false, 0, "host_ddr4_write_byte"});
  in_specs.push_back({"host_read", true, params.host_rate(), nullptr, nullptr, false, 0, "host_ddr4_read_byte"});
  in_specs.push_back({"link_in", true, params.link_rate(), &params_.pcie, link_.get(), true, lat, pcie});
  if (compressed)
    in_specs.push_back({"decompressor", false, params.codec_rate(codec), nullptr, nullptr, false, 0, decompress_action,
                        nullptr, false});
  in_specs.push_back({"gpu_write", false, {}, nullptr, nullptr, false, 0, "", device, true});
  // Staging buffers: offload, between the compressor (or GPU read) and the link; prefetch, after the link.
  build_chain(offload_, out_specs, compressed ? 2 : 1, slots, mode, block_prefix);
  build_chain(prefetch_, in_specs, 2, slots, mode, block_prefix);
  SC_THREAD(issue_offload_thread);
  SC_THREAD(issue_prefetch_thread);
  SC_THREAD(complete_offload_thread);
  SC_THREAD(complete_prefetch_thread);
}

void OffloadPath::build_chain(Chain& chain, const std::vector<StageSpec>& specs, std::size_t buffer_after,
                              std::size_t buffer_slots, TimingMode mode, const std::string& block_prefix) {
  chain.requests = std::make_unique<sc_core::sc_fifo<int>>(static_cast<int>(tensors_.size() + 1));
  for (std::size_t i = 0; i <= specs.size(); ++i) {
    // fifos[i] feeds stage i; the fifo after stage buffer_after-1 is the staging buffer.
    const int depth = i == buffer_after ? static_cast<int>(buffer_slots) : 2;
    chain.fifos.push_back(std::make_unique<sc_core::sc_fifo<Chunk>>(depth));
  }
  for (std::size_t i = 0; i < specs.size(); ++i) {
    auto stage = std::make_unique<Stage>(specs[i].name.c_str(), specs[i], mode, block_prefix + "." + specs[i].name);
    stage->in(*chain.fifos[i]);
    stage->out(*chain.fifos[i + 1]);
    if (specs[i].pcie) chain.link = stage.get();
    chain.stages.push_back(std::move(stage));
  }
}

void OffloadPath::attach_stats(StatsRegistry& registry) {
  registry.attach(link_->stats);
  for (auto& s : offload_.stages) registry.attach(s->stats());
  for (auto& s : prefetch_.stages) registry.attach(s->stats());
}

void OffloadPath::set_timeline_label(const std::string& label) {
  label_ = label;
  offload_.link->set_timeline_track(label + " PCIe out");
  prefetch_.link->set_timeline_track(label + " PCIe in");
}

std::uint64_t OffloadPath::offload_link_busy() const { return offload_.link->busy_cycles(); }
std::uint64_t OffloadPath::prefetch_link_busy() const { return prefetch_.link->busy_cycles(); }

std::uint64_t OffloadPath::now() const {
  return static_cast<std::uint64_t>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS));
}

// A tensor lies where the compute reads it: the input activation of its first consumer (a pool input,
// the conv's output: the next layer's input region).
std::uint64_t OffloadPath::tensor_address(const TensorPlan& t) {
  if (!layout_) {
    if (!device_ || !device_->dram) throw std::logic_error("cdma: the accelerator set no device memory");
    layout_ = std::make_unique<DeviceLayout>(step_, params_.bytes_per_element,
                                             static_cast<std::uint64_t>(device_->dram->spec().capacity_bytes()));
  }
  return layout_->activation(t.pool_input ? t.first_consumer() + 1 : t.first_consumer());
}

void OffloadPath::feed(Chain& chain, int tensor) {
  const TensorData& d = data_[static_cast<std::size_t>(tensor)];
  const std::uint64_t n = d.chunk_count();
  const std::uint64_t base = tensor_address(tensors_[static_cast<std::size_t>(tensor)]);
  std::uint64_t offset = 0;
  for (std::uint64_t j = 0; j < n; ++j) {
    Chunk c;
    c.tensor = tensor;
    c.address = base + offset;
    c.raw_bytes = d.raw_of(j);
    c.packed_bytes = d.packed_of(codec_, j);
    c.last = j + 1 == n;
    offset += c.raw_bytes;
    chain.fifos.front()->write(c);
  }
}

void OffloadPath::issue_offload_thread() {
  for (;;) feed(offload_, offload_.requests->read());
}

void OffloadPath::issue_prefetch_thread() {
  for (;;) feed(prefetch_, prefetch_.requests->read());
}

void OffloadPath::complete_offload_thread() {
  for (;;) {
    const Chunk c = offload_.fifos.back()->read();
    bytes_sent_ += c.packed_bytes;
    if (!c.last) continue;
    // The last byte is written in host memory once the link latency has passed too.
    if (c.ready_at > now()) wait(static_cast<double>(c.ready_at - now()), sc_core::SC_NS);
    auto& t = times_[static_cast<std::size_t>(c.tensor)];
    t.offloaded = true;
    t.offload_done = now();
    if (Timeline* tl = active_timeline(); tl && !label_.empty()) {
      const std::uint64_t from = std::max(t.offload_issue, last_offload_done_);
      tl->slice(label_ + " offloads", tensor_name(c.tensor), from, t.offload_done,
                {{"issued", t.offload_issue}, {"bytes", tensors_[static_cast<std::size_t>(c.tensor)].bytes}});
    }
    last_offload_done_ = t.offload_done;
    offload_done_ev_[static_cast<std::size_t>(c.tensor)]->notify(sc_core::SC_ZERO_TIME);
  }
}

void OffloadPath::complete_prefetch_thread() {
  for (;;) {
    const Chunk c = prefetch_.fifos.back()->read();
    if (!c.last) continue;
    auto& t = times_[static_cast<std::size_t>(c.tensor)];
    t.prefetched = true;
    t.prefetch_done = now();
    if (Timeline* tl = active_timeline(); tl && !label_.empty()) {
      const std::uint64_t from = std::max(t.prefetch_issue, last_prefetch_done_);
      tl->slice(label_ + " prefetches", tensor_name(c.tensor), from, t.prefetch_done,
                {{"issued", t.prefetch_issue}, {"bytes", tensors_[static_cast<std::size_t>(c.tensor)].bytes}});
    }
    last_prefetch_done_ = t.prefetch_done;
    prefetch_done_ev_[static_cast<std::size_t>(c.tensor)]->notify(sc_core::SC_ZERO_TIME);
  }
}

void OffloadPath::alloc(int tensor) {
  if (resident_[static_cast<std::size_t>(tensor)]) return;
  resident_[static_cast<std::size_t>(tensor)] = true;
  resident_bytes_ += tensors_[static_cast<std::size_t>(tensor)].bytes;
  peak_resident_ = std::max(peak_resident_, resident_bytes_);
}

void OffloadPath::release(int tensor) {
  if (!resident_[static_cast<std::size_t>(tensor)]) return;
  resident_[static_cast<std::size_t>(tensor)] = false;
  resident_bytes_ -= tensors_[static_cast<std::size_t>(tensor)].bytes;
}

void OffloadPath::issue_offload(const TensorPlan& t) {
  alloc(t.id);
  if (!t.offloaded) return;
  times_[static_cast<std::size_t>(t.id)].offload_issue = now();
  offload_.requests->write(t.id);
}

void OffloadPath::issue_prefetch(const TensorPlan& t) {
  if (prefetch_issued_[static_cast<std::size_t>(t.id)]) return;
  prefetch_issued_[static_cast<std::size_t>(t.id)] = true;
  alloc(t.id);
  times_[static_cast<std::size_t>(t.id)].prefetch_issue = now();
  prefetch_.requests->write(t.id);
}

void OffloadPath::before_job(std::size_t, const GemmOp& op) {
  const int layer = op.layer_index;
  const auto L = static_cast<std::size_t>(layer);
  if (op.phase == Phase::FF) {
    if (ff_started_[L]) return;
    ff_started_[L] = true;
    for (const auto& t : tensors_) {
      if (!t.offloaded || t.release_layer != layer) continue;
      auto& tt = times_[static_cast<std::size_t>(t.id)];
      while (!tt.offloaded) sc_core::wait(*offload_done_ev_[static_cast<std::size_t>(t.id)]);
      release(t.id);  // the GPU copy is dropped once it is safely in host memory
    }
    for (const auto& t : tensors_)
      if (t.issue_layer == layer && !t.pool_input) issue_offload(t);
    return;
  }
  if (bwd_started_[L]) return;
  bwd_started_[L] = true;
  for (const auto& t : tensors_) {
    if (!t.offloaded || t.need_layer != layer) continue;
    issue_prefetch(t);  // normally issued already, as the previous layer's backward started
    auto& tt = times_[static_cast<std::size_t>(t.id)];
    while (!tt.prefetched) sc_core::wait(*prefetch_done_ev_[static_cast<std::size_t>(t.id)]);
  }
  for (const auto& t : tensors_)
    if (t.offloaded && t.prefetch_layer == layer) issue_prefetch(t);
}

void OffloadPath::after_job(std::size_t op_index, const GemmOp& op) {
  const auto L = static_cast<std::size_t>(op.layer_index);
  if (op.phase == Phase::FF) {
    // The pool after this conv starts now: its input (this conv's output) goes out as it runs.
    for (const auto& t : tensors_)
      if (t.pool_input && t.issue_layer == op.layer_index) issue_offload(t);
    return;
  }
  if (last_bwd_op_[L] != op_index) return;
  for (const auto& t : tensors_)
    if (t.free_layer == op.layer_index) release(t.id);
}

}  // namespace sparsim::cdma
