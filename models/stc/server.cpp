#include "models/stc/server.hpp"

#include <algorithm>
#include <cmath>

namespace sparsim::stc {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {
// Keys are handed out in construction order, which elaboration fixes.
std::uint64_t next_key = 0;
std::int64_t now_cycles() { return static_cast<std::int64_t>(sc_core::sc_time_stamp() / sc_time(1, SC_NS)); }
// Rows [lo, hi) of the blocks taken in order, as blocks.
void slice_rows(const std::vector<memory::DramModule::Block>& blocks, std::uint64_t lo, std::uint64_t hi,
                std::vector<memory::DramModule::Block>& out) {
  std::uint64_t first = 0;
  for (const auto& b : blocks) {
    const std::uint64_t a = std::max(lo, first), z = std::min(hi, first + b.rows);
    if (a < z) {
      memory::DramModule::Block part = b;
      part.base = b.base + (a - first) * b.pitch;
      part.rows = z - a;
      out.push_back(part);
    }
    first += b.rows;
    if (first >= hi) break;
  }
}
}  // namespace

Transfer::Transfer() : key(++next_key << 8) {}

Flow::Flow() : key_(++next_key << 8) {}

void Transfer::start() {
  if (n_hops == 0) {
    done = true;
    done_event.notify(sc_core::SC_ZERO_TIME);
    return;
  }
  hops[0].server->push(this, hops[0].latency);
}

void Transfer::advance() {
  ++hop;
  if (hop < n_hops) {
    hops[static_cast<std::size_t>(hop)].server->push(this, hops[static_cast<std::size_t>(hop)].latency);
  } else {
    done = true;
    done_event.notify(sc_core::SC_ZERO_TIME);
  }
}

void Flow::start(const std::vector<Leg>& legs, std::uint64_t weight, std::int64_t piece, std::int64_t share_mult,
                 std::int64_t share_den) {
  std::int64_t largest = 0;
  std::uint64_t dram_rows = 0;
  for (const Leg& l : legs) {
    if (l.dram) {
      for (const auto& b : *l.dram) dram_rows += b.rows;
    } else {
      largest = std::max(largest, l.units);
    }
  }
  const std::int64_t n = std::max<std::int64_t>(1, (largest + piece - 1) / piece);
  while (pieces_.size() < static_cast<std::size_t>(n)) {
    pieces_.push_back(std::make_unique<Transfer>());
    pieces_.back()->key = key_ + pieces_.size() - 1;  // the flow's key range, whenever the piece was made
  }
  used_ = static_cast<std::size_t>(n);
  for (std::int64_t i = 0; i < n; ++i) {
    Transfer& t = *pieces_[static_cast<std::size_t>(i)];
    t.clear(weight, share_mult, share_den);
    for (const Leg& l : legs) {
      if (l.dram) {  // consecutive rows of the blocks, an even share per piece
        t.dram.clear();
        slice_rows(*l.dram, dram_rows * static_cast<std::uint64_t>(i) / static_cast<std::uint64_t>(n),
                   dram_rows * static_cast<std::uint64_t>(i + 1) / static_cast<std::uint64_t>(n), t.dram);
        if (!t.dram.empty()) t.add(l.server, l.latency, 0, l.write);
        continue;
      }
      const std::int64_t units = l.units * (i + 1) / n - l.units * i / n;  // even split, exact total
      if (units > 0) t.add(l.server, l.latency, units, l.write);
    }
    t.start();
  }
}

void Flow::wait_done() {
  for (std::size_t i = 0; i < used_; ++i) pieces_[i]->wait_done();
}

Server::Server(const sc_core::sc_module_name& name, std::int64_t num, std::int64_t den, TimingMode mode, Counter* reads,
               Counter* writes, Counter* busy, bool shared)
    : sc_module(name), num_(num), den_(den), mode_(mode), reads_(reads), writes_(writes), busy_(busy), shared_(shared) {
  SC_HAS_PROCESS(Server);
  SC_THREAD(run);
}

void Server::push(Transfer* t, std::int64_t delay_cycles) {
  const std::int64_t d = std::max<std::int64_t>(1, delay_cycles);
  t->arrive = now_cycles() + d;
  queue_.emplace(std::make_pair(t->arrive, t->key), t);
  arrival_.notify(sc_time(static_cast<double>(d), SC_NS));
}

void Server::serve(const Transfer& t, std::int64_t units) {
  if (units <= 0) return;
  const double now = static_cast<double>(now_cycles());
  const std::int64_t mult = shared_ ? t.share_mult : 1, den = shared_ ? t.share_den : 1;
  const double start = std::max(free_at_, static_cast<double>(t.arrive));
  free_at_ = start + static_cast<double>(units) * static_cast<double>(den_ * den) / static_cast<double>(num_ * mult);
  const double wake = std::max(now, std::ceil(free_at_ - 1e-9));
  if (mode_ == TimingMode::Fast) {
    sc_core::wait(sc_time(wake - now, SC_NS));
  } else {
    for (double c = now; c < wake; c += 1.0) sc_core::wait(sc_time(1, SC_NS));
  }
}

void Server::run() {
  for (;;) {
    if (queue_.empty()) {
      sc_core::wait(arrival_);
      continue;
    }
    const auto first = queue_.begin();
    const std::int64_t now = now_cycles();
    if (first->first.first > now) {
      sc_core::wait(sc_time(static_cast<double>(first->first.first - now), SC_NS), arrival_);
      continue;
    }
    Transfer* t = first->second;
    queue_.erase(first);
    const Hop& h = t->hops[static_cast<std::size_t>(t->hop)];
    serve(*t, h.units);
    if (busy_ && h.units > 0)
      *busy_ += static_cast<std::uint64_t>((h.units * static_cast<std::int64_t>(t->weight) * den_ + num_ - 1) / num_);
    Counter* c = h.write ? writes_ : reads_;
    if (c && h.units > 0) *c += static_cast<std::uint64_t>(h.units) * t->weight;
    t->advance();
  }
}

}  // namespace sparsim::stc
