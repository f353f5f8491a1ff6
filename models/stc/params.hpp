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
  int sparse_max_split_k = 1;         // machine.max_split_k is the dense library's
  memory::DramSpec dram;              // the HBM (machine.hbm_latency is the L2-to-controller path)
  int hbm_sampled_channels = 4;       // 0: all
  transform::TransformSpec winograd;  // the CUDA cores doing Winograd transforms
};

const std::vector<ParamSpec>& stc_params();
// Reads and checks every parameter (cross-key checks via cfg.fail, so errors name file:line:key).
StcParams stc_params_from(const Config& cfg);

}  // namespace sparsim::stc
