#include "models/stc/server.hpp"

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

Server::Server(const sc_core::sc_module_name& name, std::int64_t num, std::int64_t den, TimingMode mode, Counter* reads,
               Counter* writes, Counter* busy)
    : sc_module(name), peq_("peq"), num_(num), den_(den), mode_(mode), reads_(reads), writes_(writes), busy_(busy) {
  SC_HAS_PROCESS(Server);
  SC_THREAD(run);
}

void Server::push(Transfer* t, std::int64_t delay_cycles) { peq_.notify(*t, sc_time(static_cast<double>(delay_cycles), SC_NS)); }

void Server::serve(std::int64_t units) {
  if (units <= 0) return;
  const std::int64_t need = units * den_;
  std::int64_t cycles = 0;
  if (mode_ == TimingMode::Fast) {
    cycles = (need + num_ - 1) / num_;
    sc_core::wait(sc_time(static_cast<double>(cycles), SC_NS));
  } else {
    for (std::int64_t credit = 0; credit < need; credit += num_, ++cycles) sc_core::wait(sc_time(1, SC_NS));
  }
  if (busy_) *busy_ += static_cast<std::uint64_t>(cycles);
}

void Server::run() {
  for (;;) {
    Transfer* t = peq_.get_next_transaction();
    if (!t) {
      sc_core::wait(peq_.get_event());
      continue;
    }
    const Hop& h = t->hops[static_cast<std::size_t>(t->hop)];
    serve(h.units);
    Counter* c = h.write ? writes_ : reads_;
    if (c && h.units > 0) *c += static_cast<std::uint64_t>(h.units) * t->weight;
    t->advance();
  }
}

}  // namespace sparsim::stc
