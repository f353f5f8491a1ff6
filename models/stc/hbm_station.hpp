#pragma once
// The GPU's HBM as a hop of the transfer routes: a transfer reaching it hands its blocks (byte addresses
// of the tiles it reads or writes) to the shared DRAM model (models/memory), whose HBM pseudo-channels
// serve them with banks, row buffers, refresh and bus turnarounds, and moves on to its next hop when the
// last burst completes. The hop's latency is the path between the L2 and the memory controllers; the DRAM
// adds its own. Transfers are handed over in (arrival cycle, key) order, like a bandwidth server's.
#include <systemc>

#include <cstdint>
#include <map>
#include <queue>
#include <utility>
#include <vector>

#include "models/memory/dram_module.hpp"
#include "models/stc/server.hpp"

namespace sparsim::stc {

class HbmStation : public sc_core::sc_module, public Station {
 public:
  HbmStation(const sc_core::sc_module_name& name, memory::DramModule& dram);
  void push(Transfer* t, std::int64_t delay_cycles) override;
  // Bytes the HBM moved, by completion cycle, recorded only while a timeline is active (sim/timeline.hpp);
  // the controller takes them at the end of each job and draws them aggregated.
  struct Traffic {
    std::int64_t done = 0;
    std::uint64_t read_bytes = 0, write_bytes = 0;
  };
  std::vector<Traffic> take_traffic() { return std::exchange(traffic_, {}); }

 private:
  void run();
  memory::DramModule& dram_;
  std::map<std::pair<std::int64_t, std::uint64_t>, Transfer*> arrivals_;
  // Transfers whose bursts have all completed, by (completion time, key).
  std::priority_queue<std::pair<std::pair<sc_core::sc_time, std::uint64_t>, Transfer*>,
                      std::vector<std::pair<std::pair<sc_core::sc_time, std::uint64_t>, Transfer*>>, std::greater<>>
      done_;
  sc_core::sc_event wake_;
  std::vector<Traffic> traffic_;
};

}  // namespace sparsim::stc
