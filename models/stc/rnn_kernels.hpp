#pragma once
// The kernels a cuDNN-style library runs for one phase of a recurrent layer (its standard, non-persistent
// algorithm, as recorded on the H200 in bench/gpu/h200_rnn_kernels.csv): one GEMM over all time steps for
// the input projection, then per step a small GEMM with the recurrent weights and an element-wise cell
// kernel (FF), or per step, in reverse, the cell's backward element-wise kernel and a GEMM through the
// transposed recurrent weights (BP), then the input gradient and the bias gradient over all steps; WU is
// two GEMMs over all steps. Structured gate-gradient sparsity (Zhu et al. 2018) adds a threshold kernel per
// step that drops whole rows of dG and compacts the rest, so the per-step BP GEMM reduces over the kept
// rows only. No SystemC: GpuTop runs the list.
#include <cstdint>
#include <string>
#include <vector>

#include "dataflows/gemm/gemm_tiler.hpp"
#include "workloads/network.hpp"

namespace sparsim::stc {

// How a recurrent phase runs: cuDNN's standard per-step kernels; a persistent kernel that keeps the
// recurrent weights on chip for all steps (cuDNN's PERSIST_STATIC, dense, on the tensor cores); or the
// sparse persistent kernel of Zhu et al. (ICLR 2018): the non-zero weights and their indices resident,
// multiplied on the CUDA cores.
enum class RnnAlgorithm { Standard, Persistent, SparsePersistent };
const char* rnn_algorithm_name(RnnAlgorithm a);  // "standard", "persistent", "sparse_persistent"

// PyTorch's choice of cuDNN algorithm for a layer (aten/src/ATen/native/cudnn/RNN.cpp, get_algo, on a GPU of
// compute capability 8.0 or later with at least 98 SMs): a persistent one for fp16 when the module is one
// layer, hidden <= 1024, hidden and input multiples of 128, and the batch a multiple of 8 up to 128 (never
// for GRU; tanh RNN also needs batch < 96 or hidden < 896), or, for any dtype, when the hidden size is
// small (the PERSIST_STATIC_SMALL_H algorithm, cuDNN >= 8.2.1: LSTM/GRU hidden <= 192 forward, <= 128
// backward; RNN <= 384 / <= 256).
bool cudnn_picks_persistent(const RnnOp& r, Phase phase, bool fp16);

struct RnnKernel {
  enum class Kind { Gemm, Pointwise, Persistent };
  Kind kind = Kind::Gemm;
  std::string what;              // x_proj, h_step, cell, cell_bp, threshold, dh_step, dx, bias_grad, dw_x, dw_h
  gemm::GemmShape shape;         // Gemm
  std::int64_t read_bytes = 0;   // Pointwise: what it reads and writes
  std::int64_t write_bytes = 0;  //
  std::int64_t repeat = 1;       // launched this many times back to back (once per time step)
  // Persistent: one launch over all steps. Each step, every SM gathers the whole vector the step depends on
  // (h_(t-1) in FF, dG_(t+1) in BP: gather_bytes per batch column), multiplies its share of out_rows x
  // reduction x batch (of which `density` is non-zero) with the weights it holds, and writes its rows.
  std::int64_t out_rows = 0, reduction = 0, batch = 0, steps = 0;
  std::int64_t gather_bytes = 0;      // per batch column and step, read by every SM
  std::int64_t step_write_bytes = 0;  // per step, all SMs together (outputs and state kept for BP)
  std::int64_t weight_bytes = 0;      // resident on chip (values, and indices when sparse)
  double density = 1.0;               // SparsePersistent: fraction of non-zero weights
  bool cuda_cores = false;            // SparsePersistent: multiplies on the CUDA cores, not the tensor cores
};

// The kernel sequence of `op` (op.rnn must be set). `sparse`: the weights are 2:4 and the job runs the
// sparse kernels where the operand keeps its 2:4 structure (not the per-step BP GEMM over a subset of
// gate rows). `elem_bytes`: bytes per activation and gradient element.
// `algorithm`: the persistent ones replace the per-step kernels of FF and BP (WU is GEMMs either way).
std::vector<RnnKernel> rnn_kernels(const GemmOp& op, bool sparse, int elem_bytes,
                                   RnnAlgorithm algorithm = RnnAlgorithm::Standard);

// Bytes a persistent kernel of this phase keeps on chip: W_h (FF) or W_h^T (BP) in fp16, or, sparse, its
// non-zeros at `density` with a 16-bit index each.
std::int64_t persistent_weight_bytes(const RnnOp& r, RnnAlgorithm algorithm, double density);

// The rows of dG [gates*hidden x batch] one step keeps at gate-gradient density d (at least one).
std::int64_t kept_gate_rows(std::int64_t gate_rows, double d);

}  // namespace sparsim::stc
