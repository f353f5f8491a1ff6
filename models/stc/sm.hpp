#pragma once
// One streaming multiprocessor: its L2 port, shared memory (banks as one bandwidth server for the MMA operand
// reads, and the TMA's write path into it, or the same server when accelerator.sm.tma_fill_bytes_per_cycle is
// 0), register-file read-out and tensor-core pipe, and one CTA slot per CTA the kernel menu can keep resident
// on an SM.
// Each slot is a persistent CTA: a producer (TMA-like loader) that streams k-chunks of A (+ metadata) and
// B into a ring of shared-memory stages, and a consumer (the warpgroups' MMAs) that waits for a full
// stage, runs its MMAs, frees the stage and, after the last chunk of a tile, runs the epilogue.
#include <systemc>

#include <array>
#include <memory>
#include <vector>

#include "models/stc/job.hpp"
#include "models/stc/server.hpp"

namespace sparsim::stc {

// Counters shared by all SMs (one StatGroup per block kind keeps reports short).
struct SmCounters {
  Counter *port_read, *port_write, *smem_read, *smem_write, *rf_read, *tc_busy, *macs;
};

struct SharedMemory {  // the GPU-wide blocks every SM reaches
  Server* l2 = nullptr;
  Station* hbm = nullptr;
};

// Largest piece a chunk's transfer is cut into (bytes): 32 sectors of 128 B.
constexpr std::int64_t kPieceBytes = 4096;

class Slot : public sc_core::sc_module {
 public:
  Slot(const sc_core::sc_module_name& name, int sm_index, int index, JobContext& job, const gemm::GpuMachine& m,
       Server& port, Server& smem, Server& fill, Server& rf, Server& tc, SharedMemory mem, Counter& macs);

 private:
  void load();
  void consume();
  struct Stage {
    Flow a, b;
  };
  int sm_index_, index_;
  JobContext& job_;
  const gemm::GpuMachine& m_;
  Server &port_, &smem_, &fill_, &rf_, &tc_;
  SharedMemory mem_;
  Counter& macs_;
  sc_core::sc_fifo<std::int64_t> ctas_;  // loader -> consumer: the CTA whose chunks follow (-1: done)
  sc_core::sc_fifo<int> free_;           // free stage indices
  std::array<Stage, 32> stages_;
  Transfer read_, mma_, epi_;
  Flow store_;
  std::array<Flow, 4> writeback_;  // posted HBM writes of stored tiles
  std::size_t wb_next_ = 0;
};

class Sm : public sc_core::sc_module {
 public:
  // `slots`: the most CTAs a plan can keep resident (max_resident_slots); a plan using fewer leaves the
  // rest idle.
  Sm(const sc_core::sc_module_name& name, int sm_index, JobContext& job, const gemm::GpuMachine& m, TimingMode mode,
     SharedMemory mem, SmCounters& counters, int slots);

 private:
  Server port_, smem_, rf_, tc_;
  std::unique_ptr<Server> fill_;  // the TMA's own write path; null when fills share smem_
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace sparsim::stc
