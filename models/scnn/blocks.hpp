#pragma once
// The blocks around the PE grid (DRAM is the shared models/memory block): the drain unit that,
// after a group's barrier, exchanges output halos between neighbouring PEs and runs the post-processing
// unit (ReLU, compression into the OARAM) while the grid works on the next group in the other half of the
// double-buffered accumulators.
#include <cstdint>
#include <deque>
#include <memory>

#include <systemc>

#include "sim/accelerator.hpp"

namespace sparsim::scnn {

// Halo exchange plus post-processing of one finished group: `halo_cycles` then `ppu_cycles`; it holds one of
// the two accumulator buffers until it is done.
class DrainUnit : public sc_core::sc_module {
 public:
  DrainUnit(sc_core::sc_module_name name, TimingMode mode);
  void acquire_buffer();  // the grid takes a free accumulator buffer (blocks while both are draining)
  void post(std::uint64_t halo_cycles, std::uint64_t ppu_cycles);  // hand a filled buffer over
  void wait_idle();

 private:
  void run();
  struct Job {
    std::uint64_t halo = 0, ppu = 0;
  };
  TimingMode mode_;
  sc_core::sc_semaphore buffers_;
  std::deque<Job> jobs_;
  sc_core::sc_event kick_, idle_;
  bool busy_ = false;
};

// Waits n cycles: one wait in fast mode, n single-cycle waits in detailed mode.
void wait_cycles(std::uint64_t n, TimingMode mode);

}  // namespace sparsim::scnn
