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

DramChannel::DramChannel(sc_core::sc_module_name name, double bytes_per_cycle, int latency_cycles, TimingMode mode)
    : sc_module(name), bytes_per_cycle_(bytes_per_cycle), latency_(latency_cycles), mode_(mode) {
  SC_HAS_PROCESS(DramChannel);
  SC_THREAD(serve);
}

std::shared_ptr<DramChannel::Request> DramChannel::submit(std::uint64_t bytes) {
  auto r = std::make_shared<Request>();
  r->bytes = bytes;
  if (bytes == 0) {
    r->finished = true;
    return r;
  }
  queue_.push_back(r);
  kick_.notify(sc_core::SC_ZERO_TIME);
  return r;
}

void DramChannel::wait_for(const std::shared_ptr<Request>& r) {
  while (!r->finished) sc_core::wait(r->done);
}

void DramChannel::wait_idle() {
  while (busy_ || !queue_.empty()) sc_core::wait(idle_);
}

void DramChannel::serve() {
  for (;;) {
    while (queue_.empty()) sc_core::wait(kick_);
    busy_ = true;
    auto r = queue_.front();
    queue_.pop_front();
    if (mode_ == TimingMode::Fast) {
      const auto n = static_cast<std::uint64_t>(latency_) +
                     static_cast<std::uint64_t>(std::ceil(static_cast<double>(r->bytes) / bytes_per_cycle_));
      wait_cycles(n, mode_);
      busy_cycles_ += n;
    } else {
      // Detailed: the latency, then one beat of bytes_per_cycle per cycle until the request is moved.
      wait_cycles(static_cast<std::uint64_t>(latency_), mode_);
      busy_cycles_ += static_cast<std::uint64_t>(latency_);
      double left = static_cast<double>(r->bytes);
      while (left > 0) {
        wait_cycles(1, mode_);
        ++busy_cycles_;
        left -= bytes_per_cycle_;
      }
    }
    r->finished = true;
    r->done.notify(sc_core::SC_ZERO_TIME);
    busy_ = false;
    if (queue_.empty()) idle_.notify(sc_core::SC_ZERO_TIME);
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
