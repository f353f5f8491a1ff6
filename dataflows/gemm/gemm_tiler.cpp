#include "dataflows/gemm/gemm_tiler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sparsim::gemm {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Bytes of one stage of A (values, metadata) and B for a tile.
void chunk_bytes(const TileShape& t, bool sparse, int eb, std::int64_t& a, std::int64_t& meta, std::int64_t& b) {
  a = static_cast<std::int64_t>(t.m) * (sparse ? t.k / 2 : t.k) * eb;
  meta = sparse ? static_cast<std::int64_t>(t.m) * (t.k / 4) / 2 : 0;  // 4 bits per group of 4
  b = static_cast<std::int64_t>(t.k) * t.n * eb;
}

}  // namespace

int cta_threads(const TileShape& tile, const GpuMachine& m) { return 128 * (tile.m / m.mma_m + 1); }

ResidentLimit resident_limit(const TileShape& tile, bool sparse, const GpuMachine& m) {
  std::int64_t a = 0, meta = 0, b = 0;
  chunk_bytes(tile, sparse, m.elem_bytes, a, meta, b);
  ResidentLimit r{m.max_ctas_per_sm, "accelerator.sm.max_ctas"};
  const auto take = [&r](std::int64_t fits, const char* what) {
    if (fits < r.ctas) {
      r.ctas = static_cast<int>(std::max<std::int64_t>(0, fits));
      r.bound_by = what;
    }
  };
  take(m.smem_bytes / (2 * (a + meta + b)), "shared memory");
  take(m.regs_bytes / (static_cast<std::int64_t>(tile.m) * tile.n * 4), "registers");
  take(m.max_threads / cta_threads(tile, m), "threads");
  return r;
}

CtaCoord cta_coord(const KernelPlan& p, std::int64_t cta) {
  CtaCoord c;
  c.tn = cta % p.tiles_n;
  cta /= p.tiles_n;
  c.tm = cta % p.tiles_m;
  cta /= p.tiles_m;
  c.split = cta % p.split_k;
  c.instance = cta / p.split_k;
  return c;
}

std::int64_t cta_rows(const KernelPlan& p, const GemmShape& g, const CtaCoord& c) {
  return std::min<std::int64_t>(p.tile.m, g.M - c.tm * p.tile.m);
}
std::int64_t cta_cols(const KernelPlan& p, const GemmShape& g, const CtaCoord& c) {
  return std::min<std::int64_t>(p.tile.n, g.N - c.tn * p.tile.n);
}
std::int64_t cta_chunks(const KernelPlan& p, const CtaCoord& c) {
  return std::max<std::int64_t>(0, std::min(p.chunks_per_split, p.k_chunks - c.split * p.chunks_per_split));
}

std::vector<TileShape> parse_tile_menu(const std::string& text) {
  std::vector<TileShape> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) continue;
    TileShape t;
    char x1 = 0, x2 = 0;
    std::stringstream is(item);
    if (!(is >> t.m >> x1 >> t.n >> x2 >> t.k) || x1 != 'x' || x2 != 'x' || !is.eof() || t.m <= 0 || t.n <= 0 ||
        t.k <= 0)
      throw std::invalid_argument("'" + item + "' is not a tile MxNxK");
    if (t.m % 64 != 0 || t.n % 8 != 0 || t.k % 32 != 0)
      throw std::invalid_argument("tile '" + item +
                                  "': M must be a multiple of 64 (one warpgroup MMA), N of 8, K of 32");
    out.push_back(t);
  }
  if (out.empty()) throw std::invalid_argument("empty tile menu");
  return out;
}

WaveReuse wave_reuse(const KernelPlan& p, const GemmShape& g, const GpuMachine& m) {
  WaveReuse r;
  r.wave_ctas = static_cast<std::int64_t>(m.sms) * p.ctas_per_sm;
  const std::int64_t waves = ceil_div(p.ctas, r.wave_ctas);
  const std::int64_t eb = m.elem_bytes;
  // Bytes of one A row panel / B column panel over one split's k range (for the L2 footprint).
  const std::int64_t k_split = std::min(g.K, p.chunks_per_split * p.tile.k);
  const std::int64_t a_panel = p.tile.m * k_split * eb / (g.sparse ? 2 : 1), b_panel = p.tile.n * k_split * eb;
  const bool all_fits = (g.M * g.K / (g.sparse ? 2 : 1) + g.K * g.N) * eb * g.instances <= m.l2_bytes;
  std::set<std::int64_t> prev_a, prev_b, seen_a, seen_b;
  for (std::int64_t w = 0; w < waves; ++w) {
    std::set<std::int64_t> wa, wb;
    const std::int64_t first = w * r.wave_ctas, last = std::min(p.ctas, first + r.wave_ctas);
    for (std::int64_t c = first; c < last; ++c) {
      const CtaCoord cc = cta_coord(p, c);
      wa.insert((cc.instance * p.split_k + cc.split) * p.tiles_m + cc.tm);
      wb.insert((cc.instance * p.split_k + cc.split) * p.tiles_n + cc.tn);
    }
    const bool prev_fits =
        static_cast<std::int64_t>(prev_a.size()) * a_panel + static_cast<std::int64_t>(prev_b.size()) * b_panel <=
        m.l2_bytes;
    auto misses = [&](const std::set<std::int64_t>& now, const std::set<std::int64_t>& prev,
                      const std::set<std::int64_t>& seen) {
      std::int64_t n = 0;
      for (auto k : now)
        if (!(all_fits ? seen.count(k) : (prev_fits && prev.count(k)))) ++n;
      return static_cast<double>(n) / static_cast<double>(last - first);
    };
    r.a_miss.push_back(misses(wa, prev_a, seen_a));
    r.b_miss.push_back(misses(wb, prev_b, seen_b));
    seen_a.insert(wa.begin(), wa.end());
    seen_b.insert(wb.begin(), wb.end());
    prev_a = std::move(wa);
    prev_b = std::move(wb);
  }
  return r;
}

KernelPlan make_plan(const GemmShape& g, const GpuMachine& m, const TileShape& tile, int stages, int ctas_per_sm,
                     int split_k) {
  KernelPlan p;
  p.tile = tile;
  p.sparse = g.sparse;
  p.stages = stages;
  p.ctas_per_sm = ctas_per_sm;
  p.split_k = split_k;
  p.instances = g.instances;
  p.tiles_m = ceil_div(g.M, tile.m);
  p.tiles_n = ceil_div(g.N, tile.n);
  p.k_chunks = ceil_div(g.K, tile.k);
  p.chunks_per_split = ceil_div(p.k_chunks, split_k);
  p.split_k = static_cast<int>(ceil_div(p.k_chunks, p.chunks_per_split));  // no empty splits
  p.ctas = p.tiles_m * p.tiles_n * p.split_k * g.instances;
  chunk_bytes(tile, g.sparse, m.elem_bytes, p.a_chunk_bytes, p.meta_chunk_bytes, p.b_chunk_bytes);
  p.stage_bytes = p.a_chunk_bytes + p.meta_chunk_bytes + p.b_chunk_bytes;
  p.smem_fill_bytes = p.stage_bytes;
  // Each warpgroup MMA covers mma_m rows of A and reads the whole B chunk from shared memory.
  p.smem_read_bytes = p.a_chunk_bytes + p.meta_chunk_bytes + p.b_chunk_bytes * (tile.m / m.mma_m);
  const std::int64_t rate = static_cast<std::int64_t>(m.tc_macs_per_cycle) * (g.sparse ? 2 : 1);
  p.mma_cycles = ceil_div(static_cast<std::int64_t>(tile.m) * tile.n * tile.k, rate);
  std::ostringstream name;
  name << (g.sparse ? "sparse_" : "dense_") << tile.m << "x" << tile.n << "x" << tile.k << "_s" << stages << "_r"
       << ctas_per_sm << "_k" << p.split_k;
  p.name = name.str();

  // Analytical estimate, wave by wave: a CTA's main loop runs at the slowest of its per-chunk resources;
  // the shared ones (L2, HBM) are divided among the SMs active in the wave.
  const WaveReuse reuse = wave_reuse(p, g, m);
  const double R = ctas_per_sm;
  const double hbm_bpc = static_cast<double>(m.hbm_num) / static_cast<double>(m.hbm_den);
  const double out_bytes = static_cast<double>(tile.m) * tile.n * (split_k > 1 ? 4 : m.elem_bytes);
  double total = 0.0;
  for (std::size_t w = 0; w < reuse.a_miss.size(); ++w) {
    const double in_wave = static_cast<double>(
        std::min<std::int64_t>(reuse.wave_ctas, p.ctas - static_cast<std::int64_t>(w) * reuse.wave_ctas));
    const double active_sms = std::ceil(in_wave / R);
    const double per_sm = in_wave / active_sms;  // CTAs sharing one SM in this wave
    const double ab = static_cast<double>(p.a_chunk_bytes + p.meta_chunk_bytes),
                 bb = static_cast<double>(p.b_chunk_bytes);
    const double miss = ab * reuse.a_miss[w] + bb * reuse.b_miss[w];
    // Shared memory: the MMA operand reads, and the TMA fills on their own path or on the same one.
    const double smem = m.smem_fill_bytes_per_cycle > 0
                            ? std::max(static_cast<double>(p.smem_read_bytes) / m.smem_bytes_per_cycle,
                                       static_cast<double>(p.smem_fill_bytes) / m.smem_fill_bytes_per_cycle)
                            : static_cast<double>(p.smem_read_bytes + p.smem_fill_bytes) / m.smem_bytes_per_cycle;
    const double chunk = std::max({per_sm * static_cast<double>(p.mma_cycles), per_sm * smem,
                                   per_sm * (ab + bb) / m.l2_port_bytes_per_cycle,
                                   in_wave * (ab + bb) / m.l2_bytes_per_cycle, in_wave * miss / hbm_bpc});
    const double prologue =
        m.l2_latency + m.hbm_latency + static_cast<double>(p.stage_bytes) / m.l2_port_bytes_per_cycle;
    const double epilogue = out_bytes * 2 / m.rf_bytes_per_cycle + out_bytes / m.l2_port_bytes_per_cycle + m.l2_latency;
    total += prologue + static_cast<double>(p.chunks_per_split) * chunk + per_sm * epilogue;
  }
  if (p.split_k > 1) {  // reduction of the fp32 partials: read them all, write the output once
    const double bytes = static_cast<double>(g.M * g.N * g.instances) * (4.0 * p.split_k + m.elem_bytes);
    total += m.l2_latency + m.hbm_latency + bytes / std::min<double>(m.l2_bytes_per_cycle, hbm_bpc);
  }
  p.estimate_cycles = total;
  return p;
}

KernelPlan plan_gemm(const GemmShape& g, const GpuMachine& m, const std::vector<TileShape>& menu) {
  KernelPlan best;
  bool found = false;
  for (const TileShape& t : menu) {
    // Narrow tiles (fewer than 64 columns) are the library's kernels for skinny GEMMs: cuBLAS picks 8- to
    // 16-column tiles when N is a handful of columns (a recurrent step's batch, bench/gpu/h200_rnn_kernels.csv)
    // and square tiles otherwise, so they are candidates only while N spans at most two of them.
    if (t.n < 64 && g.N > 2 * static_cast<std::int64_t>(t.n)) continue;
    std::int64_t a = 0, meta = 0, b = 0;
    chunk_bytes(t, g.sparse, m.elem_bytes, a, meta, b);
    const std::int64_t stage = a + meta + b;
    const ResidentLimit limit = resident_limit(t, g.sparse, m);
    for (int r = 1; r <= limit.ctas; ++r) {
      const int stages = static_cast<int>(std::min<std::int64_t>(m.max_stages, m.smem_bytes / (r * stage)));
      if (stages < 2) break;
      const std::int64_t tiles = ceil_div(g.M, t.m) * ceil_div(g.N, t.n) * g.instances;
      const std::int64_t chunks = ceil_div(g.K, t.k);
      for (int s = 1; s <= m.max_split_k; s *= 2) {
        // Split-K only pays while the tiles alone leave SMs idle and each split keeps a real K loop.
        if (s > 1 && (tiles * s > static_cast<std::int64_t>(m.sms) * r * 2 || chunks / s < 4)) break;
        KernelPlan p = make_plan(g, m, t, stages, r, s);
        p.max_resident = limit.ctas;
        p.resident_limit = limit.bound_by;
        if (!found || p.estimate_cycles < best.estimate_cycles) {
          best = p;
          found = true;
        }
      }
    }
  }
  if (!found)
    throw std::invalid_argument(
        "no tile of the kernel menu serves this GEMM (tiles narrower than 64 columns serve only N up to twice "
        "their width) and fits on an SM (two pipeline stages in shared memory, its accumulators in "
        "registers, its threads)");
  return best;
}

}  // namespace sparsim::gemm
