#pragma once
// The fast mode of a DRAM channel: separate, simpler code than the command-by-command controller. Each
// request is placed once, in arrival order, at the earliest cycles its ACT (or PRE + ACT) and column
// command may take given its bank's row-buffer state and a calendar of the channel's recent commands:
// column commands keep tCCD_S/L, the data bus and the read/write turnarounds from every command around
// them (before or after), ACTs keep tRRD_S/L and tFAW. A request may overtake the column commands of up
// to a queue's depth of requests placed before it, as FR-FCFS picks among its queue; there is no queue
// scan and no command-bus limit; writes wait for watermark drains only where the caller buffers them
// (the trace replay); refresh is a periodic all-bank block. Its error against the detailed DramChannel
// is measured (tests/memory, docs/memory.md).
#include <algorithm>
#include <vector>

#include "models/memory/address_map.hpp"
#include "models/memory/dram_spec.hpp"
#include "models/memory/dram_stats.hpp"

namespace sparsim::memory {

class DramChannelFast {
 public:
  explicit DramChannelFast(const DramSpec& spec);
  // Serves one burst that reaches the channel at `arrival`; returns its completion cycle. `accepted`, if
  // given, receives the cycle the request entered the controller queue (later than arrival while full).
  // With write buffering on (set_write_buffering), a write is held for a drain and serve returns
  // kBuffered; its completion is known when a later request or flush_writes() drains it.
  i64 serve(const DramCoord& c, bool write, i64 arrival, i64* accepted = nullptr);
  static constexpr i64 kBuffered = -1;
  // Write buffering, as the detailed controller's write queue does it: writes wait until the queue holds
  // the high watermark (then drain down to the low one) or no read waits (then drain all). Off, each
  // write is placed when it arrives. Callers that need a request's completion at once (DramModule) keep
  // it off; the trace replay turns it on.
  void set_write_buffering(bool on) { buffer_writes_ = on; }
  // Places every buffered write; returns the latest completion of any write drained so far.
  i64 flush_writes();
  // Powers the channel up at `now` (see DramChannel::start).
  void start(i64 now) { refresh_due_ = spec_.refresh ? now + spec_.tREFI : refresh_due_; }
  const DramStats& stats() const { return stats_; }
  // Counts the refreshes that fall due up to t while the channel is idle (the end of a replay: a channel
  // no request reached refreshes too, as in the detailed mode).
  void refresh_through(i64 t) { refresh_until(t); }
  // Cycle at which the next refresh falls due.
  i64 next_refresh() const { return refresh_due_; }
  // Moves the refresh schedule past t without counting the refreshes due until then: a requester that
  // replays a span already simulated (and counted) skips it this way.
  void skip_refreshes_through(i64 t) {
    if (spec_.refresh && refresh_due_ <= t) refresh_due_ += ((t - refresh_due_) / spec_.tREFI + 1) * spec_.tREFI;
  }
  // Steady-state skip (used by DramModule for long blocks): moves the channel's whole state dt cycles
  // later, as if a span of identical traffic had passed, and adds that span's events.
  void advance(i64 dt, i64 until, const DramStats& events);

 private:
  struct Bank {
    i64 open_row = -1;
    i64 act_ready = 0, pre_ready = 0, col_ready = 0;
  };
  struct Command {
    i64 at = 0;
    int group = 0;  // rank x bank group
    bool write = false;
  };
  // Refreshes every rank whose refresh falls due up to t (inline: it is checked on every request).
  void refresh_until(i64 t) {
    if (refresh_due_ <= t) refresh_due_through(t);
  }
  void refresh_due_through(i64 t);
  // The minimum distance from column command a to a later column command b.
  // From a table of the eight cases (same bank group or not, a and b read or write), made once.
  i64 column_gap(const Command& a, const Command& b) const {
    return gap_[(a.group == b.group ? 4 : 0) + (a.write ? 2 : 0) + (b.write ? 1 : 0)];
  }
  i64 column_gap_rule(bool same_group, bool a_write, bool b_write) const;
  i64 place_column(i64 t, int group, bool write);
  i64 place(const DramCoord& c, bool write, i64 in);
  // Places the oldest buffered writes, from cycle `from`, until `keep` remain; returns writes_done_.
  i64 drain_writes(i64 from, std::size_t keep);
  i64 place_activate(i64 t, int rank, int group);

  DramSpec spec_;
  int burst_cycles_;  // spec_.burst_cycles(), a division, once
  std::vector<Bank> banks_;
  // Recent commands by time: a vector whose prefix before `head` is dropped in batches (cheaper to scan
  // and search than a deque).
  struct Calendar {
    std::vector<Command> items;
    std::size_t head = 0;
    // Drops the commands before the horizon (inline: called on every placement; it rarely drops many).
    void prune(i64 horizon) {
      while (head < items.size() && items[head].at < horizon) ++head;
      if (head > 256) compact();
    }
    void compact();
    auto begin() { return items.begin() + static_cast<std::ptrdiff_t>(head); }
    auto end() { return items.end(); }
    std::size_t size() const { return items.size() - head; }
  };
  Calendar columns_;
  std::vector<Calendar> acts_;  // per rank
  i64 refresh_due_;
  // When each queue entry frees, in ascending order (a buffered write's entry is out until its drain
  // places it). Column commands are placed nearly in time order, so an entry's new free time almost always
  // goes at the back: a sorted run with a moving head, O(1) per request where a heap took two sifts.
  struct FreeTimes {
    std::vector<i64> items;
    std::size_t head = 0;
    i64 take_first() {  // the earliest, removed
      const i64 t = items[head++];
      if (head > 1024) {
        items.erase(items.begin(), items.begin() + static_cast<std::ptrdiff_t>(head));
        head = 0;
      }
      return t;
    }
    void add(i64 t) {
      if (head == items.size() || t >= items.back())
        items.push_back(t);
      else
        items.insert(std::upper_bound(items.begin() + static_cast<std::ptrdiff_t>(head), items.end(), t), t);
    }
    void shift(i64 dt) {
      for (std::size_t i = head; i < items.size(); ++i) items[i] += dt;
    }
  };
  FreeTimes read_slots_, write_slots_;
  struct PendingWrite {
    DramCoord coord;
    i64 arrival = 0;
  };
  bool buffer_writes_ = false;
  std::vector<PendingWrite> pending_writes_;
  i64 reads_waiting_until_ = 0;  // the latest column command of a placed read: reads wait until then
  i64 writes_done_ = 0;          // latest completion of a drained write
  i64 horizon_ = 0;              // commands before this no longer constrain new ones
  i64 gap_[8] = {};
  i64 max_column_gap_ = 0;  // the largest distance column_gap() can ask for
  i64 min_column_gap_ = 0;  // the smallest
  i64 packed_from_ = 0;     // no hole for a command between here and the last column command
  // The latest column command of each (rank x bank group, read/write) kind: the gap rules depend on the kind
  // alone, so on a saturated bus these bind a new command as the whole window behind it would.
  std::vector<i64> last_column_;
  i64 latest_column_[2] = {};  // the latest of last_column_ over the groups, reads and writes
  // Whether a command's gap to an earlier one of its own bank group is never smaller than to another
  // group's (tCCD_L >= tCCD_S, tWTR_L >= tWTR_S: every JEDEC part); place_column's saturated path uses it.
  bool same_group_binds_harder_ = true;
  void note_column(const Command& c) {
    i64& last = last_column_[static_cast<std::size_t>(2 * c.group + (c.write ? 1 : 0))];
    last = std::max(last, c.at);
    i64& latest = latest_column_[c.write ? 1 : 0];
    latest = std::max(latest, c.at);
  }
  DramStats stats_;
};

}  // namespace sparsim::memory
