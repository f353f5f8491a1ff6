// The GEMM tiler: menu parsing, plan arithmetic (tiles, waves, compressed bytes, operand reads), L2 reuse
// per wave, and its choices (split-K only when the tiles leave SMs idle).
#include <catch2/catch.hpp>

#include "dataflows/gemm/gemm_tiler.hpp"

using namespace sparsim::gemm;

TEST_CASE("tile menus parse and reject malformed items", "[stc][tiler]") {
  const auto menu = parse_tile_menu("128x256x64, 64x64x64");
  REQUIRE(menu.size() == 2);
  CHECK(menu[0].m == 128);
  CHECK(menu[0].n == 256);
  CHECK(menu[1].k == 64);
  CHECK_THROWS_WITH(parse_tile_menu("128x256"), Catch::Contains("'128x256'"));
  CHECK_THROWS_WITH(parse_tile_menu("96x64x64"), Catch::Contains("multiple of 64"));
  CHECK_THROWS(parse_tile_menu(""));
}

TEST_CASE("a sparse plan moves compressed A plus metadata and runs its MMA in half the cycles", "[stc][tiler]") {
  GpuMachine m;
  const TileShape t{128, 256, 64};
  const KernelPlan d = make_plan(GemmShape{4096, 4096, 4096, 1, false}, m, t, 4, 1, 1);
  const KernelPlan s = make_plan(GemmShape{4096, 4096, 4096, 1, true}, m, t, 4, 1, 1);
  CHECK(d.a_chunk_bytes == 128 * 64 * 2);
  CHECK(s.a_chunk_bytes == 128 * 32 * 2);
  CHECK(s.meta_chunk_bytes == 128 * 16 / 2);  // 4 bits per group of 4
  CHECK(s.b_chunk_bytes == d.b_chunk_bytes);
  CHECK(d.mma_cycles == 128 * 256 * 64 / 2048);
  CHECK(s.mma_cycles * 2 == d.mma_cycles);
  // Two warpgroup MMAs of 64 rows each read B from shared memory.
  CHECK(d.smem_read_bytes == d.a_chunk_bytes + 2 * d.b_chunk_bytes);
  CHECK(d.ctas == 32 * 16);
  CHECK(d.k_chunks == 64);
}

TEST_CASE("edge tiles and split-K partition the GEMM exactly", "[stc][tiler]") {
  GpuMachine m;
  const GemmShape g{300, 200, 1000, 2, false};
  const KernelPlan p = make_plan(g, m, TileShape{128, 128, 64}, 3, 1, 3);
  CHECK(p.tiles_m == 3);
  CHECK(p.tiles_n == 2);
  CHECK(p.k_chunks == 16);
  CHECK(p.chunks_per_split == 6);
  CHECK(p.split_k == 3);
  std::int64_t rows = 0, cols = 0, chunks = 0;
  for (std::int64_t c = 0; c < p.ctas; ++c) {
    const CtaCoord cc = cta_coord(p, c);
    if (cc.split == 0 && cc.tn == 0) rows += cta_rows(p, g, cc);
    if (cc.split == 0 && cc.tm == 0) cols += cta_cols(p, g, cc);
    if (cc.tm == 0 && cc.tn == 0) chunks += cta_chunks(p, cc);
  }
  CHECK(rows == 300 * 2);  // both instances
  CHECK(cols == 200 * 2);
  CHECK(chunks == 16 * 2);
}

TEST_CASE("L2 reuse: within a wave each A row panel and B column panel misses once", "[stc][tiler]") {
  GpuMachine m;
  m.sms = 8;
  m.l2_bytes = 1LL << 40;  // everything fits: later waves hit what earlier ones loaded
  const GemmShape g{512, 512, 256, 1, false};
  const KernelPlan p = make_plan(g, m, TileShape{128, 128, 64}, 2, 1, 1);  // 4 x 4 tiles, 2 waves of 8
  const WaveReuse r = wave_reuse(p, g, m);
  REQUIRE(r.a_miss.size() == 2);
  CHECK(r.a_miss[0] == Approx(2.0 / 8));  // wave 0: rows 0-1
  CHECK(r.b_miss[0] == Approx(4.0 / 8));  // all four columns
  CHECK(r.a_miss[1] == Approx(2.0 / 8));  // rows 2-3 are new
  CHECK(r.b_miss[1] == Approx(0.0));      // columns already in L2
  m.l2_bytes = 1;                         // nothing survives a wave
  const WaveReuse r2 = wave_reuse(p, g, m);
  CHECK(r2.b_miss[1] == Approx(4.0 / 8));
}

TEST_CASE("the tiler splits K only when the output tiles leave SMs idle", "[stc][tiler]") {
  GpuMachine m;
  const std::vector<TileShape> menu = {{128, 128, 64}};
  const KernelPlan small = plan_gemm(GemmShape{256, 256, 16384, 1, false}, m, menu);  // 4 tiles, long K
  CHECK(small.split_k > 1);
  const KernelPlan big = plan_gemm(GemmShape{8192, 8192, 1024, 1, false}, m, menu);
  CHECK(big.split_k == 1);
  m.max_split_k = 1;
  CHECK(plan_gemm(GemmShape{256, 256, 16384, 1, false}, m, menu).split_k == 1);
  GpuMachine tiny;
  tiny.smem_bytes = 1024;
  CHECK_THROWS_WITH(plan_gemm(GemmShape{256, 256, 256, 1, false}, tiny, menu), Catch::Contains("shared memory"));
}

TEST_CASE("resident CTAs per SM follow accelerator.sm.max_ctas up to what the SM's resources allow", "[stc][tiler]") {
  GpuMachine m;  // H200: 228 KiB shared memory, 256 KiB registers, 2048 threads per SM
  const TileShape small{64, 64, 64};
  // Per CTA: two dense fp16 stages of 64x64x64 = 32 KiB (7 per SM), 16 KiB of fp32 accumulators (16),
  // one computing and one producer warpgroup = 256 threads (8).
  CHECK(cta_threads(small, m) == 256);
  m.max_ctas_per_sm = 8;
  ResidentLimit l = resident_limit(small, false, m);
  CHECK(l.ctas == 7);
  CHECK(l.bound_by == "shared memory");
  // A GEMM of many small tiles with a short K loop: more CTAs per SM mean fewer waves, so fewer exposed
  // prologues, and the estimate prefers 7 (280,372 cycles) to 4 (304,678).
  const GemmShape g{8192, 8192, 256, 1, false};
  const KernelPlan eight = plan_gemm(g, m, {small});
  m.max_ctas_per_sm = 4;
  const KernelPlan four = plan_gemm(g, m, {small});
  CHECK(four.ctas_per_sm == 4);
  CHECK(four.max_resident == 4);
  CHECK(four.resident_limit == "accelerator.sm.max_ctas");
  CHECK(eight.ctas_per_sm > 4);
  CHECK(eight.ctas_per_sm <= 7);
  CHECK(eight.max_resident == 7);
  CHECK(eight.resident_limit == "shared memory");
  CHECK(eight.estimate_cycles < four.estimate_cycles);
  // Each stage depth still fits: r CTAs x stages x stage bytes <= shared memory.
  CHECK(eight.ctas_per_sm * eight.stages * eight.stage_bytes <= m.smem_bytes);
  // With shared memory to spare, threads bind (2048 / 256 = 8) ...
  m.max_ctas_per_sm = 32;
  m.smem_bytes = 1 << 20;
  l = resident_limit(small, false, m);
  CHECK(l.ctas == 8);
  CHECK(l.bound_by == "threads");
  CHECK(plan_gemm(g, m, {small}).ctas_per_sm <= 8);
  // ... and a large tile's accumulators fill the registers: 128x256 fp32 = 128 KiB, two per SM.
  l = resident_limit(TileShape{128, 256, 64}, false, m);
  CHECK(l.ctas == 2);
  CHECK(l.bound_by == "registers");
  // The parameter binds when it is the smallest.
  m.max_ctas_per_sm = 1;
  CHECK(resident_limit(small, false, m).bound_by == "accelerator.sm.max_ctas");
}
