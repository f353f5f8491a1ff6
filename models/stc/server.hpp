#pragma once
// The one timing primitive of the GPU model: a bandwidth server. Transfers queue at it in arrival order
// and each occupies it for ceil(units * den / num) cycles (num/den units per cycle); a per-hop latency is
// added on the way in, so latency is pipelined while bandwidth is not. HBM, the L2, each SM's L2 port,
// shared-memory banks, the register-file read-out and the tensor-core pipe are servers; a transfer walks
// a route of them (for example HBM -> L2 -> SM port -> shared memory) and signals its event at the end.
// Fast mode waits the service time at once; detailed mode ticks cycle by cycle accumulating credit, which
// gives the same cycle by construction (tests check that both agree).
#include <systemc>
#include <tlm_utils/peq_with_get.h>

#include <array>
#include <cstdint>

#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::stc {

class Server;

struct Hop {
  Server* server = nullptr;
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
    hops[static_cast<std::size_t>(n_hops++)] = Hop{s, latency, units, write};
  }
  void start();    // sends it to its first hop (after that hop's latency)
  void advance();  // called by a server when done with the current hop
  void wait_done() {
    while (!done) sc_core::wait(done_event);
  }
};

class Server : public sc_core::sc_module {
 public:
  // Counters may be shared by many servers of the same kind (all SMs' ports, say); null: not counted.
  Server(const sc_core::sc_module_name& name, std::int64_t num, std::int64_t den, TimingMode mode, Counter* reads,
         Counter* writes, Counter* busy);
  void push(Transfer* t, std::int64_t delay_cycles);
  // Bandwidth num/den units per cycle; den may change between transfers (representative-SM share).
  void set_den(std::int64_t den) { den_ = den; }
  std::int64_t num() const { return num_; }

 private:
  void run();
  void serve(std::int64_t units);
  tlm_utils::peq_with_get<Transfer> peq_;
  std::int64_t num_, den_;
  TimingMode mode_;
  Counter *reads_, *writes_, *busy_;
};

}  // namespace sparsim::stc
