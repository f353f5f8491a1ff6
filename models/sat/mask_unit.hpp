#pragma once
// The N:M mask-generation unit of bidirectional weight pruning. After a layer's weight update it streams
// the updated dense W from DRAM, ranks every group of M along Cin (the FF mask) and every group of M along
// Cout (the BP mask, for W^T) in `lanes` comparator lanes per cycle, and writes both compressed weight
// copies (values + in-group indices) back. It runs in its own thread, so it overlaps the array's next
// job; it shares the DRAM channel with it. Detailed mode steps its structure (chunks of M rows through a
// two-chunk input buffer, comparator lanes taking groups cycle by cycle, per-chunk write-back; in
// functional runs the chunk buffer holds W's values and each lane ranks its group element by element);
// fast mode paces the same traffic in a few slices at the lanes' rate.
#include <deque>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <systemc>

#include "dataflows/sat/sat_geometry.hpp"
#include "models/memory/dram_module.hpp"
#include "sim/stats.hpp"

namespace sparsim::sat {

// Values for the detailed unit to rank (functional runs): W's element at (row = instance * cout + co,
// col = reduction position k) and the two masks the comparator lanes produce from it, bit per element of
// W (ff: kept along Cin, bp: kept along Cout), for the run's check against a sort of every group.
struct MaskValues {
  std::function<double(i64 row, i64 col)> w;
  std::vector<bool> ff, bp;  // filled by the unit, row-major like W
  i64 groups_ranked = 0;     // groups whose values went through the lanes
  bool done = false;
};

struct MaskJob {
  i64 cout = 0;       // rows of W
  i64 red = 0;        // Cin * kh * kw: columns of W
  i64 instances = 1;  // conv groups
  Nm nm;
  std::string layer;  // for the timeline
  bool rank = true;   // false: the mask is unchanged, so the copies are re-compressed through the kept indices
  std::shared_ptr<MaskValues> values = nullptr;  // detailed functional runs: the lanes rank these values
  // sc_fifo's print() needs it.
  friend std::ostream& operator<<(std::ostream& os, const MaskJob& j) { return os << j.cout << "x" << j.red; }
};

// Groups the lanes rank for a job (0 when its mask is unchanged), and the cycles that takes (plus the
// pipeline depth).
i64 mask_groups(const MaskJob& j);
i64 mask_rank_cycles(const Hw& hw, const MaskJob& j);

class MaskUnit : public sc_core::sc_module {
 public:
  MaskUnit(sc_core::sc_module_name name, const Hw& hw, bool detailed, memory::DramModule& dram,
           StatsRegistry& registry);
  // Hands a job over (the caller's thread waits while the unit's one-entry queue is full).
  void submit(const MaskJob& job, const std::string& layer = "") {
    MaskJob j = job;
    j.layer = layer;
    held_.push_back(j);
    queue_.write(j);
  }
  // What the unit holds now, as a key: every job at work or waiting (shape, pattern, whether it ranks), and
  // how many cycles it has worked on the first. Array jobs that start beside equal keys have the same mask
  // traffic beside them (fast mode's reuse of identical jobs compares them).
  std::vector<i64> activity() const;
  // Waits (in the caller's thread) until every submitted job is done.
  void wait_idle();
  // Ranking cycles of one job's two masks (for reports).
  i64 rank_cycles(const MaskJob& job) const;

  StatGroup stats{"mask_unit"};

 private:
  struct Layout {
    std::uint64_t base = 0, w_row = 0, rows = 0, ff_row = 0, bp_row = 0, ff_base = 0, bp_base = 0;
  };
  Layout layout(const MaskJob& j) const;
  void run();
  void run_fast(const MaskJob& j);
  // Submits one block of the unit's traffic and counts its bytes.
  std::shared_ptr<memory::DramModule::Transfer> submit_traffic(const memory::DramModule::Block& b,
                                                               memory::DramModule::DoneCallback on_done = {});
  void run_detailed(const MaskJob& j);
  // One comparator lane on one group of W (the `size` <= M elements at `at(0..size-1)` of the chunk
  // buffer): every element's rank among the others (one comparator per pair: |v_o| > |v_e|, or equal with
  // o first), kept when fewer than N beat it; the bits go to the mask at W positions `pos(e)`.
  static void rank_group(const double* v, const i64* pos, i64 size, Nm nm, std::vector<bool>& mask);
  Hw hw_;
  bool detailed_;
  memory::DramModule& dram_;
  sc_core::sc_fifo<MaskJob> queue_;
  std::deque<MaskJob> held_;  // submitted and not finished, oldest first
  i64 started_at_ = -1;       // cycle the unit took held_.front() (-1: not yet)
  sc_core::sc_event idle_;
  Counter& groups_;
  Counter& compares_;
  Counter& busy_cycles_;
  Counter& jobs_;
  Counter& dram_bytes_;
  // Fast mode: the unit reads W in slices of about this many bytes (whole chunks; see run_fast).
  static constexpr i64 kFastSliceBytes = 32 * 1024;
};

}  // namespace sparsim::sat
