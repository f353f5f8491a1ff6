#include "models/sat/dram_channel.hpp"

namespace sparsim::sat {

using sc_core::SC_NS;
using sc_core::sc_time;

void DramRequest::wait_done(i64 latency_cycles) {
  while (!done) sc_core::wait(finished);
  const sc_time ready = transfer_end + sc_time(static_cast<double>(latency_cycles), SC_NS);
  if (sc_core::sc_time_stamp() < ready) sc_core::wait(ready - sc_core::sc_time_stamp());
}

DramChannel::DramChannel(sc_core::sc_module_name name, const Hw& hw, bool detailed, StatsRegistry& registry)
    : sc_module(name),
      hw_(hw),
      detailed_(detailed),
      queue_("queue", static_cast<int>(hw.dram_queue)),
      read_bytes_(stats.add("read_bytes", "bytes read from DRAM (whole bursts)", "dram_byte")),
      write_bytes_(stats.add("write_bytes", "bytes written to DRAM (whole bursts)", "dram_byte")),
      read_bursts_(stats.add("read_bursts", "read bursts")),
      write_bursts_(stats.add("write_bursts", "write bursts")),
      busy_cycles_(stats.add("busy_cycles", "cycles the data bus transferred")),
      requests_(stats.add("requests", "block requests served")) {
  registry.attach(stats);
  SC_HAS_PROCESS(DramChannel);
  SC_THREAD(serve);
}

void DramChannel::serve() {
  for (;;) {
    DramRequest* r = nullptr;
    queue_.read(r);
    const i64 bytes = r->bursts * hw_.dram_burst;
    const i64 cycles = ceil_div(bytes, hw_.dram_bw);
    ++requests_;
    (r->write ? write_bursts_ : read_bursts_) += r->bursts;
    Counter& moved = r->write ? write_bytes_ : read_bytes_;
    if (detailed_) {
      // One bus cycle at a time: bandwidth bytes per cycle until the request's bursts are through.
      i64 left = bytes;
      while (left > 0) {
        sc_core::wait(sc_time(1, SC_NS));
        const i64 now = left < hw_.dram_bw ? left : hw_.dram_bw;
        moved += now;
        left -= now;
        ++busy_cycles_;
      }
    } else {
      sc_core::wait(sc_time(static_cast<double>(cycles), SC_NS));
      moved += bytes;
      busy_cycles_ += cycles;
    }
    r->transfer_end = sc_core::sc_time_stamp();
    r->done = true;
    r->finished.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace sparsim::sat
