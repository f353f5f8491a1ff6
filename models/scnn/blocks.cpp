#include "models/scnn/blocks.hpp"

#include <cmath>

namespace sparsim::scnn {

using sc_core::SC_NS;
using sc_core::sc_time;

void wait_cycles(std::uint64_t n, TimingMode mode) {
  if (n == 0) return;
  if (mode == TimingMode::Fast) {
    sc_core::wait(sc_time(static_cast<double>(n), SC_NS));
  } else {
    for (std::uint64_t i = 0; i < n; ++i) sc_core::wait(sc_time(1, SC_NS));
  }
}

DrainUnit::DrainUnit(sc_core::sc_module_name name, TimingMode mode) : sc_module(name), mode_(mode), buffers_(2) {
  SC_HAS_PROCESS(DrainUnit);
  SC_THREAD(run);
}

void DrainUnit::acquire_buffer() { buffers_.wait(); }

void DrainUnit::post(std::uint64_t halo_cycles, std::uint64_t ppu_cycles) {
  jobs_.push_back({halo_cycles, ppu_cycles});
  kick_.notify(sc_core::SC_ZERO_TIME);
}

void DrainUnit::wait_idle() {
  while (busy_ || !jobs_.empty()) sc_core::wait(idle_);
}

void DrainUnit::run() {
  for (;;) {
    while (jobs_.empty()) sc_core::wait(kick_);
    busy_ = true;
    const Job j = jobs_.front();
    jobs_.pop_front();
    // Halos first: a PE's own outputs are complete only once its neighbours' partial sums have arrived.
    wait_cycles(j.halo, mode_);
    wait_cycles(j.ppu, mode_);
    buffers_.post();
    busy_ = false;
    if (jobs_.empty()) idle_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace sparsim::scnn
