#pragma once
// The SCNN PE grid: every PE's multiplier array, crossbar and accumulator banks, evaluated in one process
// (the controller's thread calls in). A group runs until its slowest PE reaches the barrier; in fast mode
// each PE's busy cycles come from a tight loop over its operands and time advances in one wait, in detailed
// mode all PEs are stepped cycle by cycle. After the barrier it works out the halo exchange, the
// post-processing and (functional runs) routes halo partial sums to their owners.
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/scnn/layer_data.hpp"
#include "models/scnn/params.hpp"
#include "models/scnn/pe_core.hpp"
#include "models/scnn/pe_cursor.hpp"
#include "models/scnn/scnn_stats.hpp"
#include "sim/accelerator.hpp"

namespace sparsim::scnn {

struct GroupOutcome {
  std::uint64_t cycles = 0;       // until the barrier
  std::uint64_t halo_cycles = 0;  // slowest PE's halo transfer
  std::uint64_t ppu_cycles = 0;   // slowest PE's post-processing
};

class SparseGrid : public sc_core::sc_module {
 public:
  SparseGrid(sc_core::sc_module_name name, const ScnnParams& p, TimingMode mode, VariantStats& stats);

  // Distributes the chunk's input activations over the PEs (their compressed IARAM contents).
  void load_chunk(const LayerData& data, const PlaneMapping& m, std::int64_t chunk);
  std::uint64_t chunk_input_bytes() const { return chunk_input_bytes_; }  // compressed, all PEs
  std::uint64_t chunk_overflow_bytes() const { return overflow_bytes_; }  // beyond the IARAMs
  std::uint64_t max_iaram_bytes() const { return max_iaram_bytes_; }
  std::uint64_t chunk_output_bytes() const { return chunk_output_bytes_; }  // compressed outputs so far
  // Broadcasts group g's weights into the weight FIFOs.
  void load_group(const LayerData& data, const PlaneMapping& m, std::int64_t g);
  GroupOutcome run_group();  // blocks the calling thread until the barrier
  // Functional runs: the outputs of the instance so far (K x Ho x Wo), written by the PPUs.
  void begin_layer(const LayerData& data);
  // WU (sparsim's training extension): with a gradient set, `data` is the forward layer, the PEs hold X
  // tiles, a group g is (output-channel group g / C, input channel g % C), each PE streams the dY non-zeros of
  // the group whose receptive window reaches its X tile, and the outputs are dW (K x C x R x S) after a
  // cross-PE reduction. nullptr: FF / BP.
  void set_gradient(const Mask* dy, const std::vector<std::int16_t>* dy_values);
  const std::vector<std::int64_t>& outputs() const { return outputs_; }
  void flush_bytes();  // moves fractional byte counts into the counters (end of a job)

 private:
  int pes() const { return p_.grid.pe_rows * p_.grid.pe_cols; }
  void finish_group(const std::vector<PeTally>& tallies, std::uint64_t cycles, GroupOutcome& out);
  void load_wu_group(const LayerData& data, const PlaneMapping& m, std::int64_t g);
  void finish_wu_group(GroupOutcome& out);

  ScnnParams p_;
  TimingMode mode_;
  VariantStats& st_;
  ArrayShape shape_;
  const LayerData* data_ = nullptr;
  std::int64_t group_ = 0, kc_lo_ = 0, kc_n_ = 0;
  std::int64_t phases_ = 1;  // operand lanes per input channel (stride phases that hold weights)
  std::int64_t phase_rows_ = 1, phase_cols_ = 1;
  AxisTiling rows_, cols_;
  std::vector<PeFrame> frames_;
  std::vector<std::vector<ActEntry>> acts_;
  std::vector<std::vector<std::int64_t>> act_offsets_;
  std::vector<WtEntry> wts_;
  std::vector<std::int64_t> wt_offsets_;
  std::vector<Accumulator> accs_;
  const Mask* dy_ = nullptr;  // WU: the gradient
  const std::vector<std::int16_t>* dy_values_ = nullptr;
  std::int64_t wu_c_ = 0, wu_kg_ = -1;
  std::vector<std::vector<WtEntry>> pe_wts_;  // WU: each PE's dY stream for the current output-channel group
  std::vector<std::vector<std::int64_t>> wu_act_off_, wu_wt_off_;
  std::vector<std::int64_t> outputs_;
  std::uint64_t chunk_input_bytes_ = 0, overflow_bytes_ = 0, max_iaram_bytes_ = 0, chunk_output_bytes_ = 0;
  std::uint64_t act_read_bits_ = 0, wt_read_bits_ = 0, wt_write_bits_ = 0;
  // The current group's weight format when it is coarse (weight_format.hpp): its index bits, spread over
  // its non-zero weights, are what the weight FIFO moves besides the values.
  bool coarse_group_ = false;
  std::uint64_t group_index_bits_ = 0, group_nonzeros_ = 0;
};

}  // namespace sparsim::scnn

namespace sparsim::scnn {
// WU: compressed dY bytes per group (g / C output-channel group, all of it before the group's first channel,
// none for the others: the dY buffer keeps it while the C channels run).
std::vector<std::uint64_t> sparse_wu_group_bytes(const LayerData& fwd, const Mask& dy, const PlaneMapping& m,
                                                 const GridSpec& g);
// Cycles of the cross-PE reduction of one WU group's partial dW (`entries` per PE) over a grid of `pes`
// PEs: a pipelined tree of ceil(log2 pes) levels whose links carry `per_cycle` entries per cycle (0 for one PE).
std::uint64_t wu_reduction_cycles(std::uint64_t entries, int pes, int per_cycle);
}  // namespace sparsim::scnn
