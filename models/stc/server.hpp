#pragma once
// The one timing primitive of the GPU model: a bandwidth server. Transfers queue at it in arrival order
// and each occupies it for ceil(units * den / num) cycles (num/den units per cycle); a per-hop latency is
// added on the way in, so latency is pipelined while bandwidth is not. HBM, the L2, each SM's L2 port,
// shared-memory banks, the register-file read-out and the tensor-core pipe are servers; a transfer walks
// a route of them (for example HBM -> L2 -> SM port -> shared memory) and signals its event at the end.
// Service time runs on an exact fractional timeline (back-to-back transfers share a cycle); fast mode waits
// until the end at once, detailed mode ticks cycle by cycle until it; both wake on the same cycle (tests
// check that whole runs agree).
#include <tlm_utils/peq_with_get.h>
#include <systemc>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::stc {

class Server;

struct Hop {
  Server* server = nullptr;
  std::int64_t left = -1;    // units still to serve at a slicing server (-1: not arrived yet)
  std::int64_t latency = 0;  // cycles added before the transfer reaches this server
  std::int64_t units = 0;    // bytes (or cycles for the tensor-core pipe) it costs there
  bool write = false;        // counted as a write at this server
};

struct Transfer {
  std::array<Hop, 6> hops{};
  int n_hops = 0;
  int hop = 0;
  bool done = true;
  std::uint64_t weight = 1;  // events counted per unit (representative-SM mode stands for several SMs)
  sc_core::sc_event done_event;

  void clear(std::uint64_t w) {
    n_hops = 0;
    hop = 0;
    done = false;
    weight = w;
  }
  void add(Server* s, std::int64_t latency, std::int64_t units, bool write = false) {
    hops[static_cast<std::size_t>(n_hops++)] = Hop{s, -1, latency, units, write};
  }
  void start();    // sends it to its first hop (after that hop's latency)
  void advance();  // called by a server when done with the current hop
  void wait_done() {
    while (!done) sc_core::wait(done_event);
  }
};

// One logical transfer cut into pieces of at most `piece` units (at its largest hop) that walk the route
// independently, so the hops overlap as in cut-through hardware instead of each hop storing and forwarding
// a whole chunk.
class Flow {
 public:
  struct Leg {
    Server* server;
    std::int64_t latency, units;
    bool write;
  };
  void start(const std::vector<Leg>& legs, std::uint64_t weight, std::int64_t piece);
  void wait_done();

 private:
  std::vector<std::unique_ptr<Transfer>> pieces_;
  std::size_t used_ = 0;
};

class Server : public sc_core::sc_module {
 public:
  // Counters may be shared by many servers of the same kind (all SMs' ports, say); null: not counted.
  // slice > 0: serve at most `slice` units of a transfer at a time, then put it behind the transfers
  // waiting (round robin). Shared servers (L2, HBM) slice, standing for their many slices and channels
  // serving concurrent requests side by side rather than whole chunks one after another.
  Server(const sc_core::sc_module_name& name, std::int64_t num, std::int64_t den, TimingMode mode, Counter* reads,
         Counter* writes, Counter* busy, std::int64_t slice = 0);
  void push(Transfer* t, std::int64_t delay_cycles);
  // Representative-SM mode: the simulated SM's CTAs get `mult` of `den` equal shares of the bandwidth
  // (the other CTAs of the wave take the rest). Applies to transfers served from now on.
  void set_share(std::int64_t mult, std::int64_t den) {
    num_ = base_num_ * mult;
    den_ = base_den_ * den;
  }

 private:
  void run();
  void serve(std::int64_t units, bool queued);
  double free_at_ = 0.0;  // cycle (fractional) at which the last service ends
  tlm_utils::peq_with_get<Transfer> peq_;
  std::int64_t slice_;
  std::int64_t base_num_, base_den_, num_, den_;
  TimingMode mode_;
  Counter *reads_, *writes_, *busy_;  // busy: cycles at full bandwidth of the units served (x weight)
};

}  // namespace sparsim::stc
