#pragma once
// A GEMM tiler in the style of CUTLASS/cuBLAS Hopper kernels: it picks a thread-block (CTA) tile from a
// kernel menu, the depth of the multi-stage shared-memory pipeline, how many CTAs share an SM, and split-K,
// by an analytical estimate of each candidate (the way a library heuristic picks a kernel). It knows
// nothing of SystemC: models/stc simulates the chosen plan.
//
// GEMM view: C[M x N] = A[M x K] * B[K x N], `instances` independent copies. A is the weight; a sparse
// kernel reads A compressed 2:4 along K (K/2 values plus 2-bit indices) and B dense.
#include <cstdint>
#include <string>
#include <vector>

namespace sparsim::gemm {

struct TileShape {
  int m = 128, n = 256, k = 64;  // CTA tile; k is the logical (uncompressed) depth of one pipeline stage
};

// Machine facts the tiler needs, in cycles of the SM clock.
struct GpuMachine {
  int sms = 132;
  int tc_macs_per_cycle = 2048;  // dense tensor-core MACs per cycle per SM (2:4 sparse: twice)
  std::int64_t smem_bytes = 228 * 1024;
  int smem_bytes_per_cycle = 128;        // banks x bank width: the MMA operand reads (and epilogue staging)
  int smem_fill_bytes_per_cycle = 0;     // the TMA's own write path into shared memory; 0: fills share the reads'
  int rf_bytes_per_cycle = 512;          // accumulator read-out rate of the epilogue
  int max_ctas_per_sm = 32;              // the hardware's (and the parameter's) cap on resident CTAs
  std::int64_t regs_bytes = 256 * 1024;  // register file per SM (65,536 32-bit registers)
  int max_threads = 2048;                // resident threads per SM
  int l2_port_bytes_per_cycle = 64;      // L2 -> one SM
  std::int64_t l2_bytes = 60LL << 20;
  int l2_bytes_per_cycle = 5120;
  int l2_latency = 200;
  std::int64_t hbm_num = 2424, hbm_den = 1;  // HBM bytes per cycle as a fraction num/den
  int hbm_latency = 950;
  int elem_bytes = 2;  // fp16 / bf16 operands and output
  int mma_m = 64;      // rows of one warpgroup MMA: B is read from shared memory once per mma_m rows
  int max_stages = 8;
  int max_split_k = 8;
};

struct GemmShape {
  std::int64_t M = 0, N = 0, K = 0, instances = 1;
  bool sparse = false;  // A is 2:4 compressed
};

// The chosen kernel and everything the simulation needs per CTA and per k-chunk.
struct KernelPlan {
  TileShape tile;
  bool sparse = false;
  int stages = 2;
  int ctas_per_sm = 1;   // resident CTAs per SM (the tiler's choice, at most max_resident)
  int max_resident = 1;  // the most CTAs of this tile one SM holds (resident_limit)
  std::string resident_limit = "accelerator.sm.max_ctas";  // what sets max_resident (ResidentLimit)
  int split_k = 1;
  std::int64_t tiles_m = 0, tiles_n = 0, instances = 1;
  std::int64_t k_chunks = 0;  // ceil(K / tile.k)
  std::int64_t chunks_per_split = 0;
  std::int64_t ctas = 0;  // tiles_m * tiles_n * split_k * instances
  // Per full k-chunk (edge CTAs move fewer bytes; the MMA always runs the full tile).
  std::int64_t a_chunk_bytes = 0;     // A values (compressed when sparse)
  std::int64_t meta_chunk_bytes = 0;  // 2-bit indices, 4 bits per group of 4
  std::int64_t b_chunk_bytes = 0;
  std::int64_t smem_read_bytes = 0;  // operand reads of the MMAs of one chunk
  std::int64_t smem_fill_bytes = 0;  // TMA writes of one stage
  std::int64_t mma_cycles = 0;       // tensor-core cycles of one chunk
  std::int64_t stage_bytes = 0;
  double estimate_cycles = 0.0;
  std::string name;  // e.g. "sparse_128x256x64_s5_r1_k1"
};

struct CtaCoord {
  std::int64_t instance = 0, split = 0, tm = 0, tn = 0;
};

// Raster order: instance, split, tile row, tile column (column fastest, so a wave shares A row panels).
CtaCoord cta_coord(const KernelPlan& plan, std::int64_t cta);
// Valid rows/columns/k-chunks of one CTA (edge tiles are partial).
std::int64_t cta_rows(const KernelPlan& plan, const GemmShape& g, const CtaCoord& c);
std::int64_t cta_cols(const KernelPlan& plan, const GemmShape& g, const CtaCoord& c);
std::int64_t cta_chunks(const KernelPlan& plan, const CtaCoord& c);

// Threads of one CTA of a warp-specialized Hopper kernel: one warpgroup (128 threads) per mma_m rows of
// the tile computing, plus one producer warpgroup issuing the TMA loads.
int cta_threads(const TileShape& tile, const GpuMachine& m);

// The most CTAs of a tile one SM can hold, and what stops one more: the parameter
// ("accelerator.sm.max_ctas") or the first hardware resource that runs out ("shared memory": two pipeline
// stages per CTA; "registers": the fp32 accumulators of the tile, a lower bound of what a CTA holds;
// "threads": cta_threads). 0 when not even one CTA fits.
struct ResidentLimit {
  int ctas = 0;
  std::string bound_by;
};
ResidentLimit resident_limit(const TileShape& tile, bool sparse, const GpuMachine& m);

// "128x256x64,64x64x64" -> tiles; throws std::invalid_argument with the offending item.
std::vector<TileShape> parse_tile_menu(const std::string& text);

// Fills every derived field of a plan for (tile, stages, ctas_per_sm, split_k) and its estimate.
KernelPlan make_plan(const GemmShape& g, const GpuMachine& m, const TileShape& tile, int stages, int ctas_per_sm,
                     int split_k);
// Best plan over the menu (a tile narrower than 64 columns only when N is at most twice its width),
// resident-CTA counts (1 .. resident_limit), stage depths and split-K; throws
// std::invalid_argument when no tile of the menu fits on an SM.
KernelPlan plan_gemm(const GemmShape& g, const GpuMachine& m, const std::vector<TileShape>& menu);

// L2 reuse at wave granularity: a CTA's A (B) chunk misses when no CTA earlier in the same wave uses the
// same A row panel (B column panel) and the panel was not left in L2 by the previous wave. Returns, per
// wave, the fraction of A and B bytes that go to HBM.
struct WaveReuse {
  std::int64_t wave_ctas = 0;  // CTAs per wave (sms * ctas_per_sm)
  std::vector<double> a_miss, b_miss;
};
WaveReuse wave_reuse(const KernelPlan& plan, const GemmShape& g, const GpuMachine& m);

}  // namespace sparsim::gemm
