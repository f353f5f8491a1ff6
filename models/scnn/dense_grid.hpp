#pragma once
// The DCNN baseline's PE grid: the same 8 x 8 PEs with F x I multipliers, working densely on output tiles.
// Each cycle a PE multiplies a stationary F x I block of weights (F output channels x I input channels)
// with the I activations of one output pixel's input, reducing through adder trees into F partial sums.
// DCNN-opt gates multiplies with a zero operand (no cycles saved, no multiply energy spent).
// Detailed mode steps every PE's structure (dense_pe.hpp) and the weight bus that broadcasts the blocks to
// all PEs (WU: DenseWuPe, the dY stream per cycle); fast mode is their closed form
// (tests/scnn/test_dense_structure.cpp measures one against the other).
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/scnn/dense_pe.hpp"
#include "models/scnn/layer_data.hpp"
#include "models/scnn/params.hpp"
#include "models/scnn/scnn_stats.hpp"
#include "models/scnn/sparse_grid.hpp"
#include "sim/accelerator.hpp"

namespace sparsim::scnn {

class DenseGrid : public sc_core::sc_module {
 public:
  DenseGrid(sc_core::sc_module_name name, const ScnnParams& p, TimingMode mode, VariantStats& stats, bool gating,
            bool compress_dram);

  void load_chunk(const LayerData& data, const PlaneMapping& m, std::int64_t chunk);
  std::uint64_t chunk_input_bytes() const { return chunk_input_bytes_; }  // DRAM bytes to fill the IARAMs
  std::uint64_t chunk_overflow_bytes() const { return overflow_bytes_; }
  std::uint64_t max_iaram_bytes() const { return max_iaram_bytes_; }
  std::uint64_t chunk_output_bytes() const { return chunk_output_bytes_; }  // DRAM bytes if spilled
  std::uint64_t load_group(const LayerData& data, const PlaneMapping& m, std::int64_t g);
  GroupOutcome run_group();
  // WU (sparsim's training extension): with a gradient set, `data` is the forward layer and a group g is
  // (output-channel group g / C, input channel g % C). Per PE (its tile of dY positions) and kernel offset
  // (r, s), each cycle multiplies F gradient channels x I positions with the I inputs those positions see at
  // (r, s), reducing over the positions into F partial dW; the partials are reduced across PEs as in SCNN.
  void set_gradient(const Mask* dy, const std::vector<std::int16_t>* dy_values = nullptr) {
    dy_ = dy;
    dy_values_ = dy_values;
  }
  // Functional runs in detailed mode: the instance's outputs so far (K x Ho x Wo; WU: dW, K x C x R x S), as
  // the PEs' accumulators computed them; empty otherwise.
  void begin_layer(const LayerData& data);
  const std::vector<std::int64_t>& outputs() const { return outputs_; }

 private:
  GroupOutcome run_wu_group();
  struct ArrayRun {
    std::uint64_t cycles = 0;            // until the slowest PE reaches the barrier
    std::uint64_t grid_weight_wait = 0;  // cycles every working PE waited for the weight bus
    std::vector<DenseTally> pes;
  };
  DenseGroupShape group_shape() const;
  std::int64_t weight_bus_cycles() const;  // cycles to broadcast one F x I block
  ArrayRun run_array_fast(const DenseGroupShape& g);
  ArrayRun run_array_detailed(const DenseGroupShape& g);
  ArrayRun run_wu_fast(const DenseGroupShape& g);
  ArrayRun run_wu_detailed(const DenseGroupShape& g);
  int pes() const { return p_.grid.pe_rows * p_.grid.pe_cols; }
  ScnnParams p_;
  TimingMode mode_;
  VariantStats& st_;
  bool gating_, compress_dram_;
  const LayerData* data_ = nullptr;
  std::int64_t kc_lo_ = 0, kc_n_ = 0;
  AxisTiling rows_, cols_;
  // Per PE: own output tile and, for gating, how many of its outputs meet a non-zero input per (c, r, s).
  std::vector<Range> own_y_, own_x_;
  std::vector<std::vector<std::int32_t>> nz_hits_;
  std::vector<std::int32_t> group_nzw_;  // non-zero weights of the group per (c, r, s)
  std::vector<DenseIaram> iaram_;        // detailed mode: each PE's dense input window
  std::vector<std::int64_t> outputs_;
  const Mask* dy_ = nullptr;                              // WU: the gradient
  const std::vector<std::int16_t>* dy_values_ = nullptr;  // WU, functional runs: its values
  std::int64_t wu_c_ = 0;
  std::vector<std::int32_t> dy_count_;  // WU gating: non-zero gradient channels of the group per position
  std::uint64_t chunk_input_bytes_ = 0, overflow_bytes_ = 0, max_iaram_bytes_ = 0, chunk_output_bytes_ = 0;
};

}  // namespace sparsim::scnn
