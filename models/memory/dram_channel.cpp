#include "models/memory/dram_channel.hpp"

#include <algorithm>

namespace sparsim::memory {

DramChannel::DramChannel(const DramSpec& spec)
    : spec_(spec),
      banks_(static_cast<std::size_t>(spec.ranks * spec.banks())),
      groups_(static_cast<std::size_t>(spec.ranks * spec.bankgroups)),
      ranks_(static_cast<std::size_t>(spec.ranks)),
      pinned_(banks_.size(), 0) {
  // Ranks refresh staggered across the interval, rank 0 first after one tREFI.
  for (int r = 0; r < spec.ranks; ++r)
    ranks_[static_cast<std::size_t>(r)].refresh_due =
        spec.refresh ? spec.tREFI + static_cast<i64>(r) * spec.tREFI / spec.ranks : kNever;
}

void DramChannel::start(i64 now) {
  for (int r = 0; r < spec_.ranks; ++r)
    ranks_[static_cast<std::size_t>(r)].refresh_due =
        spec_.refresh ? now + spec_.tREFI + static_cast<i64>(r) * spec_.tREFI / spec_.ranks : kNever;
  occupancy_since_ = now;
}

bool DramChannel::can_accept(bool write) const {
  return static_cast<int>((write ? writes_ : reads_).size()) < spec_.queue_size;
}

void DramChannel::enqueue(const DramTransaction& t) {
  account_occupancy(t.arrival);
  (t.write ? writes_ : reads_).push_back(t);
}

// The queues change only at enqueue() and at a step that issues, so their length is constant in between.
void DramChannel::account_occupancy(i64 now) {
  if (now > occupancy_since_) {
    stats_.queue_occupancy_sum += static_cast<std::uint64_t>(now - occupancy_since_) * queued();
    occupancy_since_ = now;
  }
}

bool DramChannel::hit_pending(const std::deque<DramTransaction>& q, const DramCoord& c, i64 row) const {
  const int fb = c.flat_bank(spec_);
  for (const DramTransaction& t : q)
    if (t.coord.row == row && t.coord.flat_bank(spec_) == fb) return true;
  return false;
}

DramChannel::Cmd DramChannel::next_command(const DramTransaction& t, i64* earliest) {
  const DramCoord& c = t.coord;
  const Bank& b = bank(c);
  const Rank& r = ranks_[static_cast<std::size_t>(c.rank)];
  const Group& g = group(c);
  if (r.refresh_pending) {  // the rank takes no new work until its refresh has issued
    *earliest = kNever;
    return Cmd::None;
  }
  if (b.open_row == c.row) {
    if (t.write) {
      const i64 bus = bus_free_ + (bus_rank_ >= 0 && bus_rank_ != c.rank ? spec_.tRTRS : 0) - spec_.CWL;
      *earliest = std::max({b.next_wr, g.next_wr, r.next_wr, bus});
      return Cmd::Wr;
    }
    const i64 bus = bus_free_ + (bus_rank_ >= 0 && bus_rank_ != c.rank ? spec_.tRTRS : 0) - spec_.CL;
    *earliest = std::max({b.next_rd, g.next_rd, r.next_rd, bus});
    return Cmd::Rd;
  }
  if (b.open_row < 0) {
    *earliest = std::max({b.next_act, g.next_act, r.next_act, r.faw[0] + spec_.tFAW});
    return Cmd::Act;
  }
  // Another row is open: close it, unless a request of the queue being served still hits it (FR-FCFS
  // serves those first). Only that queue counts, so a write waiting for the next drain never pins a row.
  if (pinned_[static_cast<std::size_t>(c.flat_bank(spec_))]) {
    *earliest = kNever;
    return Cmd::None;
  }
  *earliest = b.next_pre;
  return Cmd::Pre;
}

void DramChannel::precharge(Bank& b, i64 at, bool conflict) {
  b.open_row = -1;
  b.closed_by_conflict = conflict;
  b.next_act = std::max(b.next_act, at + spec_.tRP);
  ++stats_.precharges;
}

void DramChannel::activate(const DramCoord& c, i64 now) {
  Bank& b = bank(c);
  Rank& r = ranks_[static_cast<std::size_t>(c.rank)];
  b.open_row = c.row;
  b.first_access = b.closed_by_conflict ? Opened::Conflict : Opened::Miss;
  b.next_rd = std::max(b.next_rd, now + spec_.tRCD);
  b.next_wr = std::max(b.next_wr, now + spec_.tRCD);
  b.next_pre = std::max(b.next_pre, now + spec_.tRAS);
  b.next_act = now + spec_.tRC();
  group(c).next_act = now + spec_.tRRD_L;
  r.next_act = std::max(r.next_act, now + spec_.tRRD_S);
  std::rotate(r.faw, r.faw + 1, r.faw + 4);
  r.faw[3] = now;
  ++stats_.activates;
}

void DramChannel::issue(Cmd cmd, const DramTransaction& t, i64 now, std::vector<DramCompletion>& done) {
  const DramCoord& c = t.coord;
  Bank& b = bank(c);
  if (cmd == Cmd::Act) return activate(c, now);
  if (cmd == Cmd::Pre) return precharge(b, now, true);
  Rank& r = ranks_[static_cast<std::size_t>(c.rank)];
  Group& g = group(c);
  const int burst = spec_.burst_cycles();
  switch (b.first_access) {
    case Opened::Hit:
      ++stats_.row_hits;
      break;
    case Opened::Miss:
      ++stats_.row_misses;
      break;
    case Opened::Conflict:
      ++stats_.row_conflicts;
      break;
  }
  b.first_access = Opened::Hit;
  i64 data_end = 0;
  if (cmd == Cmd::Rd) {
    data_end = now + spec_.CL + burst;
    b.next_pre = std::max(b.next_pre, now + spec_.tRTP);
    g.next_rd = std::max(g.next_rd, now + spec_.tCCD_L);
    r.next_rd = std::max(r.next_rd, now + spec_.tCCD_S);
    // Read-to-write turnaround: the write's data may follow the read's data after a bus switch gap.
    const i64 to_write = data_end + spec_.tRTRS - spec_.CWL;
    for (Rank& any : ranks_) any.next_wr = std::max(any.next_wr, to_write);
    ++stats_.reads;
    stats_.record_read_latency(static_cast<std::uint64_t>(data_end - t.arrival));
  } else {
    data_end = now + spec_.CWL + burst;
    b.next_pre = std::max(b.next_pre, data_end + spec_.tWR);
    g.next_wr = std::max(g.next_wr, now + spec_.tCCD_L);
    r.next_wr = std::max(r.next_wr, now + spec_.tCCD_S);
    g.next_rd = std::max(g.next_rd, data_end + spec_.tWTR_L);
    r.next_rd = std::max(r.next_rd, data_end + spec_.tWTR_S);
    ++stats_.writes;
  }
  bus_free_ = data_end;
  bus_rank_ = c.rank;
  stats_.busy_cycles += static_cast<std::uint64_t>(burst);
  done.push_back({t.tag, data_end, cmd == Cmd::Wr});
  // Closed page: precharge as soon as allowed (auto-precharge) unless a queued request hits the row.
  if (!spec_.open_page && !hit_pending(reads_, c, c.row) && !hit_pending(writes_, c, c.row))
    precharge(b, b.next_pre, false);
}

// Refresh of a due rank: close its open banks one command at a time, then REF when every bank may take
// a command. Returns true if a command issued at `now`; `next` gets the earliest cycle it could.
bool DramChannel::refresh_step(i64 now, i64* next) {
  for (int ri = 0; ri < spec_.ranks; ++ri) {
    Rank& r = ranks_[static_cast<std::size_t>(ri)];
    // Refreshes that fell due while the channel was idle (its driver does not step an idle channel):
    // they were issued on time, after closing the open banks, and block the rank until tRFC after.
    const std::size_t first = static_cast<std::size_t>(ri * spec_.banks());
    const std::size_t end = first + static_cast<std::size_t>(spec_.banks());
    while (!r.refresh_pending && last_step_ < r.refresh_due && r.refresh_due <= now) {
      i64 at = r.refresh_due;
      for (std::size_t k = first; k < end; ++k)
        if (banks_[k].open_row >= 0) {
          at = std::max(at, banks_[k].next_pre + spec_.tRP);
          precharge(banks_[k], banks_[k].next_pre, false);
        }
      for (std::size_t k = first; k < end; ++k) banks_[k].next_act = std::max(banks_[k].next_act, at + spec_.tRFC);
      ++stats_.refreshes;
      r.refresh_due += spec_.tREFI;
      // The rank's banks are closed now, so the rest of an idle span's refreshes issue on time: in closed
      // form (a request 2^50 cycles later would otherwise loop 10^11 times).
      if (r.refresh_due <= now) {
        const i64 more = (now - r.refresh_due) / spec_.tREFI + 1;
        const i64 last = r.refresh_due + (more - 1) * spec_.tREFI;
        for (std::size_t k = first; k < end; ++k) banks_[k].next_act = std::max(banks_[k].next_act, last + spec_.tRFC);
        stats_.refreshes += static_cast<std::uint64_t>(more);
        r.refresh_due = last + spec_.tREFI;
      }
    }
    if (r.refresh_due > now) {
      *next = std::min(*next, r.refresh_due);
      continue;
    }
    r.refresh_pending = true;
    i64 ready = now;
    for (std::size_t k = first; k < end; ++k) {
      Bank& b = banks_[k];
      if (b.open_row >= 0) {
        if (b.next_pre <= now) {
          precharge(b, now, false);
          return true;
        }
        *next = std::min(*next, b.next_pre);
        ready = kNever;
      } else {
        ready = std::max(ready, b.next_act);
      }
    }
    if (ready == kNever) continue;
    if (ready > now) {
      *next = std::min(*next, ready);
      continue;
    }
    for (std::size_t k = first; k < end; ++k) {
      banks_[k].next_act = now + spec_.tRFC;
      banks_[k].closed_by_conflict = false;
    }
    r.refresh_pending = false;
    r.refresh_due += spec_.tREFI;
    *next = std::min(*next, r.refresh_due);
    ++stats_.refreshes;
    return true;
  }
  return false;
}

i64 DramChannel::step(i64 now, std::vector<DramCompletion>& done) {
  account_occupancy(now);
  i64 next = kNever;
  const bool refreshed = refresh_step(now, &next);
  last_step_ = now;
  if (refreshed) return now + 1;
  // Write drain: start at the high watermark (or when no read waits), stop at the low one.
  if (!draining_ && !writes_.empty() &&
      (static_cast<int>(writes_.size()) >= spec_.write_high_watermark || reads_.empty()))
    draining_ = true;
  if (draining_ &&
      (writes_.empty() || (static_cast<int>(writes_.size()) <= spec_.write_low_watermark && !reads_.empty())))
    draining_ = false;
  auto& q = draining_ ? writes_ : reads_;
  // The banks whose open row a request of q hits (no other request of q may close it): one pass per
  // step instead of a scan of q for every request that would precharge.
  std::fill(pinned_.begin(), pinned_.end(), 0);
  for (const DramTransaction& t : q) {
    const std::size_t fb = static_cast<std::size_t>(t.coord.flat_bank(spec_));
    if (banks_[fb].open_row == t.coord.row) pinned_[fb] = 1;
  }
  // FR-FCFS: the oldest ready row hit; else the oldest request whose ACT or PRE is ready.
  std::size_t hit = q.size(), other = q.size();
  Cmd other_cmd = Cmd::None;
  for (std::size_t i = 0; i < q.size(); ++i) {
    i64 at = kNever;
    const Cmd cmd = next_command(q[i], &at);
    if (cmd == Cmd::None) continue;
    if (at > now) {
      next = std::min(next, at);
      continue;
    }
    if (cmd == Cmd::Rd || cmd == Cmd::Wr) {
      hit = i;
      break;
    }
    if (other == q.size()) {
      other = i;
      other_cmd = cmd;
    }
  }
  if (hit < q.size()) {
    const DramTransaction t = q[hit];
    q.erase(q.begin() + static_cast<std::ptrdiff_t>(hit));
    issue(t.write ? Cmd::Wr : Cmd::Rd, t, now, done);
    return now + 1;
  }
  if (other < q.size()) {
    issue(other_cmd, q[other], now, done);
    return now + 1;
  }
  return next <= now ? now + 1 : next;
}

}  // namespace sparsim::memory
