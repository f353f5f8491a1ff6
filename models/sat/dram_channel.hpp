#pragma once
// One DRAM channel: a request queue (sc_fifo of queue_depth), a data bus moving bandwidth bytes per cycle
// in whole bursts, and a fixed latency from a request's last transfer to its completion. Requests are
// served in arrival order, so loads, stores and the mask unit's traffic contend for the same bus.
#include <cstdint>

#include <systemc>

#include "dataflows/sat/sat_geometry.hpp"
#include "sim/stats.hpp"

namespace sparsim::sat {

struct DramRequest {
  i64 bursts = 0;
  bool write = false;
  i64 bytes = 0;  // payload (bursts * burst_bytes >= bytes)
  bool done = false;
  sc_core::sc_time transfer_end;
  sc_core::sc_event finished;
  void wait_done(i64 latency_cycles);  // from the requester's thread: waits for transfer + latency
};

class DramChannel : public sc_core::sc_module {
 public:
  DramChannel(sc_core::sc_module_name name, const Hw& hw, bool detailed, StatsRegistry& stats);
  // Enqueues a request (blocks the calling thread while the queue is full).
  void submit(DramRequest* r) { queue_.write(r); }
  const Hw& hw() const { return hw_; }

  StatGroup stats{"dram"};

 private:
  void serve();
  Hw hw_;
  bool detailed_;
  sc_core::sc_fifo<DramRequest*> queue_;
  Counter& read_bytes_;
  Counter& write_bytes_;
  Counter& read_bursts_;
  Counter& write_bursts_;
  Counter& busy_cycles_;
  Counter& requests_;
};

}  // namespace sparsim::sat
