#pragma once
// The one timing primitive of the GPU model: a bandwidth server. Transfers queue at it and each occupies it
// for units * den / num cycles (num/den units per cycle); a per-hop latency (at least one cycle) is added on
// the way in, so latency is pipelined while bandwidth is not. The L2, each SM's L2 port, shared-memory
// banks, the register-file read-out and the tensor-core pipe are servers; the HBM is a Station of its own
// (hbm_station.hpp, the shared DRAM model). A transfer walks a route of stations (for example HBM -> L2 ->
// SM port -> shared memory) and signals its event at the end.
// Service runs on an exact fractional timeline (back-to-back transfers share a cycle). A server serves
// waiting transfers in order of (arrival cycle, key), keys being fixed at elaboration, and every arrival
// is at least one cycle after the push: so the order never depends on how SystemC schedules processes
// within a cycle, and a server's fast mode (wait until the end at once) and detailed mode (tick every
// cycle) give the same cycles by construction; the HBM's two modes are different code (tests bound them).
#include <systemc>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "models/memory/dram_module.hpp"
#include "sim/accelerator.hpp"
#include "sim/stats.hpp"

namespace sparsim::stc {

class Server;
struct Transfer;

// Where a transfer's hop is served: a bandwidth server, or the HBM (models/stc/hbm_station.hpp).
class Station {
 public:
  virtual ~Station() = default;
  // Takes the transfer `delay_cycles` (at least one) from now; calls t->advance() when done with it.
  virtual void push(Transfer* t, std::int64_t delay_cycles) = 0;
};

struct Hop {
  Station* server = nullptr;
  std::int64_t latency = 0;  // cycles added before the transfer reaches this server
  std::int64_t units = 0;    // bytes (or cycles for the tensor-core pipe) it costs there
  bool write = false;        // counted as a write at this server
};

struct Transfer {
  Transfer();
  std::array<Hop, 6> hops{};
  int n_hops = 0;
  int hop = 0;
  bool done = true;
  std::uint64_t weight = 1;  // events counted per unit (representative-SM mode stands for several SMs)
  // Share of a shared server's bandwidth this transfer's SM gets (representative-SM mode): mult / den.
  std::int64_t share_mult = 1, share_den = 1;
  std::uint64_t key = 0;    // tie-break among same-cycle arrivals, fixed at elaboration
  std::int64_t arrive = 0;  // cycle it reaches its current hop
  sc_core::sc_event done_event;
  std::vector<memory::DramModule::Block> dram;  // what its HBM hop reads or writes, by address

  void clear(std::uint64_t w, std::int64_t mult = 1, std::int64_t den = 1) {
    n_hops = 0;
    hop = 0;
    done = false;
    weight = w;
    share_mult = mult;
    share_den = den;
  }
  void add(Station* s, std::int64_t latency, std::int64_t units, bool write = false) {
    hops[static_cast<std::size_t>(n_hops++)] = Hop{s, latency, units, write};
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
  Flow();
  struct Leg {
    Station* server;
    std::int64_t latency, units;
    bool write;
    // An HBM leg: the blocks it moves (units are ignored); the pieces take consecutive rows of them.
    const std::vector<memory::DramModule::Block>* dram = nullptr;
  };
  void start(const std::vector<Leg>& legs, std::uint64_t weight, std::int64_t piece, std::int64_t share_mult = 1,
             std::int64_t share_den = 1);
  void wait_done();

 private:
  std::uint64_t key_;
  std::vector<std::unique_ptr<Transfer>> pieces_;
  std::size_t used_ = 0;
};

class Server : public sc_core::sc_module, public Station {
 public:
  // Counters may be shared by many servers of the same kind (all SMs' ports, say); null: not counted.
  // shared: the L2 and HBM, whose bandwidth a transfer gets only its SM's share of (share_mult/share_den).
  Server(const sc_core::sc_module_name& name, std::int64_t num, std::int64_t den, TimingMode mode, Counter* reads,
         Counter* writes, Counter* busy, bool shared = false);
  void push(Transfer* t, std::int64_t delay_cycles) override;

 private:
  void run();
  void serve(const Transfer& t, std::int64_t units);
  std::map<std::pair<std::int64_t, std::uint64_t>, Transfer*> queue_;
  sc_core::sc_event arrival_;
  std::int64_t num_, den_;
  TimingMode mode_;
  Counter *reads_, *writes_, *busy_;  // busy: cycles at full bandwidth of the units served (x weight)
  bool shared_;
  double free_at_ = 0.0;  // cycle (fractional) at which the last service ends
};

}  // namespace sparsim::stc
