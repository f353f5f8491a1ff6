#pragma once
// The PE array with its edge operand FIFOs, the banked global buffer (GLB) that feeds them, and the
// accumulator buffer (obuf) at the bottom edge. The whole array is evaluated in its controller's thread
// (never one process per PE): per array tile, a streaming phase in which the GLB's banks deliver one
// operand step per ceil(slots/banks) cycles while leftover bank slots preload the next tile's weights,
// then the pipeline drain. Detailed mode ticks every cycle through that bank arbitration; fast mode
// advances the same steady state in one step with identical counters.
#include <systemc>

#include "dataflows/sat/sat_mapper.hpp"
#include "models/sat/functional.hpp"
#include "sim/stats.hpp"

namespace sparsim::sat {

class PeArray {
 public:
  PeArray(const Hw& hw, bool detailed, StatsRegistry& registry);
  // Executes the array tiles of one GLB tile (waits in the calling SC_THREAD). `accumulate` is false
  // when the output block starts from zero (first k tile of a run without reloaded partial sums).
  void run_glb_tile(const GlbTile& t, Stationarity s, Nm nm, FunctionalOp* f);

  i64 peak_macs_per_cycle() const { return hw_.rows * hw_.cols * hw_.pe_multipliers; }

  StatGroup array{"array"};
  StatGroup glb{"glb"};
  StatGroup fifo{"edge_fifo"};
  StatGroup obuf{"obuf"};

  Counter& macs;
  Counter& skipped_macs;
  Counter& busy_cycles;
  Counter& stall_operand;
  Counter& stall_bank;
  Counter& stall_fill_drain;
  Counter& stall_dram;
  Counter& stall_mask;
  Counter& stall_gate;
  Counter& glb_read_bytes;
  Counter& glb_write_bytes;
  Counter& glb_bank_accesses;
  Counter& fifo_bytes;
  Counter& obuf_read_bytes;
  Counter& obuf_write_bytes;

 private:
  // One weight-stationary tile: S column steps of u bank slots each, the next tile's weight preload of
  // p_next slots, a drain of d cycles.
  void ws_tile(i64 u, i64 steps, i64 p_next, i64 d);
  // The first tile's weights, before anything can stream: shift R rows, read p slots.
  void preload(i64 p);
  // One output-stationary tile: S steps of u slots each, then the drain.
  void os_tile(i64 u, i64 steps, i64 d);
  void tick();
  void flush();

  Hw hw_;
  bool detailed_;
  i64 pending_ = 0;  // fast mode: cycles to advance at the end of the GLB tile
};

}  // namespace sparsim::sat
