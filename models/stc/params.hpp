#pragma once
// The parameters of the GPU-like machine (accelerator.* and memory.*), their declarations and the
// conversion of a Config into the tiler's machine description.
#include <string>
#include <vector>

#include "dataflows/gemm/gemm_tiler.hpp"
#include "models/memory/dram_params.hpp"
#include "models/transform/transform_unit.hpp"
#include "sim/config/config.hpp"

namespace sparsim::stc {

enum class SmModel { Representative, All };

struct StcParams {
  gemm::GpuMachine machine;
  double clock_ghz = 1.98;
  std::vector<gemm::TileShape> dense_tiles, sparse_tiles;
  SmModel sm_model = SmModel::Representative;
  std::string dtype = "fp16";
  int sparse_max_split_k = 1;               // machine.max_split_k is the dense library's
  memory::DramSpec dram;                    // the HBM (machine.hbm_latency is the L2-to-controller path)
  int hbm_sampled_channels = 4;             // 0: all
  bool reuse_identical_gemms = true;        // fast mode: an identical GEMM job takes the first one's results
  std::uint64_t reuse_min_cycles = 200000;  // ... when the first one took at least this long
  std::uint64_t launch_cycles = 0;          // fixed device time of every kernel (accelerator.kernel.launch_ns)
  // Recurrent layers (docs/rnn.md): the dense variant's algorithm ("auto": PyTorch's cuDNN choice), the design
  // variant's for its sparse weights, a grid-wide synchronization per step of a persistent kernel, the
  // batch columns a persistent kernel handles per pass, the bytes of weights an SM can keep resident, and
  // the CUDA cores' fp16 multiply-adds per cycle per SM (the sparse persistent kernel's datapath).
  std::string rnn_dense_algorithm = "auto";
  std::string rnn_sparse_algorithm = "standard";
  std::uint64_t grid_sync_cycles = 0;
  int rnn_batch_tile = 16;
  std::int64_t onchip_weight_bytes_per_sm = 0;
  int cuda_fp16_fma_per_cycle = 256;
  transform::TransformSpec winograd;  // the CUDA cores doing Winograd transforms
};

const std::vector<ParamSpec>& stc_params();
// Reads and checks every parameter (cross-key checks via cfg.fail, so errors name file:line:key).
StcParams stc_params_from(const Config& cfg);

}  // namespace sparsim::stc
