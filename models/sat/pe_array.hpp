#pragma once
// The PE array with its edge operand FIFOs, the banked global buffer (GLB) that feeds them, and the
// accumulator buffer (obuf) at the bottom edge, evaluated in its controller's thread (never one process
// per PE). Detailed mode steps the structure cycle by cycle (ArrayCore: PEs, skew, lanes, GLB banks by
// address); fast mode is separate closed-form code per fold (GLB words per step over the banks, the
// skew, the weight preload left over by the stream) whose error against the detailed mode is measured
// (tests/sat/test_sat_modes.cpp, docs/sat.md).
#include <functional>

#include <systemc>

#include "dataflows/sat/sat_mapper.hpp"
#include "models/sat/array_core.hpp"
#include "models/sat/array_waves.hpp"
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
  // The detailed structure, whose signals waveforms sample.
  ArrayCore& core() { return core_; }
  // Detailed mode: samples every cycle inside the waves' window into them (stepping SystemC time cycle
  // by cycle there); `dram_queue` reports the DRAM's queued requests.
  void attach_waves(ArrayWaves* waves, std::function<std::size_t()> dram_queue);

  StatGroup array{"array"};
  StatGroup glb{"glb"};
  StatGroup fifo{"edge_fifo"};
  StatGroup obuf{"obuf"};

  Counter& macs;
  Counter& skipped_macs;
  Counter& busy_cycles;
  Counter& stall_operand;
  Counter& stall_bank;
  Counter& stall_obuf;
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
  // Fast mode, one fold each: closed forms over the fold's GLB words, skew and weight preload.
  void fast_ws(const GlbTile& t, Nm nm, FunctionalOp* f);
  void fast_os(const GlbTile& t, Nm nm, FunctionalOp* f);
  void add(const ArrayTally& t);

  Hw hw_;
  bool detailed_;
  ArrayCore core_;
  int half_ = 0;  // GLB half the next tile occupies (double buffering)
  void trace_cycle();
  ArrayWaves* waves_ = nullptr;
  std::function<std::size_t()> dram_queue_;
  i64 tile_start_ = 0, tile_cycle_ = 0;  // waveforms: the tile's first cycle, cycles simulated in it
};

}  // namespace sparsim::sat
