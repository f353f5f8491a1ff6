#include "dataflows/scnn/mapper.hpp"

#include <algorithm>
#include <cmath>

namespace sparsim::scnn {

nlohmann::ordered_json PlaneMapping::to_json() const {
  return {{"dataflow", sparse ? "PT-IS-CP-sparse" : "PT-dense"},
          {"tile_h", tile_h},
          {"tile_w", tile_w},
          {"chunks", chunks},
          {"kc", kc},
          {"groups", groups},
          {"acc_extent", {acc_h, acc_w}},
          {"est_cycles", est_cycles},
          {"est_iaram_bytes_per_pe", est_iaram_bytes},
          {"est_oaram_bytes_per_pe", est_oaram_bytes},
          {"over_capacity", over_capacity},
          {"legal_candidates", legal_candidates}};
}

Range chunk_rows(const ConvShape& s, const PlaneMapping& m, std::int64_t i) {
  return {s.Ho() * i / m.chunks, s.Ho() * (i + 1) / m.chunks};
}

namespace {

double ceil_pos(double v) { return v <= 0 ? 0.0 : std::ceil(v - 1e-9); }

PlaneMapping search(const ConvShape& s, const GridSpec& g, const Densities& d, bool sparse) {
  const double entry_bytes = sparse ? (g.value_bits + g.index_bits) / 8.0 : g.value_bits / 8.0;
  const double din = sparse ? d.inputs : 1.0, dout = sparse ? d.outputs : 1.0, dw = sparse ? d.weights : 1.0;
  const std::int64_t tw = ceil_div(s.Wo(), g.pe_cols);
  const AxisTiling cols = tile_axis(s.W, s.S, s.stride, s.pad, {0, s.Wo()}, g.pe_cols);
  std::int64_t acc_w = 1, in_w = 0;
  for (int j = 0; j < g.pe_cols; ++j) {
    acc_w = std::max(acc_w, cols.acc[static_cast<std::size_t>(j)].size());
    in_w = std::max(in_w, cols.in[static_cast<std::size_t>(j)].size());
  }
  PlaneMapping best;
  bool have = false;
  PlaneMapping fallback;  // the cheapest mapping that spills, when none fits
  bool have_fallback = false;
  // Candidates: the plane in 1, 2, ... row chunks, up to one output row per PE row.
  for (std::int64_t n = 1; n <= ceil_div(s.Ho(), g.pe_rows); ++n) {
    PlaneMapping m;
    m.sparse = sparse;
    m.chunks = n;
    const std::int64_t th = ceil_div(ceil_div(s.Ho(), n), g.pe_rows);
    m.tile_h = th;
    m.tile_w = tw;
    m.acc_w = acc_w;
    std::int64_t max_in_h = 0;
    std::vector<Range> chunk_in_h;
    for (std::int64_t c = 0; c < m.chunks; ++c) {
      const AxisTiling rows = tile_axis(s.H, s.R, s.stride, s.pad, chunk_rows(s, m, c), g.pe_rows);
      std::int64_t ih = 0;
      for (int i = 0; i < g.pe_rows; ++i) {
        m.acc_h = std::max(m.acc_h, rows.acc[static_cast<std::size_t>(i)].size());
        ih = std::max(ih, rows.in[static_cast<std::size_t>(i)].size());
      }
      max_in_h = std::max(max_in_h, ih);
      chunk_in_h.push_back({0, ih});
    }
    // Dense PEs work on output tiles and hold their input halo too; sparse PEs hold only their own inputs.
    const double in_pixels = sparse ? static_cast<double>(max_in_h * in_w)
                                    : static_cast<double>((th - 1) * s.stride + s.R) * ((tw - 1) * s.stride + s.S);
    const std::int64_t acc_plane = sparse ? m.acc_h * m.acc_w : th * tw;
    m.kc = std::min<std::int64_t>(s.K, g.acc_entries() / std::max<std::int64_t>(1, acc_plane));
    if (m.kc < 1) continue;
    m.groups = ceil_div(s.K, m.kc);
    m.est_iaram_bytes = s.C * in_pixels * din * entry_bytes;
    m.est_oaram_bytes = static_cast<double>(s.K * th * tw) * dout * entry_bytes;
    const bool fits = m.est_iaram_bytes <= static_cast<double>(g.iaram_bytes) &&
                      m.est_oaram_bytes <= static_cast<double>(g.oaram_bytes);
    // Estimate: compute of the busiest PE per chunk, against the DRAM traffic of the chunk.
    double total = 0;
    for (std::int64_t c = 0; c < m.chunks; ++c) {
      double compute;
      if (sparse) {
        const double acts = static_cast<double>(chunk_in_h[static_cast<std::size_t>(c)].hi * in_w) * din;
        compute = static_cast<double>(m.groups * s.C) * ceil_pos(m.kc * s.R * s.S * dw / g.F) * ceil_pos(acts / g.I);
      } else {
        compute = static_cast<double>(m.groups) * ceil_pos(static_cast<double>(m.kc) / g.F) *
                  ceil_pos(static_cast<double>(s.C) / g.I) * static_cast<double>(s.R * s.S * th * tw);
      }
      const double rows = static_cast<double>(chunk_rows(s, m, c).size());
      const double bytes = (static_cast<double>(s.K * s.C * s.R * s.S) * dw +
                            static_cast<double>(s.C * s.W) * ((rows - 1) * s.stride + s.R) * din +
                            static_cast<double>(s.K * s.Wo()) * rows * dout) *
                           entry_bytes;
      // Inputs beyond the IARAM are re-read from DRAM by every group after the first.
      const double spill = std::max(0.0, m.est_iaram_bytes - static_cast<double>(g.iaram_bytes)) * g.pe_rows *
                           g.pe_cols * static_cast<double>(m.groups - 1);
      total += std::max(compute, ((m.chunks > 1 ? bytes : 0.0) + spill) / g.dram_bytes_per_cycle);
    }
    m.est_cycles = total;
    if (!fits) {
      m.over_capacity = true;
      if (!have_fallback || total < fallback.est_cycles) fallback = m;
      have_fallback = true;
      continue;
    }
    ++best.legal_candidates;
    if (!have || total < best.est_cycles) {
      const int legal = best.legal_candidates;
      best = m;
      best.legal_candidates = legal;
      have = true;
    }
  }
  if (have) return best;
  if (have_fallback) return fallback;
  // Not even one output row fits the accumulator: one channel per group, and the model counts the spill.
  PlaneMapping m;
  m.sparse = sparse;
  m.tile_w = tw;
  m.chunks = s.Ho();
  m.groups = s.K;
  m.over_capacity = true;
  return m;
}

}  // namespace

PlaneMapping map_sparse(const ConvShape& shape, const GridSpec& grid, const Densities& d) {
  return search(shape, grid, d, true);
}
PlaneMapping map_dense(const ConvShape& shape, const GridSpec& grid, const Densities& d) {
  return search(shape, grid, d, false);
}

}  // namespace sparsim::scnn
