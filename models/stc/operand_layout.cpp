#include "models/stc/operand_layout.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace sparsim::stc {

namespace {
constexpr std::uint64_t kAlign = 1ULL << 21;  // regions start on 2 MiB boundaries, as allocators place them
std::uint64_t align(std::uint64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
std::uint64_t u(std::int64_t v) { return static_cast<std::uint64_t>(v); }
}  // namespace

OperandLayout::OperandLayout(const gemm::KernelPlan& plan, const gemm::GemmShape& g, std::int64_t elem_bytes)
    : p_(plan), g_(g), eb_(elem_bytes) {
  // Sparse A: whole tiles of every k-chunk (edge tiles padded), dense A: row-major.
  const std::uint64_t a_bytes =
      g.sparse ? u(g.instances * plan.tiles_m * plan.k_chunks * plan.tile.m * plan.tile.k * eb_ / 2)
               : u(g.instances * g.M * g.K * eb_);
  const std::uint64_t meta_bytes =
      g.sparse ? u(g.instances * plan.tiles_m * plan.k_chunks * plan.tile.m * plan.tile.k / 8) : 0;
  a_ = 0;
  meta_ = align(a_ + a_bytes);
  b_ = align(meta_ + meta_bytes);
  c_ = align(b_ + u(g.instances * g.K * g.N * eb_));
  scratch_ = align(c_ + u(g.instances * g.M * g.N * eb_));
}

Blocks OperandLayout::a_chunk(const std::vector<std::int64_t>& ctas, std::int64_t k0, std::int64_t kt,
                              std::int64_t bytes) const {
  std::set<std::pair<std::int64_t, std::int64_t>> tiles;  // (instance, tile row): distinct, in address order
  for (std::int64_t c : ctas) {
    const gemm::CtaCoord cc = gemm::cta_coord(p_, c);
    tiles.insert({cc.instance, cc.tm});
  }
  Blocks out;
  if (g_.sparse) {
    // The compressed operand is the library's own buffer: tile by tile, each CTA k-chunk contiguous
    // (values, then metadata in a region of its own), the order the kernel's TMA loads walk it.
    const std::int64_t kc = k0 / p_.tile.k;
    const std::uint64_t vals = u(p_.tile.m * p_.tile.k * eb_ / 2), meta = u(p_.tile.m * p_.tile.k / 8);
    for (const auto& [inst, tm] : tiles) {
      const std::uint64_t chunk = u((inst * p_.tiles_m + tm) * p_.k_chunks + kc);
      const std::int64_t rows = std::min<std::int64_t>(p_.tile.m, g_.M - tm * p_.tile.m);
      const std::uint64_t frac_vals = vals * u(rows) * u(kt) / u(p_.tile.m * p_.tile.k);
      const std::uint64_t frac_meta = std::max<std::uint64_t>(1, meta * u(rows) * u(kt) / u(p_.tile.m * p_.tile.k));
      out.push_back({a_ + chunk * vals, 1, frac_vals, frac_vals, false});
      out.push_back({meta_ + chunk * meta, 1, frac_meta, frac_meta, false});
    }
    return take_bytes(out, bytes);
  }
  // Dense A is the framework's row-major weight: a tile's k-chunk is a short piece of each of its rows.
  const std::uint64_t pitch = u(g_.K * eb_);
  for (const auto& [inst, tm] : tiles) {
    const std::int64_t r0 = tm * p_.tile.m, rows = std::min<std::int64_t>(p_.tile.m, g_.M - r0);
    const std::uint64_t row0 = u(inst * g_.M + r0);
    out.push_back({a_ + row0 * pitch + u(k0 * eb_), u(rows), u(kt * eb_), pitch, false});
  }
  return take_bytes(out, bytes);
}

Blocks OperandLayout::b_chunk(const std::vector<std::int64_t>& ctas, std::int64_t k0, std::int64_t kt,
                              std::int64_t bytes) const {
  std::set<std::pair<std::int64_t, std::int64_t>> tiles;
  for (std::int64_t c : ctas) {
    const gemm::CtaCoord cc = gemm::cta_coord(p_, c);
    tiles.insert({cc.instance, cc.tn});
  }
  const std::uint64_t pitch = u(g_.N * eb_);
  Blocks out;
  for (auto it = tiles.begin(); it != tiles.end();) {
    // Neighbouring column tiles of one instance are one wider block (its rows are contiguous in memory).
    auto end = std::next(it);
    while (end != tiles.end() && end->first == it->first && end->second == std::prev(end)->second + 1) ++end;
    const std::int64_t c0 = it->second * p_.tile.n;
    const std::int64_t c1 = std::min<std::int64_t>(g_.N, std::prev(end)->second * p_.tile.n + p_.tile.n);
    out.push_back({b_ + u(it->first * g_.K + k0) * pitch + u(c0 * eb_), u(kt), u((c1 - c0) * eb_), pitch, false});
    it = end;
  }
  return take_bytes(out, bytes);
}

Blocks OperandLayout::c_tiles(const std::vector<std::int64_t>& ctas) const {
  const std::uint64_t pitch = u(g_.N * eb_);
  Blocks out;
  for (std::int64_t c : ctas) {
    const gemm::CtaCoord cc = gemm::cta_coord(p_, c);
    const std::int64_t r0 = cc.tm * p_.tile.m, c0 = cc.tn * p_.tile.n;
    const std::int64_t rows = gemm::cta_rows(p_, g_, cc), cols = gemm::cta_cols(p_, g_, cc);
    out.push_back({c_ + u(cc.instance * g_.M + r0) * pitch + u(c0 * eb_), u(rows), u(cols * eb_), pitch, true});
  }
  return out;
}

Blocks OperandLayout::c_all() const {
  const std::uint64_t pitch = u(g_.N * eb_);
  return {{c_, u(g_.instances * g_.M), pitch, pitch, true}};
}

Blocks OperandLayout::scratch(std::int64_t bytes, bool write) const {
  return {{scratch_, 1, u(bytes), u(bytes), write}};
}

Blocks take_bytes(const Blocks& blocks, std::int64_t bytes) {
  Blocks out;
  std::uint64_t left = u(std::max<std::int64_t>(0, bytes));
  std::uint64_t total = 0;
  for (const auto& b : blocks) total += b.rows * b.row_bytes;
  if (total == 0) return out;
  while (left > 0) {
    for (const auto& b : blocks) {
      if (left == 0) break;
      const std::uint64_t size = b.rows * b.row_bytes;
      if (size <= left) {
        out.push_back(b);
        left -= size;
        continue;
      }
      memory::DramModule::Block part = b;
      part.rows = left / b.row_bytes;
      if (part.rows > 0) out.push_back(part);
      if (const std::uint64_t rest = left % b.row_bytes; rest > 0)
        out.push_back({b.base + part.rows * b.pitch, 1, rest, b.pitch, b.write});
      left = 0;
    }
  }
  return out;
}

}  // namespace sparsim::stc
