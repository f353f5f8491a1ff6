#include "models/stc/hbm_station.hpp"

#include <algorithm>

#include "sim/timeline.hpp"

namespace sparsim::stc {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {
std::int64_t now_cycles() { return static_cast<std::int64_t>(sc_core::sc_time_stamp() / sc_time(1, SC_NS)); }
}  // namespace

HbmStation::HbmStation(const sc_core::sc_module_name& name, memory::DramModule& dram) : sc_module(name), dram_(dram) {
  SC_HAS_PROCESS(HbmStation);
  SC_THREAD(run);
}

void HbmStation::push(Transfer* t, std::int64_t delay_cycles) {
  const std::int64_t d = std::max<std::int64_t>(1, delay_cycles);
  t->arrive = now_cycles() + d;
  arrivals_.emplace(std::make_pair(t->arrive, t->key), t);
  wake_.notify(sc_time(static_cast<double>(d), SC_NS));
}

void HbmStation::run() {
  for (;;) {
    const sc_time now = sc_core::sc_time_stamp();
    // Completions first (their next hops see them this cycle), then arrivals in order.
    while (!done_.empty() && done_.top().first.first <= now) {
      Transfer* t = done_.top().second;
      done_.pop();
      t->advance();
    }
    bool handed = false;
    while (!arrivals_.empty() && arrivals_.begin()->first.first <= now_cycles()) {
      Transfer* t = arrivals_.begin()->second;
      arrivals_.erase(arrivals_.begin());
      const std::uint64_t key = t->key;
      Traffic bytes;
      if (active_timeline())
        for (const auto& b : t->dram) (b.write ? bytes.write_bytes : bytes.read_bytes) += dram_.block_bytes(b);
      dram_.submit(t->dram, [this, t, key, bytes](const sc_time& at) {
        if (bytes.read_bytes + bytes.write_bytes > 0) {
          traffic_.push_back(bytes);
          traffic_.back().done = static_cast<std::int64_t>(at / sc_time(1, SC_NS));
        }
        // Completion no earlier than the next delta: the hop takes at least that long.
        done_.push({{std::max(at, sc_core::sc_time_stamp()), key}, t});
        wake_.notify(std::max(at, sc_core::sc_time_stamp()) - sc_core::sc_time_stamp());
      });
      handed = true;
    }
    if (handed) continue;  // fast mode may have completions due now
    sc_time next = sc_core::sc_max_time();
    if (!done_.empty()) next = std::min(next, done_.top().first.first);
    if (!arrivals_.empty()) next = std::min(next, sc_time(static_cast<double>(arrivals_.begin()->first.first), SC_NS));
    if (next == sc_core::sc_max_time()) {
      sc_core::wait(wake_);
    } else {
      sc_core::wait(next - now, wake_);
    }
  }
}

}  // namespace sparsim::stc
