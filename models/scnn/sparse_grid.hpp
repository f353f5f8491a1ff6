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
  const std::vector<std::int64_t>& outputs() const { return outputs_; }
  void flush_bytes();  // moves fractional byte counts into the counters (end of a job)

 private:
  int pes() const { return p_.grid.pe_rows * p_.grid.pe_cols; }
  void finish_group(const std::vector<PeTally>& tallies, std::uint64_t cycles, GroupOutcome& out);

  ScnnParams p_;
  TimingMode mode_;
  VariantStats& st_;
  ArrayShape shape_;
  const LayerData* data_ = nullptr;
  std::int64_t group_ = 0, kc_lo_ = 0, kc_n_ = 0;
  std::int64_t phases_ = 1;  // operand lanes per input channel (stride phases)
  AxisTiling rows_, cols_;
  std::vector<PeFrame> frames_;
  std::vector<std::vector<ActEntry>> acts_;
  std::vector<std::vector<std::int64_t>> act_offsets_;
  std::vector<WtEntry> wts_;
  std::vector<std::int64_t> wt_offsets_;
  std::vector<Accumulator> accs_;
  std::vector<std::int64_t> outputs_;
  std::uint64_t chunk_input_bytes_ = 0, overflow_bytes_ = 0, max_iaram_bytes_ = 0, chunk_output_bytes_ = 0;
  std::uint64_t act_read_bits_ = 0, wt_read_bits_ = 0, wt_write_bits_ = 0;
};

}  // namespace sparsim::scnn

namespace sparsim::scnn {
// Compressed weight bytes of every output-channel group (what DRAM delivers before each group).
std::vector<std::uint64_t> sparse_group_weight_bytes(const LayerData& data, const PlaneMapping& m, const GridSpec& g);
}  // namespace sparsim::scnn
