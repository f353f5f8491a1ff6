#include "models/stc/params.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sparsim::stc {

const std::vector<ParamSpec>& stc_params() {
  // Defaults: an H200 SXM (H100 SXM compute, 141 GB HBM3e). Sources in docs/stc.md.
  static const std::vector<ParamSpec> params = {
      float_param("accelerator.clock_ghz", 1.98, 0.1, 5.0, "GHz",
                  "SM clock; converts cycles to seconds and HBM bandwidth to bytes per cycle."),
      int_param("accelerator.sms", 132, 1, 1024, "SMs", "Streaming multiprocessors."),
      int_param("accelerator.sm.tc_macs_per_cycle", 2048, 64, 65536, "MACs/cycle",
                "Dense fp16/bf16 tensor-core multiply-accumulates per cycle per SM; a 2:4 sparse MMA covers twice "
                "the K depth in the same cycles."),
      int_param("accelerator.sm.smem_kib", 228, 16, 4096, "KiB", "Shared memory per SM available to one kernel."),
      int_param("accelerator.sm.smem_banks", 32, 1, 256, "banks", "Shared-memory banks per SM."),
      int_param("accelerator.sm.smem_bank_bytes", 4, 1, 64, "bytes/cycle",
                "Bytes one bank delivers per cycle; banks x this is the SM's shared-memory bandwidth: MMA operand "
                "reads, the epilogue's staging and, unless tma_fill_bytes_per_cycle is set, the TMA fills."),
      int_param("accelerator.sm.tma_fill_bytes_per_cycle", 0, 0, 65536, "bytes/cycle",
                "0: the TMA fills share the shared-memory bandwidth of the MMA operand reads (banks x bank bytes). "
                "N: the fills take a write path of N bytes/cycle of their own, as the H200's counters suggest (the "
                "wgmma operand pipe's 128-byte wavefronts are operand reads only, and reads plus fills would exceed "
                "its peak: docs/validation/stc-counters.md); not the default yet, docs/stc.md says why."),
      int_param("accelerator.sm.rf_bytes_per_cycle", 512, 16, 65536, "bytes/cycle",
                "Register-file read bandwidth available to the epilogue (accumulators out of the registers)."),
      int_param("accelerator.sm.l2_port_bytes_per_cycle", 64, 8, 4096, "bytes/cycle",
                "Bandwidth of one SM's path from the L2 (and back for stores)."),
      int_param("accelerator.sm.max_ctas", 32, 1, 64, "CTAs",
                "Most thread blocks resident on one SM (Hopper: 32). A kernel's tile may fit fewer: the tiler stops "
                "at what shared memory (two stages per CTA), registers (the tile's fp32 accumulators) and threads "
                "allow, and each job's mapping names the limit that bound (resident_limit, max_resident_ctas)."),
      int_param("accelerator.sm.registers_kib", 256, 16, 4096, "KiB",
                "Register file per SM (Hopper: 65,536 32-bit registers); bounds the CTAs of a tile whose "
                "accumulators it must hold."),
      int_param("accelerator.sm.max_threads", 2048, 128, 65536, "threads",
                "Most threads resident on one SM (Hopper: 2048); a CTA has one warpgroup per mma_m rows of its tile "
                "plus a producer warpgroup."),
      int_param("accelerator.sm.mma_m", 64, 16, 256, "rows",
                "Rows of A one warpgroup MMA covers; each such MMA reads the whole B chunk from shared memory."),
      enum_param("accelerator.kernel.dtype", "fp16", {"fp16", "bf16"},
                 "Operand type (both 2 bytes, same tensor-core rate on these machines)."),
      string_param("accelerator.kernel.dense_tiles",
                   "64x8x64,128x8x64,192x8x64,64x16x64,128x16x64,64x32x64,64x64x64,128x64x64,64x128x64,128x128x64,"
                   "128x256x64,256x128x64",
                   "Dense kernel menu, CTA tiles MxNxK (cuBLAS-like; the tiler picks one per GEMM). The narrow "
                   "ones (N = 8 to 32) are for skinny GEMMs such as a recurrent layer's per-step product, where "
                   "cuBLAS picks tiles of 8 to 16 columns (bench/gpu/h200_rnn_kernels.csv)."),
      string_param("accelerator.kernel.sparse_tiles", "128x256x64",
                   "2:4 sparse kernel menu, CTA tiles MxNxK with K the logical depth (cuSPARSELt's default algorithm "
                   "used 128x256x64 on the measured H200)."),
      float_param("accelerator.kernel.launch_ns", 638.0, 0.0, 1e6, "ns",
                  "Device time every kernel takes besides its work (grid launch onto the SMs, completion): the "
                  "measured duration of an empty kernel (bench/gpu/h200_kernel_floor.csv, torch.cuda._sleep(0) "
                  "on the H200: 638 ns)."),
      enum_param("accelerator.rnn.dense_algorithm", "auto", {"auto", "standard", "persistent"},
                 "How recurrent layers run with dense weights (docs/rnn.md): auto = PyTorch's cuDNN choice (a "
                 "persistent kernel for fp16 single-layer LSTM/RNN of hidden <= 1024 and batch a multiple of 8 "
                 "up to 128, or small hidden sizes; else the standard per-step kernels), or one of them "
                 "everywhere (persistent only where the weights fit on chip)."),
      enum_param("accelerator.rnn.sparse_algorithm", "standard", {"standard", "sparse_persistent"},
                 "How the design variant runs a recurrent layer's pruned weights: standard (the per-step kernels, "
                 "2:4 sparse GEMMs where the pattern allows) or sparse_persistent (Zhu et al. 2018: the non-zeros "
                 "and 16-bit indices resident on chip, multiplied on the CUDA cores, one grid-wide "
                 "synchronization per step; where they fit)."),
      float_param("accelerator.rnn.grid_sync_ns", 985.0, 0.0, 1e6, "ns",
                  "One grid-wide synchronization of a persistent kernel (all SMs): measured on the H200 with "
                  "cooperative groups' grid.sync over 132 blocks (bench/gpu/h200_grid_sync.csv: 0.985 us)."),
      int_param("accelerator.rnn.batch_tile", 16, 1, 4096, "columns",
                "Batch columns a persistent kernel handles per pass over a step (cuDNN's are named tile16, "
                "and their time grows with the batch in steps of 16: bench/gpu/h200_rnn_kernels.csv)."),
      int_param("accelerator.rnn.onchip_weight_kib", 0, 0, 1 << 20, "KiB",
                "Weights one SM can keep resident in a persistent kernel. 0: its shared memory plus half its "
                "register file (the other half holds the kernel's working registers)."),
      int_param("accelerator.sm.cuda_fp16_fma_per_cycle", 256, 1, 1 << 16, "FMAs/cycle",
                "fp16 multiply-adds per cycle per SM on the CUDA cores (128 FP32 lanes issuing half2): the "
                "datapath of the sparse persistent kernel."),
      int_param("accelerator.kernel.max_stages", 8, 2, 32, "stages", "Deepest shared-memory pipeline a kernel uses."),
      int_param("accelerator.kernel.dense_max_split_k", 8, 1, 64, "",
                "Largest split-K factor of the dense kernel library (cuBLAS ships split-K kernels)."),
      int_param("accelerator.kernel.sparse_max_split_k", 1, 1, 64, "",
                "Largest split-K factor of the sparse kernel library (PyTorch calls cuSPARSELt with split_k = 1)."),
      enum_param("accelerator.sim.sm_model", "representative", {"representative", "all"},
                 "representative: one SM stands for the SMs of each wave (they share L2 and HBM bandwidth); all: "
                 "every SM is simulated."),
      int_param("memory.l2.capacity_mib", 60, 1, 4096, "MiB", "L2 cache capacity."),
      int_param("memory.l2.bytes_per_cycle", 5120, 64, 1 << 20, "bytes/cycle", "L2 bandwidth for the whole GPU."),
      int_param("memory.l2.latency_cycles", 200, 1, 100000, "cycles", "L2 hit latency."),
      float_param("memory.hbm.latency_ns", 480.0, 1.0, 1e6, "ns",
                  "Idle latency of an L2 miss (measured by pointer chasing); the path between the L2 and the "
                  "memory controllers takes this minus the DRAM's own closed-bank read latency."),
      bool_param("accelerator.sim.reuse_identical_gemms", true,
                 "Fast mode: a GEMM job identical to one already simulated (shape, sparsity, mask; its operands at "
                 "the same addresses) takes that job's cycles, counters and stalls instead of being simulated again "
                 "(docs/stc.md measures the error); detailed mode always simulates."),
      int_param("accelerator.sim.reuse_min_cycles", 200000, 0, 1LL << 40, "cycles",
                "Fast mode: only a GEMM job that took at least this long stands for its identical twins (a short "
                "kernel's time depends on the DRAM state it starts in: up to 10 % on ResNet-18's 10,000-cycle "
                "convolutions)."),
      int_param("accelerator.sim.hbm_sampled_channels", 4, 0, 1 << 20, "channels",
                "HBM channels simulated burst by burst, evenly spaced; each stands for channels/this of them "
                "(docs/memory.md, channel sampling). 0: all."),
  };
  static const std::vector<ParamSpec> all = [] {
    std::vector<ParamSpec> v = params;
    for (ParamSpec& d : memory::dram_params("HBM3E_H200", 0)) v.push_back(std::move(d));
    // Winograd transforms run on the CUDA cores as kernels of their own (cuDNN's non-fused Winograd):
    // not overlapped with the GEMM by default.
    for (ParamSpec& d : transform::winograd_params(
             0, 0, false, "0: 128 per SM, the FP32 lanes of an Ampere or Hopper SM (accelerator.sms x 128)."))
      v.push_back(std::move(d));
    return v;
  }();
  return all;
}

StcParams stc_params_from(const Config& cfg) {
  StcParams p;
  gemm::GpuMachine& m = p.machine;
  p.clock_ghz = cfg.f64("accelerator.clock_ghz");
  m.sms = static_cast<int>(cfg.i64("accelerator.sms"));
  p.winograd = transform::transform_spec_from(cfg, 2);
  if (p.winograd.lanes == 0) p.winograd.lanes = static_cast<std::int64_t>(m.sms) * 128;
  m.tc_macs_per_cycle = static_cast<int>(cfg.i64("accelerator.sm.tc_macs_per_cycle"));
  m.smem_bytes = cfg.i64("accelerator.sm.smem_kib") * 1024;
  m.smem_bytes_per_cycle =
      static_cast<int>(cfg.i64("accelerator.sm.smem_banks") * cfg.i64("accelerator.sm.smem_bank_bytes"));
  m.smem_fill_bytes_per_cycle = static_cast<int>(cfg.i64("accelerator.sm.tma_fill_bytes_per_cycle"));
  m.rf_bytes_per_cycle = static_cast<int>(cfg.i64("accelerator.sm.rf_bytes_per_cycle"));
  m.l2_port_bytes_per_cycle = static_cast<int>(cfg.i64("accelerator.sm.l2_port_bytes_per_cycle"));
  m.max_ctas_per_sm = static_cast<int>(cfg.i64("accelerator.sm.max_ctas"));
  m.regs_bytes = cfg.i64("accelerator.sm.registers_kib") * 1024;
  m.max_threads = static_cast<int>(cfg.i64("accelerator.sm.max_threads"));
  m.mma_m = static_cast<int>(cfg.i64("accelerator.sm.mma_m"));
  m.max_stages = static_cast<int>(cfg.i64("accelerator.kernel.max_stages"));
  m.max_split_k = static_cast<int>(cfg.i64("accelerator.kernel.dense_max_split_k"));
  p.sparse_max_split_k = static_cast<int>(cfg.i64("accelerator.kernel.sparse_max_split_k"));
  m.l2_bytes = cfg.i64("memory.l2.capacity_mib") << 20;
  m.l2_bytes_per_cycle = static_cast<int>(cfg.i64("memory.l2.bytes_per_cycle"));
  m.l2_latency = static_cast<int>(cfg.i64("memory.l2.latency_cycles"));
  p.dram = memory::dram_spec_from_config(cfg);
  p.hbm_sampled_channels = static_cast<int>(cfg.i64("accelerator.sim.hbm_sampled_channels"));
  p.reuse_identical_gemms = cfg.boolean("accelerator.sim.reuse_identical_gemms");
  p.reuse_min_cycles = static_cast<std::uint64_t>(cfg.i64("accelerator.sim.reuse_min_cycles"));
  // The tiler's estimate needs HBM bytes per SM cycle, as an exact fraction in 1/1000 byte steps.
  m.hbm_num = static_cast<std::int64_t>(std::llround(p.dram.peak_gbps() / p.clock_ghz * 1000.0));
  m.hbm_den = 1000;
  if (m.hbm_num < 1) cfg.fail("memory.dram.preset", "less than 1/1000 byte per cycle at this clock");
  // The fabric between L2 and controllers: the measured idle latency less the DRAM's part of it.
  const double dram_ns = static_cast<double>(p.dram.idle_read_cycles()) * p.dram.tck_ns;
  m.hbm_latency = static_cast<int>(
      std::max<std::int64_t>(1, std::llround((cfg.f64("memory.hbm.latency_ns") - dram_ns) * p.clock_ghz)));
  m.elem_bytes = 2;
  p.launch_cycles = static_cast<std::uint64_t>(std::llround(cfg.f64("accelerator.kernel.launch_ns") * p.clock_ghz));
  p.rnn_dense_algorithm = cfg.str("accelerator.rnn.dense_algorithm");
  p.rnn_sparse_algorithm = cfg.str("accelerator.rnn.sparse_algorithm");
  p.grid_sync_cycles = static_cast<std::uint64_t>(std::llround(cfg.f64("accelerator.rnn.grid_sync_ns") * p.clock_ghz));
  p.rnn_batch_tile = static_cast<int>(cfg.i64("accelerator.rnn.batch_tile"));
  p.onchip_weight_bytes_per_sm = cfg.i64("accelerator.rnn.onchip_weight_kib") * 1024;
  if (p.onchip_weight_bytes_per_sm == 0) p.onchip_weight_bytes_per_sm = m.smem_bytes + m.regs_bytes / 2;
  p.cuda_fp16_fma_per_cycle = static_cast<int>(cfg.i64("accelerator.sm.cuda_fp16_fma_per_cycle"));
  p.dtype = cfg.str("accelerator.kernel.dtype");
  p.sm_model = cfg.str("accelerator.sim.sm_model") == "all" ? SmModel::All : SmModel::Representative;
  for (const char* key : {"accelerator.kernel.dense_tiles", "accelerator.kernel.sparse_tiles"}) {
    std::vector<gemm::TileShape> menu;
    try {
      menu = gemm::parse_tile_menu(cfg.str(key));
    } catch (const std::invalid_argument& e) {
      cfg.fail(key, e.what());
    }
    for (const auto& t : menu) {
      if (t.m % m.mma_m != 0)
        cfg.fail(key, "tile M " + std::to_string(t.m) + " is not a multiple of accelerator.sm.mma_m (" +
                          std::to_string(m.mma_m) + ")");
      const std::string name = std::to_string(t.m) + "x" + std::to_string(t.n) + "x" + std::to_string(t.k);
      const std::int64_t stage = static_cast<std::int64_t>(t.m) * t.k * 2 + static_cast<std::int64_t>(t.k) * t.n * 2;
      if (2 * stage > m.smem_bytes)
        cfg.fail(key, "tile " + name + " needs " + std::to_string(2 * stage) +
                          " bytes for two stages, more than accelerator.sm.smem_kib");
      if (static_cast<std::int64_t>(t.m) * t.n * 4 > m.regs_bytes)
        cfg.fail(key, "tile " + name + " needs " + std::to_string(static_cast<std::int64_t>(t.m) * t.n * 4) +
                          " bytes of fp32 accumulators, more than accelerator.sm.registers_kib");
      if (gemm::cta_threads(t, m) > m.max_threads)
        cfg.fail(key, "tile " + name + " needs " + std::to_string(gemm::cta_threads(t, m)) +
                          " threads, more than accelerator.sm.max_threads");
    }
    (std::string(key).find("sparse") != std::string::npos ? p.sparse_tiles : p.dense_tiles) = menu;
  }
  return p;
}

}  // namespace sparsim::stc
