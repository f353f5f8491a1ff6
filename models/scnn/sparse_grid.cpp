#include "models/scnn/sparse_grid.hpp"

#include <algorithm>

#include "models/scnn/blocks.hpp"
#include "models/scnn/format.hpp"
#include "models/scnn/weight_format.hpp"
#include "sim/alloc_guard.hpp"

namespace sparsim::scnn {

namespace {

// The first coordinate v >= lo with (v + pad) mod stride == phase.
std::int64_t first_of_phase(std::int64_t lo, std::int64_t pad, std::int64_t stride, std::int64_t phase) {
  const std::int64_t at = ((lo + pad) % stride + stride) % stride;
  return lo + ((phase - at) % stride + stride) % stride;
}

// The PE (along one axis) whose output tile holds coordinate v.
std::size_t owner(const AxisTiling& t, std::int64_t v) {
  for (std::size_t i = 0; i < t.out.size(); ++i)
    if (t.out[i].contains(v)) return i;
  return 0;
}
}  // namespace

SparseGrid::SparseGrid(sc_core::sc_module_name name, const ScnnParams& p, TimingMode mode, VariantStats& stats)
    : sc_module(name), p_(p), mode_(mode), st_(stats) {
  shape_.F = p.grid.F;
  shape_.I = p.grid.I;
  shape_.banks = p.grid.banks;
  shape_.fifo_entries = p.grid.fifo_entries;
  shape_.set_banks(p.grid.banks, p.grid.F);
  shape_.queue_depth = p.bank_queue_depth;
  frames_.resize(static_cast<std::size_t>(pes()));
  acts_.resize(static_cast<std::size_t>(pes()));
  act_offsets_.resize(static_cast<std::size_t>(pes()));
  accs_.resize(static_cast<std::size_t>(pes()));
}

void SparseGrid::begin_layer(const LayerData& data) {
  data_ = &data;
  wu_kg_ = -1;
  const ConvShape& s = data.shape;
  const std::int64_t n = dy_ ? s.K * s.C * s.R * s.S : s.K * s.Ho() * s.Wo();
  if (data.functional()) check_allocation(static_cast<double>(n), sizeof(outputs_[0]), "a layer's output values");
  if (data.functional())
    outputs_.assign(static_cast<std::size_t>(n), 0);
  else
    outputs_.clear();
}

void SparseGrid::set_gradient(const Mask* dy, const std::vector<std::int16_t>* dy_values) {
  dy_ = dy;
  dy_values_ = dy_values;
}

void SparseGrid::load_chunk(const LayerData& data, const PlaneMapping& m, std::int64_t chunk) {
  data_ = &data;
  const ConvShape& s = data.shape;
  shape_.stride = static_cast<int>(s.stride);
  shape_.pad = static_cast<int>(s.pad);
  // Strided layers: activations and weights are paired only within one stride phase, (y + pad) mod stride
  // equal to r mod stride (likewise for columns): the products of other pairings fall between outputs.
  // Only phases some weight has take lanes: min(stride, R) x min(stride, S) of them (a stride beyond the kernel
  // leaves the other phases' activations without a partner; they are never read). Without the bound a
  // stride of 1000 made a million lanes per channel.
  const bool split = p_.stride_phases && s.stride > 1 && !dy_;
  phase_rows_ = split ? std::min(s.stride, s.R) : 1;
  phase_cols_ = split ? std::min(s.stride, s.S) : 1;
  phases_ = phase_rows_ * phase_cols_;
  rows_ = tile_axis(s.H, s.R, s.stride, s.pad, chunk_rows(s, m, chunk), p_.grid.pe_rows);
  cols_ = tile_axis(s.W, s.S, s.stride, s.pad, {0, s.Wo()}, p_.grid.pe_cols);
  chunk_input_bytes_ = overflow_bytes_ = max_iaram_bytes_ = chunk_output_bytes_ = 0;
  const int bits = p_.grid.value_bits + p_.grid.index_bits;
  const bool functional = data.functional();
  for (int i = 0; i < p_.grid.pe_rows; ++i)
    for (int j = 0; j < p_.grid.pe_cols; ++j) {
      const auto pe = static_cast<std::size_t>(i * p_.grid.pe_cols + j);
      PeFrame& f = frames_[pe];
      f.own_y = rows_.out[static_cast<std::size_t>(i)];
      f.own_x = cols_.out[static_cast<std::size_t>(j)];
      f.acc_y = rows_.acc[static_cast<std::size_t>(i)];
      f.acc_x = cols_.acc[static_cast<std::size_t>(j)];
      f.valid_y = rows_.valid;
      f.valid_x = cols_.valid;
      if (dy_) {  // WU: every PE accumulates a partial dW over the whole kernel
        f.own_y = f.acc_y = f.valid_y = {0, s.R};
        f.own_x = f.acc_x = f.valid_x = {0, s.S};
      }
      const Range in_y = rows_.in[static_cast<std::size_t>(i)], in_x = cols_.in[static_cast<std::size_t>(j)];
      auto& acts = acts_[pe];
      auto& offs = act_offsets_[pe];
      acts.clear();
      offs.assign(static_cast<std::size_t>(s.C * phases_) + 1, 0);
      std::int64_t entries = 0;
      for (std::int64_t c = 0; c < s.C; ++c) {
        // Each channel of the tile is one compressed stream, row-major over the tile.
        entries += compressed_tile_entries(data, c, in_y, in_x, p_.grid.index_bits);
        // The PE reads them as one lane per stride phase (one lane without phase splitting).
        for (std::int64_t ph = 0; ph < phases_; ++ph) {
          // The tile's rows and columns of this phase: (y + pad) mod stride = ph / phase_cols_, likewise x.
          const std::int64_t step = phases_ > 1 ? s.stride : 1;
          const std::int64_t y0 = phases_ > 1 ? first_of_phase(in_y.lo, s.pad, s.stride, ph / phase_cols_) : in_y.lo;
          const std::int64_t x0 = phases_ > 1 ? first_of_phase(in_x.lo, s.pad, s.stride, ph % phase_cols_) : in_x.lo;
          for (std::int64_t y = y0; y < in_y.hi; y += step) {
            for (std::int64_t x = x0; x < in_x.hi; x += step) {
              const std::int64_t idx = data.iidx(c, y, x);
              if (!data.inputs.get(idx)) continue;
              acts.push_back({static_cast<std::int32_t>(y), static_cast<std::int32_t>(x),
                              functional ? data.input_values[static_cast<std::size_t>(idx)] : 0});
            }
          }
          offs[static_cast<std::size_t>(c * phases_ + ph) + 1] = static_cast<std::int64_t>(acts.size());
        }
      }
      const auto bytes = static_cast<std::uint64_t>(bytes_of(entries, bits, 0));
      chunk_input_bytes_ += bytes;
      max_iaram_bytes_ = std::max(max_iaram_bytes_, bytes);
      if (bytes > static_cast<std::uint64_t>(p_.grid.iaram_bytes))
        overflow_bytes_ += bytes - static_cast<std::uint64_t>(p_.grid.iaram_bytes);
    }
}

void SparseGrid::load_group(const LayerData& data, const PlaneMapping& m, std::int64_t g) {
  const ConvShape& s = data.shape;
  group_ = g;
  if (dy_) {
    load_wu_group(data, m, g);
    return;
  }
  kc_lo_ = g * m.kc;
  kc_n_ = std::min(m.kc, s.K - kc_lo_);
  wts_.clear();
  wt_offsets_.assign(static_cast<std::size_t>(s.C * phases_) + 1, 0);
  const bool functional = data.functional();
  for (std::int64_t c = 0; c < s.C; ++c)
    for (std::int64_t ph = 0; ph < phases_; ++ph) {
      // Output channel innermost: the F weights of a vector mostly share (r, s) and differ in k, so their
      // products with neighbouring activations land on distinct accumulator entries.
      for (std::int64_t r = 0; r < s.R; ++r) {
        if (phases_ > 1 && r % s.stride != ph / phase_cols_) continue;
        for (std::int64_t q = 0; q < s.S; ++q) {
          if (phases_ > 1 && q % s.stride != ph % phase_cols_) continue;
          for (std::int64_t k = 0; k < kc_n_; ++k) {
            const std::int64_t idx = data.widx(kc_lo_ + k, c, r, q);
            if (!data.weights.get(idx)) continue;
            wts_.push_back({static_cast<std::int32_t>(k), static_cast<std::int32_t>(r), static_cast<std::int32_t>(q),
                            functional ? data.weight_values[static_cast<std::size_t>(idx)] : 0});
          }
        }
      }
      wt_offsets_[static_cast<std::size_t>(c * phases_ + ph) + 1] = static_cast<std::int64_t>(wts_.size());
    }
  coarse_group_ = data.weight_granularity != Granularity::Element;
  group_index_bits_ = coarse_group_ ? group_weight_format(data, kc_lo_, kc_n_, p_.grid).index_bits : 0;
  group_nonzeros_ = static_cast<std::uint64_t>(wts_.size());
}

void SparseGrid::load_wu_group(const LayerData& data, const PlaneMapping& m, std::int64_t g) {
  const ConvShape& s = data.shape;
  const std::int64_t kg = g / s.C;
  wu_c_ = g % s.C;
  kc_lo_ = kg * m.kc;
  kc_n_ = std::min(m.kc, s.K - kc_lo_);
  pe_wts_.resize(static_cast<std::size_t>(pes()));
  wu_act_off_.resize(static_cast<std::size_t>(pes()));
  wu_wt_off_.resize(static_cast<std::size_t>(pes()));
  const bool functional = data.functional();
  for (int i = 0; i < p_.grid.pe_rows; ++i)
    for (int j = 0; j < p_.grid.pe_cols; ++j) {
      const auto pe = static_cast<std::size_t>(i * p_.grid.pe_cols + j);
      const auto& offs = act_offsets_[pe];
      wu_act_off_[pe] = {offs[static_cast<std::size_t>(wu_c_)], offs[static_cast<std::size_t>(wu_c_) + 1]};
      if (kg != wu_kg_) {
        // The gradient positions whose window (y * stride - pad + [0, R)) meets the PE's X tile; position
        // major, output channel innermost, so a vector's F entries mostly share a position.
        const Range in_y = rows_.in[static_cast<std::size_t>(i)], in_x = cols_.in[static_cast<std::size_t>(j)];
        const std::int64_t y0 = std::max<std::int64_t>(0, ceil_div(in_y.lo + s.pad - s.R + 1, s.stride));
        const std::int64_t y1 = std::min<std::int64_t>(s.Ho(), floor_div(in_y.hi - 1 + s.pad, s.stride) + 1);
        const std::int64_t x0 = std::max<std::int64_t>(0, ceil_div(in_x.lo + s.pad - s.S + 1, s.stride));
        const std::int64_t x1 = std::min<std::int64_t>(s.Wo(), floor_div(in_x.hi - 1 + s.pad, s.stride) + 1);
        auto& w = pe_wts_[pe];
        w.clear();
        if (in_y.size() > 0 && in_x.size() > 0)
          for (std::int64_t y = y0; y < y1; ++y)
            for (std::int64_t x = x0; x < x1; ++x)
              for (std::int64_t k = 0; k < kc_n_; ++k) {
                const std::int64_t idx = ((kc_lo_ + k) * s.Ho() + y) * s.Wo() + x;
                if (!dy_->get(idx)) continue;
                w.push_back({static_cast<std::int32_t>(k), static_cast<std::int32_t>(y), static_cast<std::int32_t>(x),
                             functional ? (*dy_values_)[static_cast<std::size_t>(idx)] : 0});
              }
        wu_wt_off_[pe] = {0, static_cast<std::int64_t>(w.size())};
      }
    }
  wu_kg_ = kg;
}

GroupOutcome SparseGrid::run_group() {
  const ConvShape& s = data_->shape;
  const bool functional = data_->functional();
  shape_.kc = kc_n_;
  shape_.wu = dy_ != nullptr;
  shape_.R = static_cast<int>(s.R);
  shape_.S = static_cast<int>(s.S);
  std::vector<PeOperands> ops(static_cast<std::size_t>(pes()));
  for (std::size_t pe = 0; pe < ops.size(); ++pe) {
    ops[pe] = dy_ ? PeOperands{&acts_[pe], &wu_act_off_[pe], &pe_wts_[pe], &wu_wt_off_[pe], 1}
                  : PeOperands{&acts_[pe], &act_offsets_[pe], &wts_, &wt_offsets_, s.C * phases_};
    accs_[pe].reset(kc_n_ * frames_[pe].acc_plane(), shape_.banks, functional);
  }
  std::vector<PeTally> tallies(ops.size());
  std::uint64_t cycles = 0;
  if (mode_ == TimingMode::Fast) {
    for (std::size_t pe = 0; pe < ops.size(); ++pe) {
      tallies[pe] = run_group_fast(ops[pe], frames_[pe], shape_, accs_[pe]);
      cycles = std::max(cycles, tallies[pe].cycles);
    }
    wait_cycles(cycles, mode_);
  } else {
    std::vector<PeCursor> cursors;
    cursors.reserve(ops.size());
    for (std::size_t pe = 0; pe < ops.size(); ++pe) cursors.emplace_back(ops[pe], frames_[pe], shape_, accs_[pe]);
    for (;;) {
      bool all_done = true;
      for (auto& c : cursors) all_done = all_done && c.done();
      if (all_done) break;
      for (auto& c : cursors) c.tick();
      sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
      ++cycles;
    }
    for (std::size_t pe = 0; pe < ops.size(); ++pe) tallies[pe] = cursors[pe].tally();
  }
  GroupOutcome out;
  out.cycles = cycles;
  finish_group(tallies, cycles, out);
  return out;
}

void SparseGrid::finish_group(const std::vector<PeTally>& tallies, std::uint64_t cycles, GroupOutcome& out) {
  const ConvShape& s = data_->shape;
  const int entry_bits = p_.grid.value_bits + p_.grid.index_bits;
  const std::uint64_t acc_bytes = static_cast<std::uint64_t>((p_.acc_bits + 7) / 8);
  const bool functional = data_->functional();
  for (std::size_t pe = 0; pe < tallies.size(); ++pe) {
    const PeTally& t = tallies[pe];
    st_.mults += t.products;
    st_.mults_discarded += t.products - t.valid;
    st_.wu_filtered += t.filtered;
    st_.busy_pe_cycles += t.cycles;
    st_.conflict_pe_cycles += t.conflict_cycles;
    st_.barrier_pe_cycles += cycles - t.cycles;
    st_.xbar_bytes += t.valid * acc_bytes;
    st_.acc_read_bytes += t.valid * acc_bytes;
    st_.acc_write_bytes += t.valid * acc_bytes;
    act_read_bits_ += t.act_reads * static_cast<std::uint64_t>(entry_bits);
    if (coarse_group_ && !dy_) {  // coarse format: the values plus the block indices per weight
      const auto vb = static_cast<std::uint64_t>(p_.grid.value_bits);
      const auto index = [&](std::uint64_t n) { return group_nonzeros_ ? n * group_index_bits_ / group_nonzeros_ : 0; };
      wt_read_bits_ += t.wt_reads * vb + index(t.wt_reads);
      wt_write_bits_ += t.wt_writes * vb + index(t.wt_writes);
    } else {
      wt_read_bits_ += t.wt_reads * static_cast<std::uint64_t>(entry_bits);
      wt_write_bits_ += t.wt_writes * static_cast<std::uint64_t>(entry_bits);
    }
  }
  if (dy_) {
    finish_wu_group(out);
    return;
  }
  // Halo exchange and post-processing of every PE's accumulator.
  for (int i = 0; i < p_.grid.pe_rows; ++i)
    for (int j = 0; j < p_.grid.pe_cols; ++j) {
      const auto pe = static_cast<std::size_t>(i * p_.grid.pe_cols + j);
      const PeFrame& f = frames_[pe];
      Accumulator& acc = accs_[pe];
      std::uint64_t halo = 0;
      const std::int64_t ah = f.acc_y.size(), aw = f.acc_x.size();
      for (std::int64_t yy = 0; yy < ah; ++yy)
        for (std::int64_t xx = 0; xx < aw; ++xx)
          for (std::int64_t k = 0; k < kc_n_; ++k) {
            const std::int64_t yo = f.acc_y.lo + yy, xo = f.acc_x.lo + xx;
            const auto a = static_cast<std::size_t>(acc_address(f, kc_n_, k, yo, xo));
            if (!acc.touched[a]) continue;
            if (f.own_y.contains(yo) && f.own_x.contains(xo)) continue;
            ++halo;
            if (!functional) continue;
            // Route the partial sum to the PE whose output tile holds (yo, xo).
            const std::size_t oi = owner(rows_, yo), oj = owner(cols_, xo);
            const PeFrame& of = frames_[oi * static_cast<std::size_t>(p_.grid.pe_cols) + oj];
            Accumulator& oacc = accs_[oi * static_cast<std::size_t>(p_.grid.pe_cols) + oj];
            oacc.values[static_cast<std::size_t>(acc_address(of, kc_n_, k, yo, xo))] += acc.values[a];
          }
      st_.halo_bytes += halo * acc_bytes;
      st_.halo_adds += halo;
      out.halo_cycles =
          std::max<std::uint64_t>(out.halo_cycles, (halo + static_cast<std::uint64_t>(p_.halo_entries_per_cycle) - 1) /
                                                       static_cast<std::uint64_t>(p_.halo_entries_per_cycle));
      const auto outputs = static_cast<std::uint64_t>(kc_n_ * f.own_y.size() * f.own_x.size());
      st_.ppu_outputs += outputs;
      out.ppu_cycles =
          std::max<std::uint64_t>(out.ppu_cycles, (outputs + static_cast<std::uint64_t>(p_.ppu_outputs_per_cycle) - 1) /
                                                      static_cast<std::uint64_t>(p_.ppu_outputs_per_cycle));
      // The PPU compresses the rectified outputs (their ReLU pattern) into the OARAM.
      for (std::int64_t k = 0; k < kc_n_; ++k) {
        EntryCounter counter(p_.grid.index_bits);
        std::int64_t pos = 0;
        for (std::int64_t yo = f.own_y.lo; yo < f.own_y.hi; ++yo)
          for (std::int64_t xo = f.own_x.lo; xo < f.own_x.hi; ++xo, ++pos)
            if (data_->outputs.get(((kc_lo_ + k) * s.Ho() + yo) * s.Wo() + xo)) counter.nonzero_at(pos);
        const auto b = static_cast<std::uint64_t>(bytes_of(counter.entries(), entry_bits, 0));
        st_.oaram_write_bytes += b;
        chunk_output_bytes_ += b;
      }
    }
  if (!functional) return;
  // Functional: after the halos, each PE's own tile holds complete sums.
  for (const auto& f : frames_) {
    const Accumulator& acc = accs_[static_cast<std::size_t>(&f - frames_.data())];
    for (std::int64_t k = 0; k < kc_n_; ++k)
      for (std::int64_t yo = f.own_y.lo; yo < f.own_y.hi; ++yo)
        for (std::int64_t xo = f.own_x.lo; xo < f.own_x.hi; ++xo)
          outputs_[static_cast<std::size_t>(((kc_lo_ + k) * s.Ho() + yo) * s.Wo() + xo)] =
              acc.values[static_cast<std::size_t>(acc_address(f, kc_n_, k, yo, xo))];
  }
}

void SparseGrid::finish_wu_group(GroupOutcome& out) {
  const ConvShape& s = data_->shape;
  const std::uint64_t acc_bytes = static_cast<std::uint64_t>((p_.acc_bits + 7) / 8);
  const std::uint64_t value_bytes = static_cast<std::uint64_t>((p_.grid.value_bits + 7) / 8);
  // Every PE holds a partial dW of kc x R x S for channel c; the reduction tree sends each PE's block once
  // (the root's stays) and adds it into its parent's: P - 1 blocks over the links, as many adds. The drain
  // unit runs it behind the next group (the accumulators are double-buffered); the reduced dW leaves dense.
  // Only PEs that hold an X tile take part (a 1 x 1 fc plane: one PE, nothing to reduce).
  int members = 0;
  for (const auto& ry : rows_.in)
    for (const auto& rx : cols_.in) members += ry.size() > 0 && rx.size() > 0 ? 1 : 0;
  const auto entries = static_cast<std::uint64_t>(kc_n_ * s.R * s.S);
  const auto sent = entries * static_cast<std::uint64_t>(std::max(0, members - 1));
  st_.halo_bytes += sent * acc_bytes;
  st_.halo_adds += sent;
  out.halo_cycles = wu_reduction_cycles(entries, members, p_.halo_entries_per_cycle);
  out.ppu_cycles = 0;
  chunk_output_bytes_ += entries * value_bytes;
  if (!data_->functional()) return;
  for (std::int64_t k = 0; k < kc_n_; ++k)
    for (std::int64_t r = 0; r < s.R; ++r)
      for (std::int64_t q = 0; q < s.S; ++q) {
        std::int64_t sum = 0;
        for (std::size_t pe = 0; pe < accs_.size(); ++pe)
          sum += accs_[pe].values[static_cast<std::size_t>(acc_address(frames_[pe], kc_n_, k, r, q))];
        outputs_[static_cast<std::size_t>((((kc_lo_ + k) * s.C + wu_c_) * s.R + r) * s.S + q)] = sum;
      }
}

void SparseGrid::flush_bytes() {
  st_.iaram_read_bytes += act_read_bits_ / 8;
  st_.wfifo_read_bytes += wt_read_bits_ / 8;
  st_.wfifo_write_bytes += wt_write_bits_ / 8;
  act_read_bits_ %= 8;
  wt_read_bits_ %= 8;
  wt_write_bits_ %= 8;
}

}  // namespace sparsim::scnn

namespace sparsim::scnn {
std::vector<std::uint64_t> sparse_wu_group_bytes(const LayerData& fwd, const Mask& dy, const PlaneMapping& m,
                                                 const GridSpec& g) {
  const ConvShape& s = fwd.shape;
  std::vector<std::uint64_t> out;
  for (std::int64_t k0 = 0; k0 < s.K; k0 += m.kc) {
    const std::int64_t kn = std::min(m.kc, s.K - k0);
    std::uint64_t bytes = 0;
    for (std::int64_t k = 0; k < kn; ++k) {  // one compressed stream per gradient channel
      EntryCounter counter(g.index_bits);
      for (std::int64_t i = 0; i < s.Ho() * s.Wo(); ++i)
        if (dy.get((k0 + k) * s.Ho() * s.Wo() + i)) counter.nonzero_at(i);
      bytes += static_cast<std::uint64_t>(bytes_of(counter.entries(), g.value_bits + g.index_bits, 0));
    }
    out.push_back(bytes);
    for (std::int64_t c = 1; c < s.C; ++c) out.push_back(0);
  }
  return out;
}

std::uint64_t wu_reduction_cycles(std::uint64_t entries, int pes, int per_cycle) {
  if (pes <= 1) return 0;
  std::uint64_t levels = 0;
  while ((std::int64_t{1} << levels) < pes) ++levels;
  const auto bw = static_cast<std::uint64_t>(std::max(1, per_cycle));
  return entries ? (entries + bw - 1) / bw + levels : 0;
}
}  // namespace sparsim::scnn
