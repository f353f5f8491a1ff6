#pragma once
// One DRAM channel, command by command (the detailed mode): a read queue and a write queue, an FR-FCFS
// scheduler that prefers ready row hits and otherwise serves the oldest request, write drain between two
// watermarks, banks with row buffers and their ACT/RD/WR/PRE timing, bank-group and rank constraints
// (tRRD_S/L, tCCD_S/L, tFAW, tWTR_S/L, read-to-write turnaround, rank switches), the shared data bus,
// open- or closed-page policy, and per-rank refresh. At most one command issues per cycle. The caller
// steps it with step(now), which also says when the next command could possibly issue, so idle
// stretches are skipped without changing the result.
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "models/memory/address_map.hpp"
#include "models/memory/dram_spec.hpp"
#include "models/memory/dram_stats.hpp"

namespace sparsim::memory {

inline constexpr i64 kNever = std::numeric_limits<i64>::max() / 4;

struct DramTransaction {
  std::uint64_t tag = 0;  // the caller's
  DramCoord coord;
  bool write = false;
  i64 arrival = 0;  // cycle it entered the queue
};

struct DramCompletion {
  std::uint64_t tag = 0;
  i64 cycle = 0;  // read data returned / write data written
  bool write = false;
};

class DramChannel {
 public:
  DramChannel(const DramSpec& spec);
  // Powers the channel up at `now`: its refresh schedule starts here (a model's DRAM exists from its first
  // access; the variants of a comparison run one after another on one timeline).
  void start(i64 now);
  bool can_accept(bool write) const;
  void enqueue(const DramTransaction& t);  // precondition: can_accept(t.write)
  bool idle() const { return reads_.empty() && writes_.empty(); }
  std::size_t queued() const { return reads_.size() + writes_.size(); }
  // Issues at most one command at cycle `now` (completions are appended to `done`; their cycle may lie in
  // the future) and returns the first cycle after `now` at which a command could issue or a refresh
  // falls due.
  i64 step(i64 now, std::vector<DramCompletion>& done);
  const DramStats& stats() const { return stats_; }

 private:
  enum class Opened { Hit, Miss, Conflict };  // how the open row came to be open, for the first access
  struct Bank {
    i64 open_row = -1;
    i64 next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
    bool closed_by_conflict = false;
    Opened first_access = Opened::Hit;
  };
  struct Rank {
    i64 next_act = 0, next_rd = 0, next_wr = 0;         // the _S constraints (any bank group)
    i64 faw[4] = {-kNever, -kNever, -kNever, -kNever};  // last four ACTs, oldest first
    i64 refresh_due = 0;
    bool refresh_pending = false;
  };
  struct Group {
    i64 next_act = 0, next_rd = 0, next_wr = 0;  // the _L constraints (same bank group)
  };
  enum class Cmd { None, Act, Pre, Rd, Wr };

  Bank& bank(const DramCoord& c) { return banks_[static_cast<std::size_t>(c.flat_bank(spec_))]; }
  Group& group(const DramCoord& c) {
    return groups_[static_cast<std::size_t>(c.rank * spec_.bankgroups + c.bankgroup)];
  }
  // The next command a transaction needs and the earliest cycle it may issue.
  // Reads pinned_, which step() fills for the queue being served.
  Cmd next_command(const DramTransaction& t, i64* earliest);
  // Whether queue q holds a request for `row` of c's bank.
  bool hit_pending(const std::deque<DramTransaction>& q, const DramCoord& c, i64 row) const;
  bool refresh_step(i64 now, i64* next);
  void issue(Cmd cmd, const DramTransaction& t, i64 now, std::vector<DramCompletion>& done);
  void activate(const DramCoord& c, i64 now);
  void precharge(Bank& b, i64 at, bool conflict);

  DramSpec spec_;
  std::vector<Bank> banks_;
  std::vector<Group> groups_;
  std::vector<Rank> ranks_;
  std::deque<DramTransaction> reads_, writes_;
  std::vector<char> pinned_;  // per bank, this step: a request of the served queue hits its open row
  bool draining_ = false;
  i64 bus_free_ = 0;   // first cycle the data bus is free
  int bus_rank_ = -1;  // rank that last drove the bus
  DramStats stats_;
  i64 occupancy_since_ = 0;  // queue occupancy is accounted up to this cycle
  i64 last_step_ = -1;       // the last cycle the channel was stepped
  void account_occupancy(i64 now);
};

}  // namespace sparsim::memory
