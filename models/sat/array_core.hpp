#pragma once
// The SAT-style PE array as hardware structure, stepped one cycle at a time (the detailed mode's
// reference). Plain C++ driven by the array's one SystemC thread (never a process per PE):
//
//  GLB (models/memory SramBanks: banks addressed by the real byte address of every operand under the
//  tile layout below, one arbiter per bank)
//   -> edge lanes: each lane is a port of the GLB with a one-word line buffer and a FIFO of operand steps
//      (depth accelerator.array.edge_fifo_depth, credit-based: a lane reads ahead only into free slots)
//   -> skew registers and the R x C PEs: every PE has a valid bit (its row's bits shift one column per
//      cycle), weight registers with N:M in-group indices (and shadow registers, WS), an activation
//      window it selects from, and a partial-sum register; the whole array advances one cycle when every
//      lane that must inject this cycle has its step, otherwise it holds (a global stall)
//   -> bottom edge: the output buffer's accumulator banks (models/memory SramBanks; array column c's partial
//      sums in bank c mod obuf.banks): every partial sum leaving a column enters the column's
//      read-modify-write pipeline (read the sum so far, add, write back; a write only where the run starts
//      at zero) of kObufPipelineDepth entries, whose reads and writes the banks' arbiters grant; a column whose
//      pipeline is full holds the array (WS) or its accumulator shift-out (OS).
//
// Weight stationary: K on the rows (row_span dense positions each), M on the columns, the GLB tile's N
// streamed in time; one lane streams B columns, a second GLB port preloads the next fold's compressed
// weights with the bank slots the stream leaves (shadow registers) or before the fold (SCALE-Sim's
// choice). Output stationary: M on the rows, N on the columns, K streamed: R row lanes carry compressed
// A (values and indices), C column lanes carry B windows; accumulators leave after the fold, shifted
// down R rows (serial) or behind the next fold (overlapped, SCALE-Sim's choice).
//
// GLB tile layout (per double-buffer half): A row-major (ml rows of a_row_bytes(kl)), then B column-major
// (nl columns of kl values), the B block aligned to a bank word.
//
// Values: with a FunctionalOp, the sampled output columns' operands travel through the same structure
// (FIFO entries, skew registers, PE registers) and the partial sums accumulate in the output buffer.
#include <cstdint>
#include <deque>
#include <functional>
#include <stdexcept>
#include <vector>

#include "dataflows/sat/sat_mapper.hpp"
#include "models/memory/accumulator_banks.hpp"
#include "models/memory/sram_banks.hpp"
#include "models/sat/functional.hpp"

namespace sparsim::sat {

// What one GLB tile did in the detailed structure (cycles by cause, events).
struct ArrayTally {
  i64 busy = 0;           // cycles in which a step entered the array
  i64 stall_operand = 0;  // cycles the array held because an edge lane lacked its step
  i64 stall_bank = 0;     // cycles waiting for weights that lost GLB banks to the stream (WS)
  i64 stall_obuf = 0;     // cycles a partial sum could not enter its column's full read-modify-write pipeline
  i64 fill_drain = 0;     // skew fill/drain, accumulator shift-out, weight loads nothing overlaps
  i64 macs = 0, skipped_macs = 0;
  i64 glb_words = 0, glb_read_bytes = 0;
  i64 fifo_bytes = 0;                   // written into and read out of the edge FIFOs
  i64 obuf_reads = 0, obuf_writes = 0;  // accumulator entries (acc_bytes each)
  i64 cycles() const { return busy + stall_operand + stall_bank + stall_obuf + fill_drain; }
};

// A window of the array's signals for waveforms (filled each cycle while a probe is attached).
struct ArraySignals {
  i64 rows = 0, cols = 0;              // the traced sub-array
  i64 row0 = 0, col0 = 0;              // its top-left PE
  std::vector<std::uint8_t> pe_valid;  // rows x cols
  std::vector<std::int64_t> pe_step;   // step (column of B / k step) each PE works on, -1 idle
  // Edge FIFO fill of the lanes that feed the traced sub-array: lanes 0 .. rows-1 (OS: the rows' A lanes;
  // WS: lane 0 is the activation stream, the others idle) and R .. R+cols-1 (OS: the columns' B lanes).
  std::vector<std::int64_t> fifo_lanes;  // lane index of each entry of fifo_fill
  std::vector<std::int64_t> fifo_fill;
  std::uint64_t bank_grants = 0;  // bit b: GLB bank b granted a word this cycle (first 64)
  bool stalled = false;
  bool weight_load = false;
  // Values (functional runs): per traced PE and multiplier q (pe_multipliers of them; index
  // pe * multipliers + q) the weight it multiplies (WS: its weight register; OS: the kept weight of the row
  // entry passing it, 0 past the step's kept values) and the activation its M:1 selector took; the PE's
  // partial-sum register after this cycle's products; and whether the step it works on carries values
  // (only the functional sample's output columns do: activations and partial sums are 0 on the others).
  bool values = false;
  i64 multipliers = 0;
  std::vector<double> pe_weight, pe_act, pe_psum;
  std::vector<std::uint8_t> pe_carries;
};

// The GLB as the shared SRAM block sees it: both halves, the configured banks, width and mapping.
memory::SramSpec glb_sram_spec(const Hw& hw, int ports, const char* arbiter);

class ArrayCore {
 public:
  explicit ArrayCore(const Hw& hw);
  // Runs the array tiles of one GLB tile held in GLB half `half`; adds to `tally`. `f` (optional)
  // carries values through the structure for its sampled columns.
  void run_glb_tile(const GlbTile& t, Stationarity s, Nm nm, int half, FunctionalOp* f, ArrayTally& tally);
  // Called after every simulated cycle while set (waveforms): `signals` then holds that cycle.
  std::function<void()> on_cycle;
  ArraySignals signals;
  // Traces the rows x cols PEs from (row0, col0), clipped at the array's edge; `values`: their operands
  // and partial sums too (functional runs).
  void set_probe(i64 rows, i64 cols, i64 row0 = 0, i64 col0 = 0, bool values = false);

 private:
  struct Entry {  // one operand step in an edge FIFO
    i64 fold = 0, step = 0;
  };
  struct InFlight {
    i64 fold = 0, step = 0;
    bool access = false;   // a GLB read was issued for it (else its words are already in the line buffer)
    bool granted = false;  // all words granted
    i64 ready_at = 0;
    i64 bytes = 0;
  };
  // A FIFO of at most a lane's credit (edge_fifo_depth) entries, in a fixed ring: nothing is allocated per
  // step (a std::deque's size and node walk were a fifth of an output-stationary run).
  template <typename T>
  class Ring {
   public:
    void reset(std::size_t capacity) {
      items_.assign(capacity, T{});
      head_ = size_ = 0;
    }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }
    T& front() { return items_[head_]; }
    const T& front() const { return items_[head_]; }
    T& operator[](std::size_t i) { return items_[wrap(head_ + i)]; }
    void push_back(const T& v) {
      if (size_ == items_.size()) throw std::logic_error("sat: an edge FIFO took more than its credit");
      items_[wrap(head_ + size_)] = v;
      ++size_;
    }
    void pop_front() {
      head_ = wrap(head_ + 1);
      --size_;
    }

   private:
    std::size_t wrap(std::size_t i) const { return i >= items_.size() ? i - items_.size() : i; }
    std::vector<T> items_;
    std::size_t head_ = 0, size_ = 0;
  };
  // Where a lane's steps of one fold lie: step s's bytes are [base + step_lo[s], base + step_hi[s] + extra).
  struct FoldSpan {
    bool live = false;  // the lane has steps in this fold (else hi == lo: none)
    std::uint64_t base = 0, extra = 0;
  };
  struct Lane {
    // Byte range [lo, hi) in the GLB of the lane's step s of fold f: the fold's part, worked out once per fold,
    // plus the step's offsets, the same in every fold (see range()).
    std::function<FoldSpan(i64 fold)> fold_span;
    const std::vector<std::uint64_t>* step_lo = nullptr;
    const std::vector<std::uint64_t>* step_hi = nullptr;
    i64 span_of = -1;  // the fold `span` describes
    FoldSpan span;
    void range(i64 f, i64 s, std::uint64_t& lo, std::uint64_t& hi) {
      if (f != span_of) {
        span = fold_span(f);
        span_of = f;
      }
      lo = span.live ? span.base + (*step_lo)[static_cast<std::size_t>(s)] : 0;
      hi = span.live ? span.base + (*step_hi)[static_cast<std::size_t>(s)] + span.extra : 0;
    }
    i64 folds = 0, steps = 0;  // steps per fold (same for every fold)
    i64 fetch_fold = 0, fetch_step = 0;
    std::int64_t last_word = -1;             // the word in the line buffer (or requested into it)
    std::uint64_t last_lo = 0, last_hi = 0;  // the previous step's bytes
    Ring<InFlight> inflight;
    Ring<Entry> fifo;
  };

  // Output buffer. Partial sums of a column enter its pipeline in order; a read-modify-write never meets
  // another of the same address in flight (a WS address recurs a K fold later, an OS one a GLB tile later),
  // so the pipeline needs no forwarding.
  static memory::AccumulatorSpec obuf_spec(const Hw& hw);
  // Byte address of the partial sum in slot `slot` of array column `c` (bank c mod banks).
  std::uint64_t obuf_address(i64 c, i64 slot) const;
  // Moves one cycle: queued shift-out entries enter their columns' pipelines, the banks grant.
  void cycle_obuf();
  bool obuf_drained() const;

  void reset_lanes(std::size_t n);
  void advance_lane_cursor(Lane& l);
  // Issues GLB reads for lanes with FIFO credit, steps the banks one cycle, moves arrived steps into
  // the FIFOs (visible from the next cycle).
  void cycle_memory();
  // Queues the compressed weights of one WS fold on the weight-preload port.
  void preload_weights(const std::vector<memory::SramAccess>& words);
  bool weights_ready() const;
  static bool lane_has(const Lane& l, i64 fold, i64 step);
  void capture(bool stalled);
  // Index of PE (r, c) among the traced ones when their values are traced, else -1.
  i64 traced_value_pe(i64 r, i64 c) const {
    if (!trace_values_) return -1;
    const i64 tr = r - signals.row0, tc = c - signals.col0;
    return tr >= 0 && tr < signals.rows && tc >= 0 && tc < signals.cols ? tr * signals.cols + tc : -1;
  }

  struct TileLayout {
    std::uint64_t a = 0, a_pitch = 0, b = 0, b_pitch = 0;
  };
  TileLayout tile_layout(const GlbTile& t, Nm nm, int half) const;
  void ws(const GlbTile& t, Nm nm, int half, FunctionalOp* f, ArrayTally& tally);
  void os(const GlbTile& t, Nm nm, int half, FunctionalOp* f, ArrayTally& tally);
  // Ends the current cycle: memory side, probe, cycle counter `counter` of the tally.
  void tick(i64& counter, bool stalled);

  Hw hw_;
  // One GLB, two arbitration set-ups: WS (stream port before the weight-preload port: fixed priority)
  // and OS (R + C lanes, round robin). A GLB tile uses one of them.
  memory::SramBanks ws_glb_, os_glb_;
  memory::SramBanks* glb_ = nullptr;
  std::vector<Lane> lanes_;
  i64 weight_pending_ = 0;        // preload accesses not yet fully granted
  std::deque<i64> weight_bytes_;  // their sizes, in grant order
  i64 weight_ready_at_ = 0;       // GLB cycle its last word arrives
  i64 weight_started_ = 0;        // GLB cycle the preload began (the shift into R rows takes R cycles)
  ArrayTally* tally_ = nullptr;
  i64 advance_ = 0;  // the fold's current advance (a PE (r, c) works on step advance_ - r - c)
  // PE valid bits, row by row (C bits per row, 64 per word): shifted one column per cycle.
  std::vector<std::vector<std::uint64_t>> valid_;
  std::vector<i64> bank_busy_before_;
  bool probe_ = false;
  bool trace_values_ = false;
  memory::AccumulatorBanks obuf_;  // the output buffer: a port (read-modify-write pipeline) per column
  struct ShiftOut {                // OS: an accumulator waiting at the column's bottom
    std::uint64_t address = 0;
    bool read = false;
  };
  std::vector<std::deque<ShiftOut>> shift_out_;  // per column
  std::uint64_t obuf_stride_ = 0;                // words between a column's consecutive slots
  std::vector<std::uint64_t> obuf_column_word_;  // a column's first word (bank c mod banks)
  i64 shifting_out_ = 0;                         // entries in the shift-out queues
};

}  // namespace sparsim::sat
