#pragma once
// Waveforms of the detailed SAT array (`sparsim run --mode detailed --trace FILE.vcd`): SystemC's own
// VCD writer (sc_trace) over the signals ArrayCore exposes each cycle: per-PE valid bit and the step it
// works on for a sub-array (with --functional also each multiplier's weight and selected activation and
// the partial sum, as real-valued signals), edge-lane FIFO fill, GLB bank grants, the array's stall, the weight
// preload and the DRAM channels' queue. Only cycles inside the window are stepped in SystemC time one by
// one (the rest of the run advances in tile-sized waits), so a short window of a long run stays cheap.
// The file is written under a temporary name and renamed into place when the run ends well.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/sat/array_core.hpp"
#include "sim/wave_options.hpp"

namespace sparsim::sat {

class ArrayWaves {
 public:
  ArrayWaves(const WaveOptions& o, const ArraySignals& signals);
  ~ArrayWaves();
  bool in_window(std::int64_t cycle) const { return cycle >= o_.start && (o_.end < 0 || cycle < o_.end); }
  // Copies the signals of the cycle that just ended into the traced variables.
  void sample(const ArraySignals& s, std::size_t dram_queue);
  // Closes the file and renames it into place (`ok`), or deletes it.
  void finish(bool ok);
  std::int64_t sampled() const { return sampled_; }

 private:
  WaveOptions o_;
  std::string temp_;
  sc_core::sc_trace_file* file_ = nullptr;
  // Traced variables (sc_trace takes SystemC's own integer types).
  std::unique_ptr<bool[]> valid_;
  std::vector<sc_dt::int64> step_;
  // Values (functional runs): per PE and multiplier, then per PE (see ArraySignals).
  std::vector<double> weight_, act_, psum_;
  std::unique_ptr<bool[]> carries_;
  std::vector<sc_dt::int64> fifo_;
  sc_dt::uint64 grants_ = 0;
  bool stalled_ = false, weight_load_ = false;
  sc_dt::uint64 dram_queue_ = 0;
  std::int64_t sampled_ = 0;
  bool finished_ = false;
};

}  // namespace sparsim::sat
