#pragma once
// One stage of the DMA data path (GPU-memory read, compressor, PCIe link, host-memory write, and the
// reverse on the prefetch path). A stage takes chunks from its input FIFO one at a time, is busy for as
// many cycles as its throughput needs for the chunk's bytes (plus packet overhead on the link; the
// device-memory stages for as long as the shared DRAM model takes to move them), and hands the chunk on; a full output
// FIFO blocks it (back-pressure), an empty input FIFO idles it. Latency (the link's) delays a chunk's arrival
// downstream without occupying the stage, so transfers pipeline.
#include <cstdint>
#include <string>

#include <systemc>

#include "models/cdma/params.hpp"
#include "models/memory/pcie_link.hpp"
#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::cdma {

struct Chunk {
  int tensor = -1;
  std::uint64_t raw_bytes = 0;     // uncompressed
  std::uint64_t packed_bytes = 0;  // after the codec (== raw_bytes when uncompressed)
  bool last = false;               // last chunk of its tensor
  std::uint64_t ready_at = 0;      // cycle from which the next stage may use it (link latency)
  std::uint64_t address = 0;       // where its raw bytes lie in device memory
};

inline std::ostream& operator<<(std::ostream& os, const Chunk& c) {
  return os << "chunk(" << c.tensor << "," << c.raw_bytes << "," << c.packed_bytes << ")";
}

struct StageSpec {
  std::string name;                  // "offload.link", ...
  bool packed = false;               // works on packed (compressed) bytes rather than raw bytes
  Rate rate;                         // bytes per cycle
  const PcieParams* pcie = nullptr;  // set on link stages: packetize with per-TLP overhead
  memory::PcieLink* link = nullptr;  // link stages: the shared PCIe block the chunk crosses
  bool link_reads = false;           // the prefetch direction: the DMA engine reads from host memory
  std::uint64_t latency_cycles = 0;
  std::string energy_action;  // charged per byte moved ("" for none)
  // Device-memory stages: the DRAM the chunk's raw bytes are read from or written to, set once the
  // accelerator has elaborated (the slot may be filled after this stage is built); the DRAM charges energy.
  const DeviceMemorySlot* device = nullptr;
  bool device_write = false;
};

// Exact time of a stage: ceil((bytes * den - credit) / num) cycles, at least 1; leftover capacity of the
// last cycle carries over as credit, so long transfers see the exact mean throughput.
class StageClock {
 public:
  explicit StageClock(Rate r) : rate_(r) {}
  std::uint64_t cycles_for(std::uint64_t bytes);
  std::uint64_t credit = 0;

 private:
  Rate rate_;
};

class Stage : public sc_core::sc_module {
 public:
  sc_core::sc_fifo_in<Chunk> in;
  sc_core::sc_fifo_out<Chunk> out;

  // The stage's counters form the StatGroup `block` (e.g. "cdma.offload.link").
  Stage(sc_core::sc_module_name name, const StageSpec& spec, TimingMode mode, const std::string& block);
  SC_HAS_PROCESS(Stage);
  StatGroup& stats() { return stats_; }
  std::uint64_t busy_cycles() const { return busy_cycles_.value; }
  // Link stages: the timeline track their wire time is drawn on (merged into bursts; "" for none).
  void set_timeline_track(std::string track) { track_ = std::move(track); }

 private:
  void run();
  void pass_on(Chunk c, std::uint64_t payload, std::uint64_t wire, std::uint64_t busy);
  StageSpec spec_;
  StatGroup stats_;
  TimingMode mode_;
  StageClock clock_;
  Counter& chunks_;
  Counter& bytes_;
  Counter& wire_bytes_;
  Counter& busy_cycles_;
  std::string track_;
};

}  // namespace sparsim::cdma
