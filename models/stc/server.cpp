#include "models/stc/server.hpp"

#include <algorithm>
#include <cmath>

namespace sparsim::stc {

using sc_core::SC_NS;
using sc_core::sc_time;

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

void Flow::start(const std::vector<Leg>& legs, std::uint64_t weight, std::int64_t piece) {
  std::int64_t largest = 0;
  for (const Leg& l : legs) largest = std::max(largest, l.units);
  const std::int64_t n = std::max<std::int64_t>(1, (largest + piece - 1) / piece);
  while (pieces_.size() < static_cast<std::size_t>(n)) pieces_.push_back(std::make_unique<Transfer>());
  used_ = static_cast<std::size_t>(n);
  for (std::int64_t i = 0; i < n; ++i) {
    Transfer& t = *pieces_[static_cast<std::size_t>(i)];
    t.clear(weight);
    for (const Leg& l : legs) {
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
               Counter* writes, Counter* busy, std::int64_t slice)
    : sc_module(name),
      peq_("peq"),
      slice_(slice),
      base_num_(num),
      base_den_(den),
      num_(num),
      den_(den),
      mode_(mode),
      reads_(reads),
      writes_(writes),
      busy_(busy) {
  SC_HAS_PROCESS(Server);
  SC_THREAD(run);
}

void Server::push(Transfer* t, std::int64_t delay_cycles) {
  peq_.notify(*t, sc_time(static_cast<double>(delay_cycles), SC_NS));
}

void Server::serve(std::int64_t units, bool queued) {
  if (units <= 0) return;
  // Service runs on an exact fractional timeline: a transfer that was already waiting starts where the
  // previous one ended, inside the last cycle, so many small pieces cost what one large transfer does.
  const double now = sc_core::sc_time_stamp() / sc_time(1, SC_NS);
  const double start = queued ? std::max(free_at_, now - 1.0) : std::max(free_at_, now);
  free_at_ = start + static_cast<double>(units) * static_cast<double>(den_) / static_cast<double>(num_);
  const double wake = std::max(now, std::ceil(free_at_ - 1e-9));
  if (mode_ == TimingMode::Fast) {
    sc_core::wait(sc_time(wake - now, SC_NS));
  } else {
    for (double t = now; t < wake; t += 1.0) sc_core::wait(sc_time(1, SC_NS));
  }
}

void Server::run() {
  bool queued = false;  // the next transfer was waiting when the previous one finished
  for (;;) {
    Transfer* t = peq_.get_next_transaction();
    if (!t) {
      sc_core::wait(peq_.get_event());
      queued = false;
      continue;
    }
    Hop& h = t->hops[static_cast<std::size_t>(t->hop)];
    if (h.left < 0) h.left = h.units;
    const std::int64_t now = slice_ > 0 ? std::min(slice_, h.left) : h.left;
    serve(now, queued);
    queued = true;
    h.left -= now;
    if (busy_ && now > 0)
      *busy_ += static_cast<std::uint64_t>((now * static_cast<std::int64_t>(t->weight) * base_den_ + base_num_ - 1) /
                                           base_num_);
    Counter* c = h.write ? writes_ : reads_;
    if (c && now > 0) *c += static_cast<std::uint64_t>(now) * t->weight;
    if (h.left > 0) {
      push(t, 0);  // behind everything already waiting
    } else {
      t->advance();
    }
  }
}

}  // namespace sparsim::stc
