#pragma once
// The built-in compute model of the offload study: a GPU as a roofline whose memory side is the shared
// DRAM model. Each op moves its tensors once each (FF: W, X -> Y; BP: W, dY -> dX; WU: dY, X -> dW;
// elements of accelerator.compute.bytes_per_element) through the GPU's DRAM at their addresses
// (device_layout.hpp) while it computes ceil(MACs / macs_per_cycle) cycles; the op ends when both are done.
// The DMA engine's reads and writes go through the same DRAM, so offload slows memory-bound ops. The
// best case of a tuned GEMM/conv library otherwise, so offload stalls are if anything overstated.
// roofline_cost() is the closed form at the DRAM's peak bandwidth (reported as the op's bound). Ops run in order;
// around each op the compute block calls JobGate::before_job/after_job (the offload controller), and time spent waiting
// in before_job is the op's stall.
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/cdma/device_layout.hpp"
#include "models/cdma/params.hpp"
#include "models/memory/dram_module.hpp"
#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::cdma {

struct RooflineCost {
  std::uint64_t compute_cycles = 0, memory_cycles = 0, bytes = 0;
  std::uint64_t cycles() const { return compute_cycles > memory_cycles ? compute_cycles : memory_cycles; }
};
RooflineCost roofline_cost(const Params& p, const TrainingStep& step, const GemmOp& op);

struct OpRecord {
  std::uint64_t start = 0;  // the previous op's end (or 0): the op's time includes its gate stall
  std::uint64_t stall = 0;  // cycles waited in JobGate::before_job
  std::uint64_t end = 0;
  RooflineCost cost;
  std::vector<CounterSample> counters;
};

class RooflineCompute : public sc_core::sc_module {
 public:
  RooflineCompute(sc_core::sc_module_name name, const Params& params, const TrainingStep& step, TimingMode mode,
                  JobGate* gate, StatsRegistry& registry, const std::string& block, memory::DramModule& dram);
  SC_HAS_PROCESS(RooflineCompute);
  const std::vector<OpRecord>& records() const { return records_; }
  bool finished() const { return finished_; }

 private:
  void run();
  void settle();
  Params params_;
  const TrainingStep& step_;
  TimingMode mode_;
  JobGate* gate_;
  StatsRegistry& registry_;
  StatGroup stats_;
  Counter& macs_;
  Counter& dram_bytes_;
  Counter& busy_cycles_;
  Counter& stall_cycles_;
  memory::DramModule& dram_;
  DeviceLayout layout_;
  std::vector<OpRecord> records_;
  bool finished_ = false;
  std::string label_;  // timeline tracks: "cdma: oracle" from block "cdma.oracle.gpu"
};

}  // namespace sparsim::cdma
