#pragma once
// Geometry of the SAT-style N:M array, shared by its mapper (dataflows/sat) and its SystemC model
// (models/sat): how many dense reduction positions a PE row covers, how many bytes a compressed weight
// block takes, and how many bank accesses one streaming step needs. Plain C++, no SystemC.
#include <cmath>
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
  i64 glb_bank_width = 32;        // bytes per bank access
  i64 obuf_capacity = 256 << 10;  // accumulator (output) buffer, bytes (two halves)
  // The mapper's view of DRAM, derived from the memory model (memory.dram.*): peak bytes per array
  // cycle, an unloaded read's latency in array cycles (tRCD + CL + burst) and the burst size.
  double dram_bw = 102.4;
  i64 dram_latency = 50;
  i64 dram_burst = 64;
  i64 mask_lanes = 16;            // N:M groups the mask unit ranks per cycle
  i64 mask_latency = 8;           // pipeline depth of the mask unit's comparator network
};

// N:M structure of the A operand as the array executes it (n == 0: dense).
struct Nm {
  i64 n = 0, m = 0;
  bool sparse() const { return n > 0; }
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

// Pipeline skew of one array tile: WS fill+drain through R rows and C columns; OS adds the R-cycle
// shift-out of the stationary accumulators.
inline i64 fill_drain_cycles(const Hw& hw, Stationarity s) {
  return hw.rows + hw.cols - 2 + (s == Stationarity::OutputStationary ? hw.rows : 0);
}

// Bank accesses (of bank_width bytes) one streaming step needs.
// WS: one column of B over the kl positions of the tile. OS: mr rows of A (p kept values with indices
// each) plus nc columns of B (row_span positions each).
inline i64 ws_step_slots(const Hw& hw, i64 kl) { return ceil_div(kl * hw.data_bytes, hw.glb_bank_width); }
inline i64 os_step_bytes(const Hw& hw, Nm nm, i64 mr, i64 nc) {
  return ceil_div(mr * hw.pe_multipliers * (hw.data_bytes * 8 + index_bits(nm)), 8) +
         nc * row_span(hw, nm) * hw.data_bytes;
}
inline i64 os_step_slots(const Hw& hw, Nm nm, i64 mr, i64 nc) {
  return ceil_div(os_step_bytes(hw, nm, mr, nc), hw.glb_bank_width);
}
// Steps an OS tile streams for kl reduction positions.
inline i64 os_steps(const Hw& hw, Nm nm, i64 kl) { return ceil_div(kl, row_span(hw, nm)); }

// Weight preload of one WS array tile: bank accesses to read mc x kl compressed weights.
inline i64 ws_preload_slots(const Hw& hw, Nm nm, i64 mc, i64 kl) {
  return ceil_div(a_bytes(hw, nm, mc, kl), hw.glb_bank_width);
}

// DRAM bursts of a block of `rows` rows, `row_bytes` each (rows start burst-aligned).
inline i64 block_bursts(const Hw& hw, i64 rows, i64 row_bytes) {
  return row_bytes == 0 ? 0 : rows * ceil_div(row_bytes, hw.dram_burst);
}

}  // namespace sparsim::sat
