#include "models/memory/dram_fast.hpp"

#include <algorithm>
#include <limits>

namespace sparsim::memory {

namespace {
// last_column_ of a kind with no command yet: far enough back that no gap reaches the present.
constexpr i64 kNoCommand = std::numeric_limits<i64>::min() / 4;
}  // namespace

DramChannelFast::DramChannelFast(const DramSpec& spec)
    : spec_(spec),
      burst_cycles_(spec.burst_cycles()),
      banks_(static_cast<std::size_t>(spec.ranks * spec.banks())),
      acts_(static_cast<std::size_t>(spec.ranks)),
      refresh_due_(spec.refresh ? spec.tREFI : i64{1} << 60),
      read_slots_{std::vector<i64>(static_cast<std::size_t>(spec.queue_size), 0)},
      write_slots_{std::vector<i64>(static_cast<std::size_t>(spec.queue_size), 0)} {
  for (int k = 0; k < 8; ++k) gap_[k] = column_gap_rule(k & 4, k & 2, k & 1);
  last_column_.assign(static_cast<std::size_t>(2 * spec.ranks * spec.bankgroups), kNoCommand);
  latest_column_[0] = latest_column_[1] = kNoCommand;
  for (int k = 0; k < 4; ++k) same_group_binds_harder_ = same_group_binds_harder_ && gap_[4 + k] >= gap_[k];
  const Command r{0, 0, false}, w{0, 0, true}, other{0, 1, false};
  min_column_gap_ = column_gap(r, other);
  for (const Command& a : {r, w})
    for (const Command& b : {r, w}) max_column_gap_ = std::max(max_column_gap_, column_gap(a, b) + 1);
}

// All ranks refresh together here (the detailed mode staggers them): every bank closes and is blocked
// for tRFC once per tREFI.
void DramChannelFast::refresh_due_through(i64 t) {
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
    // Every bank is closed now, so the rest of an idle span's refreshes start on time: in closed form.
    if (refresh_due_ <= t) {
      const i64 more = (t - refresh_due_) / spec_.tREFI + 1;
      const i64 last = refresh_due_ + (more - 1) * spec_.tREFI;
      for (Bank& b : banks_) b.act_ready = std::max(b.act_ready, last + spec_.tRFC);
      stats_.refreshes += static_cast<std::uint64_t>(more * spec_.ranks);
      refresh_due_ = last + spec_.tREFI;
    }
  }
}

i64 DramChannelFast::column_gap_rule(bool same, bool a_write, bool b_write) const {
  const int burst = spec_.burst_cycles();
  i64 gap = std::max<i64>(burst, same ? spec_.tCCD_L : spec_.tCCD_S);
  if (a_write && !b_write) gap = std::max<i64>(gap, spec_.CWL + burst + (same ? spec_.tWTR_L : spec_.tWTR_S));
  if (!a_write && b_write) gap = std::max<i64>(gap, spec_.CL + burst + spec_.tRTRS - spec_.CWL);
  return gap;
}

namespace {
// The first recorded command at or after cycle t (the calendar is sorted by time).
template <typename Q>
auto first_from(Q& q, i64 t) {
  return std::lower_bound(q.begin(), q.end(), t, [](const auto& e, i64 v) { return e.at < v; });
}
}  // namespace

void DramChannelFast::Calendar::compact() {
  items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(head));
  head = 0;
}

// The earliest cycle >= t at which a column command keeps its distance from every recorded one. Only
// commands within the largest gap of t can conflict, so each pass looks at that window alone.
i64 DramChannelFast::place_column(i64 t, int group, bool write) {
  columns_.prune(horizon_);
  // A request overtakes at most the column commands of the requests queued with it: the scheduler picks
  // among its queue's entries, so a queue's depth of commands placed last is the window it can reorder.
  // This also bounds the search when a stream keeps the bus busy far ahead of the arrivals.
  const std::size_t reorder = static_cast<std::size_t>(spec_.queue_size);
  if (columns_.size() > reorder) t = std::max(t, (columns_.end() - static_cast<std::ptrdiff_t>(reorder))->at);
  Command c{t, group, write};
  if (columns_.size() > 0 && c.at >= packed_from_) {
    // From packed_from_ on, the calendar has no hole wide enough for another command (a saturated bus):
    // the command goes after the last one, at its distance from each command within reach.
    const Command& last = columns_.items.back();
    c.at = std::max(c.at, last.at + column_gap(last, c));
    // Every earlier command lies behind c; of each kind the latest binds hardest (the gap depends on the
    // kind alone), and commands older than the largest gap cannot bind at all.
    i64 at = c.at;
    if (same_group_binds_harder_) {
      // Of the other groups only the latest command of each direction can bind, and the command's own
      // group, counted among them at the smaller gap, binds at least as hard at its own: two terms each.
      for (int w = 0; w < 2; ++w)
        at = std::max({at, last_column_[static_cast<std::size_t>(2 * group + w)] + gap_[4 + 2 * w + (write ? 1 : 0)],
                       latest_column_[w] + gap_[2 * w + (write ? 1 : 0)]});
    } else {
      const int groups = static_cast<int>(last_column_.size() / 2);
      for (int g = 0; g < groups; ++g)
        for (int w = 0; w < 2; ++w)
          at = std::max(at, last_column_[static_cast<std::size_t>(2 * g + w)] +
                                gap_[(g == group ? 4 : 0) + (w ? 2 : 0) + (write ? 1 : 0)]);
    }
    c.at = at;
    if (c.at - last.at >= 2 * min_column_gap_) packed_from_ = c.at;
    columns_.items.push_back(c);
    note_column(c);
    return c.at;
  }
  // One forward sweep (the command only moves later, past the commands it conflicts with), then a check
  // of the window behind it, repeated in the rare case a larger gap type there moved it again.
  for (bool moved = true; moved;) {
    moved = false;
    auto it = first_from(columns_, c.at - max_column_gap_);
    for (; it != columns_.end() && it->at < c.at + max_column_gap_; ++it) {
      const Command& e = *it;
      const bool conflict = e.at <= c.at ? c.at - e.at < column_gap(e, c) : e.at - c.at < column_gap(c, e);
      if (conflict) {
        c.at = e.at + column_gap(e, c);
        moved = true;
      }
    }
    if (!moved) break;
    moved = false;
    for (auto back = first_from(columns_, c.at - max_column_gap_); back != it && back->at <= c.at; ++back)
      if (c.at - back->at < column_gap(*back, c)) moved = true;
  }
  const bool at_end = columns_.size() == 0 || c.at >= columns_.items.back().at;
  if (at_end && (columns_.size() == 0 || c.at - columns_.items.back().at >= 2 * min_column_gap_)) packed_from_ = c.at;
  columns_.items.insert(first_from(columns_, c.at + 1), c);
  note_column(c);
  return c.at;
}

// The earliest cycle >= t for an ACT: tRRD_S/L from every recorded ACT of the rank, and at most four in
// any tFAW window.
i64 DramChannelFast::place_activate(i64 t, int rank, int group) {
  auto& q = acts_[static_cast<std::size_t>(rank)];
  q.prune(horizon_);
  Command c{t, group, false};
  const i64 reach = std::max<i64>(spec_.tFAW, spec_.tRRD_L);
  // An ACT farther than the larger tRRD from the command cannot conflict with it, and the command only
  // moves later, so the tRRD sweep looks at that window alone (tFAW's is wider).
  const i64 rrd = std::max<i64>(spec_.tRRD_L, spec_.tRRD_S);
  // The command only moves later, so every bound below (first ACT at or after a time that grows with c.at)
  // only moves forward: each is an index advanced in place rather than searched for again after a move.
  const Command* const items = q.items.data();
  const std::size_t end = q.items.size();
  // Every bound starts at or after the first ACT within reach of t (one search), then moves forward.
  const std::size_t start = static_cast<std::size_t>(first_from(q, t - reach) - q.items.begin());
  std::size_t from = start, lo = start, mid = start, at = start, hi = start;
  const auto advance_to = [&](std::size_t& i, i64 v) {
    while (i < end && items[i].at < v) ++i;
  };
  for (bool moved = true; moved;) {
    moved = false;
    advance_to(from, c.at - rrd);
    for (std::size_t it = from; it < end && items[it].at < c.at + rrd; ++it) {
      const i64 gap = items[it].group == group ? spec_.tRRD_L : spec_.tRRD_S;
      if ((items[it].at <= c.at && c.at - items[it].at < gap) || (items[it].at > c.at && items[it].at - c.at < gap)) {
        c.at = items[it].at + gap;
        moved = true;
      }
    }
    if (moved) continue;
    // Four ACTs in (at - tFAW, at]: move past the oldest of them. Likewise four in [at, at + tFAW).
    advance_to(lo, c.at - spec_.tFAW + 1);
    advance_to(mid, c.at + 1);
    advance_to(at, c.at);
    advance_to(hi, c.at + spec_.tFAW);
    if (mid - lo >= 4) {
      c.at = items[mid - 4].at + spec_.tFAW;
      moved = true;
    } else if (hi - at >= 4) {
      c.at = items[at + 3].at + spec_.tFAW;
      moved = true;
    }
  }
  q.items.insert(first_from(q, c.at + 1), c);
  return c.at;
}

void DramChannelFast::advance(i64 dt, i64 until, const DramStats& events) {
  for (Bank& b : banks_) {
    b.act_ready += dt;
    b.pre_ready += dt;
    b.col_ready += dt;
  }
  for (Command& e : columns_.items) e.at += dt;
  for (i64& t : last_column_)
    if (t != kNoCommand) t += dt;
  for (i64& t : latest_column_)
    if (t != kNoCommand) t += dt;
  packed_from_ += dt;
  for (Calendar& c : acts_)
    for (Command& e : c.items) e.at += dt;
  read_slots_.shift(dt);
  write_slots_.shift(dt);
  for (PendingWrite& w : pending_writes_) w.arrival += dt;
  for (i64* t : {&reads_waiting_until_, &writes_done_}) *t += dt;
  horizon_ += dt;
  // The skipped span's refreshes are in dt and in `events`; the next one falls due after it.
  if (refresh_due_ <= until) refresh_due_ += ((until - refresh_due_) / spec_.tREFI + 1) * spec_.tREFI;
  stats_ += events;
}

i64 DramChannelFast::serve(const DramCoord& c, bool write, i64 arrival, i64* accepted) {
  // The read queue ran empty before this request came: the controller drained the waiting writes then,
  // before this request's admission and the refreshes due until it.
  if (!pending_writes_.empty() && reads_waiting_until_ <= arrival) drain_writes(reads_waiting_until_, 0);
  // Queue admission: the request takes the entry that frees first (an entry frees when its request's
  // column command issues; a buffered write's entry when its drain places it).
  const i64 in = std::max(arrival, (write ? write_slots_ : read_slots_).take_first());
  if (accepted) *accepted = in;
  refresh_until(in);
  // Arrivals do not decrease, and no command is placed before its request arrives: commands older than
  // the largest distance any rule spans can no longer constrain one.
  horizon_ = in - 2 * (spec_.tFAW + spec_.tRRD_L + max_column_gap_);
  if (!buffer_writes_) return place(c, write, in);
  if (write) {
    // A write waits in its queue for a drain: at the high watermark, or at once when no read waits.
    pending_writes_.push_back({c, in});
    if (in >= reads_waiting_until_)
      drain_writes(in, 0);
    else if (pending_writes_.size() >= static_cast<std::size_t>(spec_.write_high_watermark))
      drain_writes(in, static_cast<std::size_t>(spec_.write_low_watermark));
    return kBuffered;
  }
  // The read queue ran empty while this read waited for an entry.
  if (!pending_writes_.empty() && reads_waiting_until_ <= in) drain_writes(reads_waiting_until_, 0);
  const i64 done = place(c, false, in);
  reads_waiting_until_ = std::max(reads_waiting_until_, done - spec_.CL - burst_cycles_);  // its column command
  return done;
}

i64 DramChannelFast::drain_writes(i64 from, std::size_t keep) {
  // Oldest first, each no earlier than its arrival. Reads placed later may still overtake the drained
  // writes within the reorder window (holding them behind the drain, as the controller does while it
  // drains, made mix_rw 20-30 % slower than the detailed mode instead of 2-13 %).
  std::size_t n = 0;
  for (; pending_writes_.size() - n > keep; ++n) {
    const PendingWrite& w = pending_writes_[n];
    writes_done_ = std::max(writes_done_, place(w.coord, true, std::max(from, w.arrival)));
  }
  pending_writes_.erase(pending_writes_.begin(), pending_writes_.begin() + static_cast<std::ptrdiff_t>(n));
  return writes_done_;
}

i64 DramChannelFast::flush_writes() {
  if (!pending_writes_.empty()) drain_writes(std::max(reads_waiting_until_, pending_writes_.front().arrival), 0);
  return writes_done_;
}

// Places one request admitted at `in`: its ACT (or PRE + ACT) and column command at the earliest cycles
// the bank and the calendars allow. Returns its completion cycle and frees its queue entry then.
i64 DramChannelFast::place(const DramCoord& c, bool write, i64 in) {
  Bank& b = banks_[static_cast<std::size_t>(c.flat_bank(spec_))];
  const int group = c.rank * spec_.bankgroups + c.bankgroup;
  // A refresh falls due before this request's first command could go: it blocks the channel first.
  const i64 first = b.open_row == c.row ? std::max(in, b.col_ready) : std::max(in, b.act_ready);
  refresh_until(first);
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
  const int burst = burst_cycles_;
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
  (write ? write_slots_ : read_slots_).add(col);
  if (!spec_.open_page) {
    b.open_row = -1;
    b.act_ready = std::max(b.act_ready, b.pre_ready + spec_.tRP);
    ++stats_.precharges;
  }
  return done;
}

}  // namespace sparsim::memory
