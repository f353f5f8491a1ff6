#include "models/memory/dram_fast.hpp"

#include <algorithm>

namespace sparsim::memory {

DramChannelFast::DramChannelFast(const DramSpec& spec)
    : spec_(spec),
      banks_(static_cast<std::size_t>(spec.ranks * spec.banks())),
      acts_(static_cast<std::size_t>(spec.ranks)),
      refresh_due_(spec.refresh ? spec.tREFI : i64{1} << 60),
      read_slots_(static_cast<std::size_t>(spec.queue_size), 0),
      write_slots_(static_cast<std::size_t>(spec.queue_size), 0) {}

// All ranks refresh together here (the detailed mode staggers them): every bank closes and is blocked
// for tRFC once per tREFI.
void DramChannelFast::refresh_until(i64 t) {
  while (refresh_due_ <= t) {
    i64 start = refresh_due_;
    for (const Bank& b : banks_)
      if (b.open_row >= 0) start = std::max(start, b.pre_ready + spec_.tRP);
    for (Bank& b : banks_) {
      if (b.open_row >= 0) ++stats_.precharges;
      b.open_row = -1;
      b.act_ready = std::max(b.act_ready, start + spec_.tRFC);
    }
    stats_.refreshes += static_cast<std::uint64_t>(spec_.ranks);
    refresh_due_ += spec_.tREFI;
  }
}

i64 DramChannelFast::column_gap(const Command& a, const Command& b) const {
  const bool same = a.group == b.group;
  const int burst = spec_.burst_cycles();
  i64 gap = std::max<i64>(burst, same ? spec_.tCCD_L : spec_.tCCD_S);
  if (a.write && !b.write) gap = std::max<i64>(gap, spec_.CWL + burst + (same ? spec_.tWTR_L : spec_.tWTR_S));
  if (!a.write && b.write) gap = std::max<i64>(gap, spec_.CL + burst + spec_.tRTRS - spec_.CWL);
  return gap;
}

// The earliest cycle >= t at which a column command keeps its distance from every recorded one.
i64 DramChannelFast::place_column(i64 t, int group, bool write) {
  while (!columns_.empty() && columns_.front().at < horizon_) columns_.pop_front();
  Command c{t, group, write};
  for (bool moved = true; moved;) {
    moved = false;
    for (const Command& e : columns_) {
      const bool conflict = e.at <= c.at ? c.at - e.at < column_gap(e, c) : e.at - c.at < column_gap(c, e);
      if (conflict) {
        c.at = e.at + column_gap(e, c);
        moved = true;
      }
    }
  }
  columns_.insert(std::upper_bound(columns_.begin(), columns_.end(), c.at,
                                   [](i64 v, const Command& e) { return v < e.at; }),
                  c);
  return c.at;
}

// The earliest cycle >= t for an ACT: tRRD_S/L from every recorded ACT of the rank, and at most four in
// any tFAW window.
i64 DramChannelFast::place_activate(i64 t, int rank, int group) {
  auto& q = acts_[static_cast<std::size_t>(rank)];
  while (!q.empty() && q.front().at < horizon_) q.pop_front();
  Command c{t, group, false};
  for (bool moved = true; moved;) {
    moved = false;
    for (const Command& e : q) {
      const i64 gap = e.group == group ? spec_.tRRD_L : spec_.tRRD_S;
      if ((e.at <= c.at && c.at - e.at < gap) || (e.at > c.at && e.at - c.at < gap)) {
        c.at = e.at + gap;
        moved = true;
      }
    }
    // Four ACTs in (at - tFAW, at]: move past the oldest of them. Likewise four in [at, at + tFAW).
    std::vector<i64> before, after;
    for (const Command& e : q) {
      if (e.at <= c.at && e.at > c.at - spec_.tFAW) before.push_back(e.at);
      if (e.at >= c.at && e.at < c.at + spec_.tFAW) after.push_back(e.at);
    }
    if (before.size() >= 4) {
      c.at = before[before.size() - 4] + spec_.tFAW;
      moved = true;
    } else if (after.size() >= 4) {
      c.at = after[3] + spec_.tFAW;
      moved = true;
    }
  }
  q.insert(std::upper_bound(q.begin(), q.end(), c.at, [](i64 v, const Command& e) { return v < e.at; }), c);
  return c.at;
}

i64 DramChannelFast::serve(const DramCoord& c, bool write, i64 arrival, i64* accepted) {
  // Queue admission: the entry this request takes frees when its previous holder's column command issued.
  auto& slots = write ? write_slots_ : read_slots_;
  std::size_t& slot = write ? write_slot_ : read_slot_;
  const i64 in = std::max(arrival, slots[slot]);
  if (accepted) *accepted = in;
  refresh_until(in);
  // Arrivals do not decrease, and no command is placed before its request arrives: commands older than
  // the largest distance any rule spans can no longer constrain one.
  horizon_ = in - 4 * (spec_.tFAW + spec_.CL + spec_.CWL + spec_.tCCD_L + spec_.tWTR_L + spec_.tRRD_L + 8);
  Bank& b = banks_[static_cast<std::size_t>(c.flat_bank(spec_))];
  const int group = c.rank * spec_.bankgroups + c.bankgroup;
  i64 col = std::max(in, b.col_ready);
  if (b.open_row != c.row) {
    i64 act = std::max(in, b.act_ready);
    if (b.open_row >= 0) {
      act = std::max(act, std::max(in, b.pre_ready) + spec_.tRP);
      ++stats_.precharges;
      ++stats_.row_conflicts;
    } else {
      ++stats_.row_misses;
    }
    act = place_activate(act, c.rank, group);
    b.open_row = c.row;
    b.act_ready = act + spec_.tRC();
    b.pre_ready = act + spec_.tRAS;
    col = std::max(col, act + spec_.tRCD);
    ++stats_.activates;
  } else {
    ++stats_.row_hits;
  }
  col = place_column(col, group, write);
  const int burst = spec_.burst_cycles();
  const i64 done = col + (write ? spec_.CWL : spec_.CL) + burst;
  if (write) {
    b.pre_ready = std::max(b.pre_ready, done + spec_.tWR);
    ++stats_.writes;
  } else {
    b.pre_ready = std::max(b.pre_ready, col + spec_.tRTP);
    ++stats_.reads;
    stats_.record_read_latency(static_cast<std::uint64_t>(done - in));
  }
  b.col_ready = col + 1;
  stats_.busy_cycles += static_cast<std::uint64_t>(burst);
  slots[slot] = col;
  slot = (slot + 1) % slots.size();
  if (!spec_.open_page) {
    b.open_row = -1;
    b.act_ready = std::max(b.act_ready, b.pre_ready + spec_.tRP);
    ++stats_.precharges;
  }
  return done;
}

}  // namespace sparsim::memory
