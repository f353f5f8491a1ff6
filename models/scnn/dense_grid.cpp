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
  iaram_.resize(static_cast<std::size_t>(pes()));
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
      if (mode_ == TimingMode::Detailed) iaram_[pe] = DenseIaram{};
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
        if (mode_ == TimingMode::Detailed) iaram_[pe].fill(data, y0, y1, x0, x1);
      }
      st_.iaram_write_bytes += held;
      max_iaram_bytes_ = std::max(max_iaram_bytes_, held);
      if (held > static_cast<std::uint64_t>(p_.grid.iaram_bytes)) {
        const std::uint64_t over = held - static_cast<std::uint64_t>(p_.grid.iaram_bytes);
        // The part that does not fit streams from DRAM again for every later group (compressed in DCNN-opt).
        overflow_bytes_ += compress_dram_ && held ? over * own_bytes / std::max<std::uint64_t>(1, held) : over;
      }
      // Gating bookkeeping of the fast mode's closed form: for every (c, r, s), the own-tile outputs whose
      // input is a non-zero (the detailed PEs gate by the operands they read).
      auto& hits = nz_hits_[pe];
      if (!gating_ || dy_ || mode_ == TimingMode::Detailed) continue;
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
  if (gating_ && mode_ == TimingMode::Fast) {
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

DenseGroupShape DenseGrid::group_shape() const {
  DenseGroupShape g;
  g.F = p_.grid.F;
  g.I = p_.grid.I;
  ArrayShape banks;
  banks.set_banks(p_.grid.banks, p_.grid.F);
  g.k_ways = banks.k_ways;
  g.pos_ways = banks.pos_ways;
  g.kc_lo = kc_lo_;
  g.kc_n = kc_n_;
  g.cvec = (data_->shape.C + g.I - 1) / g.I;
  g.kvec = (kc_n_ + g.F - 1) / g.F;
  return g;
}

std::int64_t DenseGrid::weight_bus_cycles() const {
  const std::int64_t block = static_cast<std::int64_t>(p_.grid.F) * p_.grid.I;
  const std::int64_t width = p_.dense_weight_bus_values > 0 ? p_.dense_weight_bus_values : block;
  return (block + width - 1) / width;
}

DenseGrid::ArrayRun DenseGrid::run_array_fast(const DenseGroupShape& g) {
  // Closed form of the detailed structure (dense_pe.hpp): a k-vector's vw sums of one pixel go to banks
  // k mod k_ways, so a pixel takes ceil(vw / k_ways) cycles; the weight bus broadcasts block b + 1 once
  // every PE holds block b, taking L cycles, so the slowest PE (most pixels P) spends max(P * m, L) per
  // block but the last.
  const ConvShape& s = data_->shape;
  const std::int64_t L = weight_bus_cycles();
  const std::int64_t rs_c = g.cvec * s.R * s.S;  // blocks per k-vector position
  std::int64_t p_max = 0;
  for (std::size_t pe = 0; pe < own_y_.size(); ++pe) p_max = std::max(p_max, own_y_[pe].size() * own_x_[pe].size());
  std::int64_t steps = 0, slots = 0, mult_last = 1;  // per c-vector and (r, s): pixel-cycles, bus-bound cycles
  for (std::int64_t kv = 0; kv < g.kvec; ++kv) {
    const std::int64_t vw = std::min<std::int64_t>(g.F, g.kc_n - kv * g.F);
    const std::int64_t m = (vw + g.k_ways - 1) / g.k_ways;
    steps += m;
    slots += std::max(p_max * m, L);
    mult_last = m;
  }
  ArrayRun run;
  run.pes.resize(own_y_.size());
  if (p_max == 0) return run;  // no PE has outputs in this chunk
  run.cycles = static_cast<std::uint64_t>(rs_c * slots - std::max(p_max * mult_last, L) + p_max * mult_last);
  run.grid_weight_wait = run.cycles - static_cast<std::uint64_t>(rs_c * steps * p_max);
  for (std::size_t pe = 0; pe < own_y_.size(); ++pe) {
    const auto pixels = static_cast<std::uint64_t>(own_y_[pe].size() * own_x_[pe].size());
    if (pixels == 0) continue;
    DenseTally& t = run.pes[pe];
    t.busy = static_cast<std::uint64_t>(rs_c * g.kvec) * pixels;
    t.conflict = static_cast<std::uint64_t>(rs_c * (steps - g.kvec)) * pixels;
    t.blocks = static_cast<std::uint64_t>(rs_c * g.kvec);
    t.sums = static_cast<std::uint64_t>(rs_c * g.kc_n) * pixels;
    const std::uint64_t dense = static_cast<std::uint64_t>(kc_n_ * s.C * s.R * s.S) * pixels;
    std::uint64_t useful = dense;
    if (gating_) {
      useful = 0;
      const auto& hits = nz_hits_[pe];
      for (std::size_t i = 0; i < hits.size(); ++i)
        useful += static_cast<std::uint64_t>(group_nzw_[i]) * static_cast<std::uint64_t>(hits[i]);
    }
    t.mults = useful;
    t.gated = dense - useful;
  }
  wait_cycles(run.cycles, mode_);
  return run;
}

DenseGrid::ArrayRun DenseGrid::run_array_detailed(const DenseGroupShape& g) {
  // Every PE stepped cycle by cycle in this one process; the weight bus after them: it broadcasts the next
  // block once every working PE has moved its shadow registers into its active ones, one beat of the bus
  // width per cycle, and a block delivered in a cycle is usable the next.
  std::vector<DensePe> pes;
  pes.reserve(own_y_.size());
  for (std::size_t pe = 0; pe < own_y_.size(); ++pe)
    pes.emplace_back(*data_, iaram_[pe], g, own_y_[pe], own_x_[pe], gating_);
  const std::int64_t blocks = g.cvec * data_->shape.R * data_->shape.S * g.kvec, L = weight_bus_cycles();
  std::int64_t delivered = 0, beats_left = 0;
  ArrayRun run;
  for (;;) {
    bool working = false, waiting = false;
    for (auto& pe : pes) {
      const DensePe::Cycle c = pe.tick(delivered);
      working = working || c == DensePe::Cycle::Multiply || c == DensePe::Cycle::BankWrite;
      waiting = waiting || c == DensePe::Cycle::WaitWeights;
    }
    if (!working && !waiting) break;  // every PE at the barrier: this cycle is not part of the group
    if (!working) ++run.grid_weight_wait;
    if (beats_left == 0 && delivered + 1 < blocks) {
      std::int64_t held = blocks;
      for (const auto& pe : pes)
        if (pe.active()) held = std::min(held, pe.block());
      if (held >= delivered) beats_left = L;
    }
    if (beats_left > 0 && --beats_left == 0) ++delivered;
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
    ++run.cycles;
  }
  run.pes.resize(pes.size());
  for (std::size_t pe = 0; pe < pes.size(); ++pe) {
    run.pes[pe] = pes[pe].tally();
    if (!outputs_.empty()) pes[pe].write_outputs(outputs_);
  }
  return run;
}

void DenseGrid::begin_layer(const LayerData& data) {
  const ConvShape& sh = data.shape;
  const std::int64_t n = dy_ ? sh.K * sh.C * sh.R * sh.S : sh.K * sh.Ho() * sh.Wo();  // WU: dW
  const bool values = data.functional() && mode_ == TimingMode::Detailed;
  if (values) check_allocation(static_cast<double>(n), sizeof(outputs_[0]), "a layer's output values");
  if (values)
    outputs_.assign(static_cast<std::size_t>(n), 0);
  else
    outputs_.clear();
}

GroupOutcome DenseGrid::run_group() {
  if (dy_) return run_wu_group();
  const ConvShape& s = data_->shape;
  const DenseGroupShape g = group_shape();
  const ArrayRun run = mode_ == TimingMode::Detailed ? run_array_detailed(g) : run_array_fast(g);
  const auto F = static_cast<std::uint64_t>(p_.grid.F), I = static_cast<std::uint64_t>(p_.grid.I);
  const std::uint64_t value_bytes = static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
  const std::uint64_t acc_bytes = static_cast<std::uint64_t>((p_.acc_bits + 7) / 8);
  GroupOutcome out;
  out.cycles = run.cycles;
  for (std::size_t pe = 0; pe < run.pes.size(); ++pe) {
    const DenseTally& t = run.pes[pe];
    const auto pixels = static_cast<std::uint64_t>(own_y_[pe].size() * own_x_[pe].size());
    const std::uint64_t weight_wait = pixels ? run.grid_weight_wait : 0;
    st_.mults += t.mults;
    st_.mults_gated += t.gated;
    st_.busy_pe_cycles += t.busy + t.conflict;  // as SCNN's: working or stalled on a bank
    st_.conflict_pe_cycles += t.conflict;
    st_.weight_wait_pe_cycles += weight_wait;
    st_.barrier_pe_cycles += run.cycles - t.busy - t.conflict - weight_wait;
    st_.iaram_read_bytes += t.busy * I * value_bytes;  // one word of I activations per multiply cycle
    st_.acc_read_bytes += t.sums * acc_bytes;          // each sum a read-modify-write of its bank
    st_.acc_write_bytes += t.sums * acc_bytes;
    st_.wfifo_read_bytes += t.blocks * F * I * value_bytes;  // into the weight registers
    st_.wfifo_write_bytes += (t.busy ? static_cast<std::uint64_t>(kc_n_ * s.C * s.R * s.S) * value_bytes : 0);
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
  return out;
}

DenseGrid::ArrayRun DenseGrid::run_wu_fast(const DenseGroupShape& g) {
  // Closed form of DenseWuPe: per PE, (r, s) x k-vectors x position-vectors steps, a step of a k-vector of
  // width vw taking ceil(vw / k_ways) cycles at the banks.
  const ConvShape& s = data_->shape;
  const auto rs = static_cast<std::uint64_t>(s.R * s.S);
  std::uint64_t steps = 0;  // cycles per position-vector and (r, s), over the k-vectors
  for (std::int64_t kv = 0; kv < g.kvec; ++kv) {
    const std::int64_t vw = std::min<std::int64_t>(g.F, g.kc_n - kv * g.F);
    steps += static_cast<std::uint64_t>((vw + g.k_ways - 1) / g.k_ways);
  }
  ArrayRun run;
  run.pes.resize(own_y_.size());
  for (std::size_t pe = 0; pe < own_y_.size(); ++pe) {
    const Range oy = own_y_[pe], ox = own_x_[pe];
    const auto pixels = static_cast<std::uint64_t>(oy.size() * ox.size());
    const std::uint64_t pvec = (pixels + static_cast<std::uint64_t>(g.I) - 1) / static_cast<std::uint64_t>(g.I);
    DenseTally& t = run.pes[pe];
    t.busy = rs * static_cast<std::uint64_t>(g.kvec) * pvec;
    t.conflict = rs * (steps - static_cast<std::uint64_t>(g.kvec)) * pvec;
    t.sums = rs * static_cast<std::uint64_t>(g.kc_n) * pvec;
    run.cycles = std::max(run.cycles, t.busy + t.conflict);
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
    t.mults = useful;
    t.gated = dense - useful;
  }
  wait_cycles(run.cycles, mode_);
  return run;
}

DenseGrid::ArrayRun DenseGrid::run_wu_detailed(const DenseGroupShape& g) {
  std::vector<DenseWuPe> pes;
  pes.reserve(own_y_.size());
  for (std::size_t pe = 0; pe < own_y_.size(); ++pe)
    pes.emplace_back(*data_, iaram_[pe], *dy_, dy_values_, g, wu_c_, own_y_[pe], own_x_[pe], gating_);
  ArrayRun run;
  for (;;) {
    bool working = false;
    for (auto& pe : pes) working = pe.tick() != DensePe::Cycle::Idle || working;
    if (!working) break;
    sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
    ++run.cycles;
  }
  run.pes.resize(pes.size());
  for (std::size_t pe = 0; pe < pes.size(); ++pe) {
    run.pes[pe] = pes[pe].tally();
    if (!outputs_.empty()) pes[pe].add_partials(outputs_);  // the cross-PE reduction's sum
  }
  return run;
}

GroupOutcome DenseGrid::run_wu_group() {
  const ConvShape& s = data_->shape;
  const DenseGroupShape g = group_shape();
  const ArrayRun run = mode_ == TimingMode::Detailed ? run_wu_detailed(g) : run_wu_fast(g);
  const auto F = static_cast<std::uint64_t>(p_.grid.F), I = static_cast<std::uint64_t>(p_.grid.I);
  const std::uint64_t value_bytes = static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
  const std::uint64_t acc_bytes = static_cast<std::uint64_t>((p_.acc_bits + 7) / 8);
  const auto rs = static_cast<std::uint64_t>(s.R * s.S);
  GroupOutcome out;
  out.cycles = run.cycles;
  int members = 0;
  for (std::size_t pe = 0; pe < run.pes.size(); ++pe) {
    const DenseTally& t = run.pes[pe];
    const auto pixels = static_cast<std::uint64_t>(own_y_[pe].size() * own_x_[pe].size());
    members += pixels > 0 ? 1 : 0;
    st_.mults += t.mults;
    st_.mults_gated += t.gated;
    st_.busy_pe_cycles += t.busy + t.conflict;
    st_.conflict_pe_cycles += t.conflict;
    st_.barrier_pe_cycles += run.cycles - t.busy - t.conflict;
    st_.iaram_read_bytes += t.busy * I * value_bytes;      // the I inputs of the positions at (r, s)
    st_.wfifo_read_bytes += t.busy * F * I * value_bytes;  // F gradient channels x I positions
    st_.acc_read_bytes += t.sums * acc_bytes;              // partial dW read-modify-writes
    st_.acc_write_bytes += t.sums * acc_bytes;
    if (wu_c_ == 0 && pixels) st_.wfifo_write_bytes += static_cast<std::uint64_t>(kc_n_) * pixels * value_bytes;
  }
  // Cross-PE reduction of the partial dW, as in SCNN (sparse_grid.hpp), among the PEs with positions.
  const auto entries = static_cast<std::uint64_t>(kc_n_) * rs;
  const auto sent = entries * static_cast<std::uint64_t>(std::max(0, members - 1));
  st_.halo_bytes += sent * acc_bytes;
  st_.halo_adds += sent;
  out.halo_cycles = wu_reduction_cycles(entries, members, p_.halo_entries_per_cycle);
  chunk_output_bytes_ += entries * value_bytes;
  return out;
}

}  // namespace sparsim::scnn
