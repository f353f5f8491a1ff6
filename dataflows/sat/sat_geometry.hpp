#pragma once
// Geometry of the SAT-style N:M array, shared by its mapper (dataflows/sat) and its SystemC model
// (models/sat): how many dense reduction positions a PE row covers, how many bytes a compressed weight
// block takes, and how many bank accesses one streaming step needs. Plain C++, no SystemC.
#include <algorithm>
#include <cmath>
#include <compare>
#include <cstdint>
#include <string>

namespace sparsim::sat {

using i64 = std::int64_t;

inline i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }

// The hardware parameters the mapper and the model need (from accelerator.* and memory.*).
struct Hw {
  i64 rows = 32, cols = 32;       // PE array
  i64 pe_multipliers = 2;         // multipliers per PE
  i64 max_m = 16;                 // largest M the index/select hardware supports
  i64 data_bytes = 2;             // operand width
  i64 acc_bytes = 4;              // partial-sum width
  std::string dataflow = "auto";  // auto | weight_stationary | output_stationary
  i64 glb_capacity = 2 << 20;     // global buffer, bytes (two halves: double-buffered)
  i64 glb_banks = 16;
  i64 glb_bank_width = 32;               // bytes per bank access
  std::string glb_bank_mapping = "xor";  // which bank holds a word: interleave | xor (models/memory SramSpec)
  i64 obuf_capacity = 256 << 10;         // accumulator (output) buffer, bytes (two halves)
  i64 obuf_banks = 32;                   // accumulator banks (array column c's in bank c mod banks)
  bool obuf_single_port = false;         // one port per bank (else a read and a write port)
  // The mapper's view of DRAM, derived from the memory model (memory.dram.*): peak bytes per array
  // cycle, an unloaded read's latency in array cycles (tRCD + CL + burst) and the burst size.
  double dram_bw = 102.4;
  i64 dram_latency = 50;
  i64 dram_burst = 64;
  // How addresses spread over the channels: `dram_run_bytes` consecutive bytes share a channel, then the
  // next channel takes over (0: finer than a burst, every block is spread evenly). With DRAMSim3's
  // default order (channel above rank, bank and column) a run is a whole row of every bank, 256 KiB on
  // DDR4, so a tile smaller than that sits on one channel and gets one channel's bandwidth.
  i64 dram_channels = 1;
  i64 dram_run_bytes = 0;
  i64 mask_lanes = 16;               // N:M groups the mask unit ranks per cycle
  i64 mask_latency = 8;              // pipeline depth of the mask unit's comparator network
  bool mask_rank_on_change = false;  // re-rank only layers whose mask may have changed
  bool mask_on_demand = false;       // masks generated before each sparse FF, not pre-generated after WU
  // Array structure options (SCALE-Sim makes the other choice of each): WS weights go into shadow
  // registers while the previous fold streams (else they load, R rows, before each fold); OS
  // accumulators shift out behind the next fold (overlapped) or for R cycles after it (serial).
  bool ws_shadow_weights = true;
  bool os_overlapped_drain = false;
  i64 edge_fifo_depth = 8;  // operand steps an edge lane's FIFO holds
};

// N:M structure of the A operand as the array executes it (n == 0: dense).
struct Nm {
  i64 n = 0, m = 0;
  bool sparse() const { return n > 0; }
  auto operator<=>(const Nm&) const = default;
};

// v scaled by a fraction <= 1, rounded up (DRAM bytes or bursts of a compactly stored operand).
inline i64 scaled(i64 v, double fraction) {
  return fraction >= 1.0 ? v : static_cast<i64>(std::ceil(static_cast<double>(v) * fraction));
}

// Index bits per kept value: enough to name a position inside a group of M.
inline i64 index_bits(Nm nm) {
  if (!nm.sparse()) return 0;
  i64 bits = 0;
  while ((i64{1} << bits) < nm.m) ++bits;
  return bits;
}

// Dense reduction positions one PE row covers per step: p multipliers hold p kept weights, i.e. p/N
// groups of M positions in N:M mode (the reduction advances M/N times faster), p positions dense.
inline i64 row_span(const Hw& hw, Nm nm) { return nm.sparse() ? hw.pe_multipliers / nm.n * nm.m : hw.pe_multipliers; }

// Kept values among k consecutive reduction positions that start on a group boundary.
inline i64 kept(Nm nm, i64 k) {
  if (!nm.sparse()) return k;
  const i64 rem = k % nm.m;
  return k / nm.m * nm.n + (rem < nm.n ? rem : nm.n);
}

// Dense reduction position of the q-th kept value of a compressed row (counted from a group boundary) whose
// stored in-group index is `index`: its group's base plus the index (dense: q itself).
inline i64 kept_position(Nm nm, i64 q, i64 index) { return nm.sparse() ? q / nm.n * nm.m + index : q; }

// Bytes of `rows` rows of A with k reduction positions each, compressed (values + packed indices).
inline i64 a_row_bytes(const Hw& hw, Nm nm, i64 k) {
  return ceil_div(kept(nm, k) * (hw.data_bytes * 8 + index_bits(nm)), 8);
}
inline i64 a_bytes(const Hw& hw, Nm nm, i64 rows, i64 k) { return rows * a_row_bytes(hw, nm, k); }

enum class Stationarity { WeightStationary, OutputStationary };
inline const char* stationarity_name(Stationarity s) {
  return s == Stationarity::WeightStationary ? "weight_stationary" : "output_stationary";
}

// Dense reduction positions one array tile covers: WS maps K on the rows; OS streams the whole GLB tile.
inline i64 ws_k_tile(const Hw& hw, Nm nm) { return hw.rows * row_span(hw, nm); }

// Skew of one fold after its last step entered: WS partial sums travel down R rows and across the mc
// used columns; OS steps reach the last used PE (mr, nc) and, unless overlapped, the accumulators shift
// out down the R rows.
inline i64 ws_fill_drain(const Hw& hw, i64 mc) { return hw.rows + mc - 2; }
inline i64 os_fill_drain(const Hw& hw, i64 mr, i64 nc) { return mr + nc - 2 + (hw.os_overlapped_drain ? 0 : hw.rows); }

// GLB words a WS fold reads to stream `steps` columns of B over kc of the GLB tile's kl positions: a
// column covering the whole kl lies next to the previous one, and the lane's line buffer serves the word
// they share (so do columns closer than a word); a partial column is read on its own.
inline i64 ws_stream_words(const Hw& hw, i64 kc, i64 kl, i64 steps) {
  const i64 col = kc * hw.data_bytes, pitch = kl * hw.data_bytes;
  if (kc == kl || pitch < hw.glb_bank_width) return ceil_div(steps * (kc == kl ? col : pitch), hw.glb_bank_width);
  return steps * ceil_div(col, hw.glb_bank_width);
}
// Cycles the GLB needs for them: the stream port reads ahead through the edge FIFO, so the banks serve
// glb_banks words every cycle; at most one step enters the array per cycle.
inline i64 ws_stream_cycles(const Hw& hw, i64 kc, i64 kl, i64 steps) {
  return std::max(steps, ceil_div(ws_stream_words(hw, kc, kl, steps), hw.glb_banks));
}
// Steps an OS tile streams for kl reduction positions.
inline i64 os_steps(const Hw& hw, Nm nm, i64 kl) { return ceil_div(kl, row_span(hw, nm)); }

// Output buffer: partial sums a column's read-modify-write pipeline holds in flight.
inline constexpr i64 kObufPipelineDepth = 4;  // read granted, data back and added, write granted, one spare
// Array columns that share the busiest accumulator bank when `cols` columns pass partial sums (column c's
// live in bank c mod obuf_banks), and the bank cycles one partial sum takes there (a single-ported bank
// serves a read-modify-write, `read`, in two).
inline i64 obuf_sharing(const Hw& hw, i64 cols) { return ceil_div(std::max<i64>(1, cols), hw.obuf_banks); }
inline i64 obuf_bank_cycles(const Hw& hw, bool read) { return hw.obuf_single_port && read ? 2 : 1; }
// GLB words of one OS fold: every row lane reads its compressed A row and every column lane its B
// column once, word by word (a lane's line buffer serves the steps inside a word). A lane's range
// shorter than a word shares it with the lane's range of the next fold when the fold stride (R rows of
// A, C columns of B) is shorter than a word too: such a lane reads a fraction of a word per fold.
// `a_held`: the row lanes read the same rows in the previous fold.
inline double os_fold_words(const Hw& hw, Nm nm, i64 mr, i64 nc, i64 kl, bool a_held = false) {
  const double W = static_cast<double>(hw.glb_bank_width);
  auto lane = [&](i64 bytes, i64 lanes_per_fold) {
    if (bytes >= hw.glb_bank_width) return static_cast<double>(ceil_div(bytes, hw.glb_bank_width));
    return std::min(1.0, static_cast<double>(lanes_per_fold * bytes) / W);
  };
  const i64 a_row = a_row_bytes(hw, nm, kl);
  const double a = (a_held && a_row <= hw.glb_bank_width) ? 0.0 : static_cast<double>(mr) * lane(a_row, hw.rows);
  return a + static_cast<double>(nc) * lane(kl * hw.data_bytes, hw.cols);
}
inline i64 os_stream_cycles(const Hw& hw, Nm nm, i64 mr, i64 nc, i64 kl, bool a_held = false) {
  const double words = os_fold_words(hw, nm, mr, nc, kl, a_held);
  return std::max(os_steps(hw, nm, kl), static_cast<i64>(std::ceil(words / static_cast<double>(hw.glb_banks))));
}

// GLB words of one WS fold's compressed weights (mc rows of A over kc of the GLB tile's kl positions):
// one block when the rows are whole, else a read per row.
inline i64 ws_weight_words(const Hw& hw, Nm nm, i64 mc, i64 kc, i64 kl) {
  return kc == kl ? ceil_div(a_bytes(hw, nm, mc, kc), hw.glb_bank_width)
                  : mc * ceil_div(a_row_bytes(hw, nm, kc), hw.glb_bank_width);
}

// DRAM bursts of a block of `rows` rows, `row_bytes` each (rows start burst-aligned).
inline i64 block_bursts(const Hw& hw, i64 rows, i64 row_bytes) {
  return row_bytes == 0 ? 0 : rows * ceil_div(row_bytes, hw.dram_burst);
}

// The share of a block's bytes that its busiest DRAM channel carries (1/channels: spread evenly; 1: all on
// one channel), for `rows` rows of `row_bytes` bytes `pitch` apart from address 0. Channel hashing is not
// modelled here (it spreads blocks more evenly than this says). Used by the mapper's DRAM estimate: a
// block takes its busiest channel's time.
inline double busiest_channel_share(const Hw& hw, i64 rows, i64 row_bytes, i64 pitch) {
  const i64 C = hw.dram_channels, run = hw.dram_run_bytes;
  if (C <= 1) return 1.0;
  if (run <= 0 || rows <= 0 || row_bytes <= 0) return 1.0 / static_cast<double>(C);
  pitch = std::max(pitch, row_bytes);
  if (pitch < run) {
    // Many rows per run: bytes fill the span [0, rows * pitch) evenly (density row_bytes / pitch), so each
    // whole run carries the same bytes and run k lies on channel k mod C.
    const i64 span = (rows - 1) * pitch + row_bytes;
    const i64 whole = span / run, part = span % run;
    const double busiest =
        static_cast<double>(ceil_div(whole, C) * run) + (whole % C == 0 ? static_cast<double>(part) : 0.0);
    return std::min(1.0, busiest / static_cast<double>(span));
  }
  // Rows at least a run apart: count each row's bytes per channel (the first 1024 rows; the pattern of
  // channels repeats with the pitch, so they stand for the rest).
  i64 per[64] = {};  // beyond 64 channels, channels fold onto 64 counters (an overestimate of the share)
  const i64 lanes = std::min<i64>(C, 64), sample = std::min<i64>(rows, 1024);
  i64 total = 0;
  for (i64 r = 0; r < sample; ++r)
    for (i64 a = r * pitch, end = r * pitch + row_bytes; a < end;) {
      const i64 next = std::min(end, (a / run + 1) * run);
      per[(a / run) % C % lanes] += next - a;
      total += next - a;
      a = next;
    }
  const i64 busiest = *std::max_element(per, per + lanes);
  return std::max(static_cast<double>(busiest) / static_cast<double>(total), 1.0 / static_cast<double>(C));
}

// DRAM cycles to move a block (whole bursts) at the rate its busiest channel allows.
inline double block_dram_cycles(const Hw& hw, i64 rows, i64 row_bytes, i64 pitch) {
  const double bytes = static_cast<double>(block_bursts(hw, rows, row_bytes) * hw.dram_burst);
  return bytes * busiest_channel_share(hw, rows, row_bytes, pitch) *
         static_cast<double>(std::max<i64>(hw.dram_channels, 1)) / hw.dram_bw;
}

}  // namespace sparsim::sat
