#pragma once
// The vDNN offload path of a GPU training step and its controller. It couples to any accelerator through
// JobGate (sim/accelerator.hpp): the accelerator calls before_job/after_job around each op of its design
// variant, and the controller stalls it by waiting in before_job. The rules (Rhu et al., vDNN, MICRO 2016):
//  - FF of layer L issues the offload of L's input tensor as it starts (overlapped with L's compute); a
//    pool's input (conv L's output) is issued as conv L's FF ends, overlapped with the (unmodelled) pool;
//  - FF of layer L may not start until the offload of every tensor whose last reader is before L is done
//    (its GPU buffer is released then);
//  - the backward ops (BP, WU) of layer L may not start until the prefetch of every tensor L reads is done;
//    as L's backward starts, the prefetch of the tensors that layer L-1 needs next is issued;
//  - a tensor's GPU buffer is freed after the backward of its first reader.
// The per-tensor layers of these rules come from the plan (plan.hpp).
// Data path, one chain of Stage blocks per PCIe direction:
//   offload:  GPU memory read -> compressor -> staging buffer -> PCIe link -> host memory write
//   prefetch: host memory read -> PCIe link -> staging buffer -> decompressor -> GPU memory write
// The GPU-memory stages move each chunk through the accelerator's own DRAM model (its device memory), at
// the tensor's address, so offload and compute contend for banks, rows and buses.
// With codec None (plain vDNN) the (de)compressor stages are absent.
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>

#include "models/cdma/device_layout.hpp"
#include "models/cdma/params.hpp"
#include "models/cdma/plan.hpp"
#include "models/cdma/samples.hpp"
#include "models/cdma/stage.hpp"
#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::cdma {

struct TensorTimes {
  std::uint64_t offload_issue = 0, offload_done = 0, prefetch_issue = 0, prefetch_done = 0;
  bool offloaded = false, prefetched = false;
};

class OffloadPath : public sc_core::sc_module, public JobGate {
 public:
  // `tensors` and `data` must outlive the simulation. `block_prefix` names the StatGroups ("cdma.dma").
  // `device`: the device memory the DMA reads tensors from and prefetches them into (filled by the time
  // the simulation runs; it must outlive it).
  OffloadPath(sc_core::sc_module_name name, const Params& params, Codec codec, const TrainingStep& step,
              const std::vector<TensorPlan>& tensors, const std::vector<TensorData>& data, TimingMode mode,
              const std::string& block_prefix, const DeviceMemorySlot* device);
  SC_HAS_PROCESS(OffloadPath);

  void before_job(std::size_t op_index, const GemmOp& op) override;
  void after_job(std::size_t op_index, const GemmOp& op) override;

  void attach_stats(StatsRegistry& registry);
  const std::vector<TensorTimes>& times() const { return times_; }
  std::uint64_t peak_resident_bytes() const { return peak_resident_; }
  std::uint64_t offload_link_busy() const;
  std::uint64_t prefetch_link_busy() const;
  std::uint64_t bytes_sent() const { return bytes_sent_; }  // packed payload bytes offloaded
  Codec codec() const { return codec_; }
  // Names its timeline tracks ("cdma: vdnn", "offload: design"): per-tensor offloads and prefetches, and
  // the PCIe link's wire time in each direction, merged into bursts.
  void set_timeline_label(const std::string& label);

 private:
  std::unique_ptr<memory::PcieLink> link_;  // both chains cross it (offload writes, prefetch reads)
  struct Chain {
    std::vector<std::unique_ptr<Stage>> stages;
    std::vector<std::unique_ptr<sc_core::sc_fifo<Chunk>>> fifos;  // fifos[0] feeds stages[0]; back() is the sink
    std::unique_ptr<sc_core::sc_fifo<int>> requests;              // tensor ids to move
    Stage* link = nullptr;
  };
  void build_chain(Chain& chain, const std::vector<StageSpec>& specs, std::size_t buffer_after,
                   std::size_t buffer_slots, TimingMode mode, const std::string& block_prefix);
  void issue_offload_thread();
  void issue_prefetch_thread();
  void complete_offload_thread();
  void complete_prefetch_thread();
  void feed(Chain& chain, int tensor);
  void issue_offload(const TensorPlan& t);
  void issue_prefetch(const TensorPlan& t);
  void alloc(int tensor);
  void release(int tensor);
  std::uint64_t now() const;
  std::uint64_t tensor_address(const TensorPlan& t);
  std::string tensor_name(int tensor) const;

  Params params_;
  const DeviceMemorySlot* device_;
  std::unique_ptr<DeviceLayout> layout_;  // made at the first transfer, when the device memory is known
  Codec codec_;
  const TrainingStep& step_;
  const std::vector<TensorPlan>& tensors_;
  const std::vector<TensorData>& data_;
  Chain offload_, prefetch_;
  std::vector<TensorTimes> times_;
  std::vector<std::unique_ptr<sc_core::sc_event>> offload_done_ev_, prefetch_done_ev_;
  std::vector<bool> resident_, prefetch_issued_, ff_started_, bwd_started_;
  std::vector<std::size_t> last_bwd_op_;  // per layer: index of its last backward op (SIZE_MAX: none)
  std::uint64_t resident_bytes_ = 0, peak_resident_ = 0, bytes_sent_ = 0;
  std::string label_;
  std::uint64_t last_offload_done_ = 0, last_prefetch_done_ = 0;  // the tensor slices never overlap
};

// The plan of the step's activation tensors and their sampled, really compressed data (prepare.cpp); the
// cdma accelerator and the offload extension share it. workload.sparsity.activation_density, when set,
// overrides the density profile.
void prepare_offload(const Params& params, const RunContext& context, std::vector<TensorPlan>& tensors,
                     std::vector<TensorData>& data);

}  // namespace sparsim::cdma
