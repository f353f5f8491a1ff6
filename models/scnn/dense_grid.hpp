#pragma once
// The DCNN baseline's PE grid: the same 8 x 8 PEs with F x I multipliers, working densely on output tiles.
// Each cycle a PE multiplies a stationary F x I block of weights (F output channels x I input channels)
// with the I activations of one output pixel's input, reducing through adder trees into F partial sums.
// DCNN-opt gates multiplies with a zero operand (no cycles saved, no multiply energy spent).
#include <cstdint>
#include <vector>

#include <systemc>

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
  void set_gradient(const Mask* dy) { dy_ = dy; }

 private:
  GroupOutcome run_wu_group();
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
  const Mask* dy_ = nullptr;             // WU: the gradient
  std::int64_t wu_c_ = 0;
  std::vector<std::int32_t> dy_count_;  // WU gating: non-zero gradient channels of the group per position
  std::uint64_t chunk_input_bytes_ = 0, overflow_bytes_ = 0, max_iaram_bytes_ = 0, chunk_output_bytes_ = 0;
};

}  // namespace sparsim::scnn
