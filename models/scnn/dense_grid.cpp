#include "models/scnn/dense_grid.hpp"

#include <algorithm>

#include "models/scnn/blocks.hpp"
#include "models/scnn/format.hpp"
#include "sim/alloc_guard.hpp"

namespace sparsim::scnn {

DenseGrid::DenseGrid(sc_core::sc_module_name name, const ScnnParams& p, TimingMode mode, VariantStats& stats,
                     bool gating, bool compress_dram)
    : sc_module(name), p_(p), mode_(mode), st_(stats), gating_(gating), compress_dram_(compress_dram) {
  own_y_.resize(static_cast<std::size_t>(pes()));
  own_x_.resize(static_cast<std::size_t>(pes()));
  nz_hits_.resize(static_cast<std::size_t>(pes()));
}

void DenseGrid::load_chunk(const LayerData& data, const PlaneMapping& m, std::int64_t chunk) {
  data_ = &data;
  const ConvShape& s = data.shape;
  rows_ = tile_axis(s.H, s.R, s.stride, s.pad, chunk_rows(s, m, chunk), p_.grid.pe_rows);
  cols_ = tile_axis(s.W, s.S, s.stride, s.pad, {0, s.Wo()}, p_.grid.pe_cols);
  chunk_input_bytes_ = overflow_bytes_ = max_iaram_bytes_ = chunk_output_bytes_ = 0;
  const std::uint64_t value_bytes = static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
  const int entry_bits = p_.grid.value_bits + p_.grid.index_bits;
  for (int i = 0; i < p_.grid.pe_rows; ++i)
    for (int j = 0; j < p_.grid.pe_cols; ++j) {
      const auto pe = static_cast<std::size_t>(i * p_.grid.pe_cols + j);
      const Range oy = rows_.out[static_cast<std::size_t>(i)], ox = cols_.out[static_cast<std::size_t>(j)];
      own_y_[pe] = oy;
      own_x_[pe] = ox;
      const Range in_y = rows_.in[static_cast<std::size_t>(i)], in_x = cols_.in[static_cast<std::size_t>(j)];
      // DRAM fills each PE's own input tile (dense, or compressed for DCNN-opt); the halo rows/columns
      // around it come from the neighbours over the PE links.
      std::uint64_t own_bytes = 0;
      if (compress_dram_) {
        std::int64_t entries = 0;
        for (std::int64_t c = 0; c < s.C; ++c)
          entries += compressed_tile_entries(data, c, in_y, in_x, p_.grid.index_bits);
        own_bytes = static_cast<std::uint64_t>(bytes_of(entries, entry_bits, 0));
      } else {
        own_bytes = static_cast<std::uint64_t>(s.C * in_y.size() * in_x.size()) * value_bytes;
      }
      chunk_input_bytes_ += own_bytes;
      std::uint64_t held = 0;
      if (oy.size() > 0 && ox.size() > 0) {
        const std::int64_t y0 = std::max<std::int64_t>(0, oy.lo * s.stride - s.pad);
        const std::int64_t y1 = std::min<std::int64_t>(s.H, (oy.hi - 1) * s.stride - s.pad + s.R);
        const std::int64_t x0 = std::max<std::int64_t>(0, ox.lo * s.stride - s.pad);
        const std::int64_t x1 = std::min<std::int64_t>(s.W, (ox.hi - 1) * s.stride - s.pad + s.S);
        held =
            static_cast<std::uint64_t>(s.C * std::max<std::int64_t>(0, y1 - y0) * std::max<std::int64_t>(0, x1 - x0)) *
            value_bytes;
        const std::uint64_t own_dense = static_cast<std::uint64_t>(s.C * in_y.size() * in_x.size()) * value_bytes;
        if (held > own_dense) st_.halo_bytes += held - own_dense;
      }
      st_.iaram_write_bytes += held;
      max_iaram_bytes_ = std::max(max_iaram_bytes_, held);
      if (held > static_cast<std::uint64_t>(p_.grid.iaram_bytes)) {
        const std::uint64_t over = held - static_cast<std::uint64_t>(p_.grid.iaram_bytes);
        // The part that does not fit streams from DRAM again for every later group (compressed in DCNN-opt).
        overflow_bytes_ += compress_dram_ && held ? over * own_bytes / std::max<std::uint64_t>(1, held) : over;
      }
      // Gating bookkeeping: for every (c, r, s), the own-tile outputs whose input is a non-zero.
      auto& hits = nz_hits_[pe];
      if (!gating_ || dy_) continue;
      check_allocation(static_cast<double>(s.C * s.R * s.S), sizeof(hits[0]), "a PE's zero-gating counts");
      hits.assign(static_cast<std::size_t>(s.C * s.R * s.S), 0);
      for (std::int64_t c = 0; c < s.C; ++c)
        for (std::int64_t r = 0; r < s.R; ++r)
          for (std::int64_t q = 0; q < s.S; ++q) {
            std::int32_t n = 0;
            for (std::int64_t yo = oy.lo; yo < oy.hi; ++yo) {
              const std::int64_t y = yo * s.stride - s.pad + r;
              if (y < 0 || y >= s.H) continue;
              for (std::int64_t xo = ox.lo; xo < ox.hi; ++xo) {
                const std::int64_t x = xo * s.stride - s.pad + q;
                if (x >= 0 && x < s.W && data.inputs.get(data.iidx(c, y, x))) ++n;
              }
            }
            hits[static_cast<std::size_t>((c * s.R + r) * s.S + q)] = n;
          }
    }
}

std::uint64_t DenseGrid::load_group(const LayerData& data, const PlaneMapping& m, std::int64_t g) {
  const ConvShape& s = data.shape;
  if (dy_) {
    const std::int64_t kg = g / s.C;
    wu_c_ = g % s.C;
    kc_lo_ = kg * m.kc;
    kc_n_ = std::min(m.kc, s.K - kc_lo_);
    if (gating_ && wu_c_ == 0) {
      dy_count_.assign(static_cast<std::size_t>(s.Ho() * s.Wo()), 0);
      for (std::int64_t k = 0; k < kc_n_; ++k)
        for (std::int64_t i = 0; i < s.Ho() * s.Wo(); ++i)
          if (dy_->get((kc_lo_ + k) * s.Ho() * s.Wo() + i)) ++dy_count_[static_cast<std::size_t>(i)];
    }
    return wu_c_ == 0 ? static_cast<std::uint64_t>(kc_n_ * s.Ho() * s.Wo()) *
                            static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8)
                      : 0;
  }
  kc_lo_ = g * m.kc;
  kc_n_ = std::min(m.kc, s.K - kc_lo_);
  if (gating_) {
    check_allocation(static_cast<double>(s.C * s.R * s.S), sizeof(group_nzw_[0]), "a group's weight counts");
    group_nzw_.assign(static_cast<std::size_t>(s.C * s.R * s.S), 0);
    for (std::int64_t k = 0; k < kc_n_; ++k)
      for (std::int64_t c = 0; c < s.C; ++c)
        for (std::int64_t r = 0; r < s.R; ++r)
          for (std::int64_t q = 0; q < s.S; ++q)
            if (data.weights.get(data.widx(kc_lo_ + k, c, r, q)))
              ++group_nzw_[static_cast<std::size_t>((c * s.R + r) * s.S + q)];
  }
  // Dense weights from DRAM (DCNN-opt compresses activations only).
  return static_cast<std::uint64_t>(kc_n_ * s.C * s.R * s.S) * static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
}

GroupOutcome DenseGrid::run_group() {
  if (dy_) return run_wu_group();
  const ConvShape& s = data_->shape;
  const auto F = static_cast<std::uint64_t>(p_.grid.F), I = static_cast<std::uint64_t>(p_.grid.I);
  const std::uint64_t kvec = (static_cast<std::uint64_t>(kc_n_) + F - 1) / F;
  const std::uint64_t cvec = (static_cast<std::uint64_t>(s.C) + I - 1) / I;
  const std::uint64_t value_bytes = static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
  const std::uint64_t acc_bytes = static_cast<std::uint64_t>((p_.acc_bits + 7) / 8);
  std::vector<std::uint64_t> busy(static_cast<std::size_t>(pes()), 0);
  std::uint64_t cycles = 0;
  GroupOutcome out;
  for (std::size_t pe = 0; pe < busy.size(); ++pe) {
    const auto pixels = static_cast<std::uint64_t>(own_y_[pe].size() * own_x_[pe].size());
    // Loop nest per PE: c-vector, (r, s), k-vector (weight block stationary), pixel.
    busy[pe] = cvec * static_cast<std::uint64_t>(s.R * s.S) * kvec * pixels;
    cycles = std::max(cycles, busy[pe]);
    const std::uint64_t dense = static_cast<std::uint64_t>(kc_n_ * s.C * s.R * s.S) * pixels;
    std::uint64_t useful = dense;
    if (gating_) {
      useful = 0;
      const auto& hits = nz_hits_[pe];
      for (std::size_t i = 0; i < hits.size(); ++i)
        useful += static_cast<std::uint64_t>(group_nzw_[i]) * static_cast<std::uint64_t>(hits[i]);
    }
    st_.mults += useful;
    st_.mults_gated += dense - useful;
    st_.busy_pe_cycles += busy[pe];
    st_.iaram_read_bytes += busy[pe] * I * value_bytes;  // I activations per cycle
    st_.acc_read_bytes += busy[pe] * F * acc_bytes;      // F partial sums per cycle
    st_.acc_write_bytes += busy[pe] * F * acc_bytes;
    st_.wfifo_read_bytes += (busy[pe] ? cvec * static_cast<std::uint64_t>(s.R * s.S) * kvec * F * I * value_bytes : 0);
    st_.wfifo_write_bytes += (busy[pe] ? static_cast<std::uint64_t>(kc_n_ * s.C * s.R * s.S) * value_bytes : 0);
    const std::uint64_t outputs = static_cast<std::uint64_t>(kc_n_) * pixels;
    st_.ppu_outputs += outputs;
    st_.oaram_write_bytes += outputs * value_bytes;  // dense on chip in both baselines
    out.ppu_cycles = std::max(out.ppu_cycles, (outputs + static_cast<std::uint64_t>(p_.ppu_outputs_per_cycle) - 1) /
                                                  static_cast<std::uint64_t>(p_.ppu_outputs_per_cycle));
    // Outputs that leave for DRAM: dense, or compressed (their ReLU pattern) in DCNN-opt.
    if (compress_dram_) {
      const int entry_bits = p_.grid.value_bits + p_.grid.index_bits;
      for (std::int64_t k = 0; k < kc_n_; ++k) {
        EntryCounter counter(p_.grid.index_bits);
        std::int64_t pos = 0;
        for (std::int64_t yo = own_y_[pe].lo; yo < own_y_[pe].hi; ++yo)
          for (std::int64_t xo = own_x_[pe].lo; xo < own_x_[pe].hi; ++xo, ++pos)
            if (data_->outputs.get(((kc_lo_ + k) * s.Ho() + yo) * s.Wo() + xo)) counter.nonzero_at(pos);
        chunk_output_bytes_ += static_cast<std::uint64_t>(bytes_of(counter.entries(), entry_bits, 0));
      }
    } else {
      chunk_output_bytes_ += outputs * value_bytes;
    }
  }
  // The dense PEs' work is fixed once the group starts; the group lasts until the slowest PE reaches the
  // barrier (detailed mode ticks those cycles one by one).
  wait_cycles(cycles, mode_);
  for (auto b : busy) st_.barrier_pe_cycles += cycles - b;
  out.cycles = cycles;
  return out;
}

GroupOutcome DenseGrid::run_wu_group() {
  const ConvShape& s = data_->shape;
  const auto F = static_cast<std::uint64_t>(p_.grid.F), I = static_cast<std::uint64_t>(p_.grid.I);
  const std::uint64_t kvec = (static_cast<std::uint64_t>(kc_n_) + F - 1) / F;
  const std::uint64_t value_bytes = static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
  const std::uint64_t acc_bytes = static_cast<std::uint64_t>((p_.acc_bits + 7) / 8);
  const auto rs = static_cast<std::uint64_t>(s.R * s.S);
  std::vector<std::uint64_t> busy(static_cast<std::size_t>(pes()), 0);
  std::uint64_t cycles = 0;
  GroupOutcome out;
  for (std::size_t pe = 0; pe < busy.size(); ++pe) {
    const Range oy = own_y_[pe], ox = own_x_[pe];
    const auto pixels = static_cast<std::uint64_t>(oy.size() * ox.size());
    // Loop nest per PE: (r, s), k-vector, position-vector; a PE without positions does nothing.
    busy[pe] = rs * kvec * ((pixels + I - 1) / I);
    cycles = std::max(cycles, busy[pe]);
    const std::uint64_t dense = static_cast<std::uint64_t>(kc_n_) * rs * pixels;
    std::uint64_t useful = dense;
    if (gating_) {
      useful = 0;
      for (std::int64_t r = 0; r < s.R; ++r)
        for (std::int64_t q = 0; q < s.S; ++q)
          for (std::int64_t yo = oy.lo; yo < oy.hi; ++yo) {
            const std::int64_t y = yo * s.stride - s.pad + r;
            if (y < 0 || y >= s.H) continue;
            for (std::int64_t xo = ox.lo; xo < ox.hi; ++xo) {
              const std::int64_t x = xo * s.stride - s.pad + q;
              if (x >= 0 && x < s.W && data_->inputs.get(data_->iidx(wu_c_, y, x)))
                useful += static_cast<std::uint64_t>(dy_count_[static_cast<std::size_t>(yo * s.Wo() + xo)]);
            }
          }
    }
    st_.mults += useful;
    st_.mults_gated += dense - useful;
    st_.busy_pe_cycles += busy[pe];
    st_.iaram_read_bytes += busy[pe] * I * value_bytes;      // the I inputs of the positions at (r, s)
    st_.wfifo_read_bytes += busy[pe] * F * I * value_bytes;  // F gradient channels x I positions
    st_.acc_read_bytes += busy[pe] * F * acc_bytes;          // F partial dW per cycle
    st_.acc_write_bytes += busy[pe] * F * acc_bytes;
    if (wu_c_ == 0 && pixels) st_.wfifo_write_bytes += static_cast<std::uint64_t>(kc_n_) * pixels * value_bytes;
  }
  // Cross-PE reduction of the partial dW, as in SCNN (sparse_grid.hpp), among the PEs with positions.
  int members = 0;
  for (std::size_t pe = 0; pe < busy.size(); ++pe) members += own_y_[pe].size() * own_x_[pe].size() > 0 ? 1 : 0;
  const auto entries = static_cast<std::uint64_t>(kc_n_) * rs;
  const auto sent = entries * static_cast<std::uint64_t>(std::max(0, members - 1));
  st_.halo_bytes += sent * acc_bytes;
  st_.halo_adds += sent;
  out.halo_cycles = wu_reduction_cycles(entries, members, p_.halo_entries_per_cycle);
  chunk_output_bytes_ += entries * value_bytes;
  // The dense PEs' work is fixed once the group starts; the group lasts until the slowest PE reaches the
  // barrier (detailed mode ticks those cycles one by one).
  wait_cycles(cycles, mode_);
  for (auto b : busy) st_.barrier_pe_cycles += cycles - b;
  out.cycles = cycles;
  return out;
}

}  // namespace sparsim::scnn
