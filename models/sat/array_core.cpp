#include "models/sat/array_core.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace sparsim::sat {

namespace {

using u64 = std::uint64_t;

}  // namespace

memory::SramSpec glb_sram_spec(const Hw& hw, int ports, const char* arbiter) {
  memory::SramSpec s;
  const i64 line = hw.glb_banks * hw.glb_bank_width;
  // Room for two halves of the configured capacity, each rounded up to whole bank lines (the layout
  // aligns the B block to a word, so a tile that fits its half still fits here).
  s.bytes = 2 * (ceil_div(hw.glb_capacity / 2, line) + 2) * line;
  s.banks = static_cast<int>(hw.glb_banks);
  s.bank_width_bytes = static_cast<int>(hw.glb_bank_width);
  s.ports = ports;
  s.arbiter = arbiter;
  s.mapping = hw.glb_bank_mapping;
  s.read_latency = 1;
  s.words_per_port_per_cycle = static_cast<int>(hw.glb_banks);
  return s;
}

namespace {

// Bit width of one stored weight (value + in-group index).
i64 weight_bits(const Hw& hw, Nm nm) { return hw.data_bytes * 8 + index_bits(nm); }

void shift_in(std::vector<u64>& row, bool bit, i64 cols) {
  u64 carry = bit ? 1 : 0;
  for (auto& w : row) {
    const u64 out = w >> 63;
    w = (w << 1) | carry;
    carry = out;
  }
  const i64 tail = cols % 64;
  if (tail != 0) row.back() &= (u64{1} << tail) - 1;
}

// Valid PEs of a row among its first `used` columns.
i64 count_used(const std::vector<u64>& row, i64 used) {
  i64 n = 0;
  for (std::size_t w = 0; w < row.size() && static_cast<i64>(w) * 64 < used; ++w) {
    const i64 bits = std::min<i64>(64, used - static_cast<i64>(w) * 64);
    const u64 mask = bits == 64 ? ~u64{0} : (u64{1} << bits) - 1;
    n += std::popcount(row[w] & mask);
  }
  return n;
}

bool bit_at(const std::vector<u64>& row, i64 c) { return (row[static_cast<std::size_t>(c / 64)] >> (c % 64)) & 1; }

}  // namespace

ArrayCore::ArrayCore(const Hw& hw)
    : hw_(hw),
      ws_glb_(glb_sram_spec(hw, 2, "fixed_priority")),
      os_glb_(glb_sram_spec(hw, static_cast<int>(hw.rows + hw.cols), "round_robin")),
      obuf_(obuf_spec(hw)) {
  if (hw.edge_fifo_depth < 1) throw std::invalid_argument("array: edge_fifo_depth must be at least 1");
  valid_.assign(static_cast<std::size_t>(hw.rows),
                std::vector<u64>(static_cast<std::size_t>(ceil_div(hw.cols, 64)), 0));
  shift_out_.resize(static_cast<std::size_t>(hw.cols));
  const u64 B = static_cast<u64>(hw.obuf_banks);
  obuf_stride_ = static_cast<u64>(ceil_div(hw.cols, hw.obuf_banks)) * B;  // columns per bank x banks
  for (i64 c = 0; c < hw.cols; ++c) obuf_column_word_.push_back(static_cast<u64>(c) / B * B + static_cast<u64>(c) % B);
}

// The accumulator banks: a port per array column, kObufPipelineDepth partial sums in flight on each.
memory::AccumulatorSpec ArrayCore::obuf_spec(const Hw& hw) {
  memory::AccumulatorSpec s;
  s.banks = static_cast<int>(hw.obuf_banks);
  s.ports = static_cast<int>(hw.cols);
  s.word_bytes = static_cast<int>(std::bit_ceil(static_cast<u64>(hw.acc_bytes)));
  s.single_port = hw.obuf_single_port;
  s.depth = static_cast<int>(kObufPipelineDepth);
  s.read_latency = 1;
  return s;
}

u64 ArrayCore::obuf_address(i64 c, i64 slot) const {
  // Column c's slots follow one another every `sharing` rows of banks, at its place in the row (worked out
  // once per column: no division per partial sum).
  return (static_cast<u64>(slot) * obuf_stride_ + obuf_column_word_[static_cast<std::size_t>(c)]) *
         static_cast<u64>(obuf_.spec().word_bytes);
}

bool ArrayCore::obuf_drained() const { return shifting_out_ == 0; }

void ArrayCore::cycle_obuf() {
  if (shifting_out_ > 0)
    for (std::size_t c = 0; c < shift_out_.size(); ++c)
      if (!shift_out_[c].empty() && obuf_.accepts(static_cast<int>(c))) {
        obuf_.push(static_cast<int>(c), shift_out_[c].front().address, shift_out_[c].front().read);
        shift_out_[c].pop_front();
        --shifting_out_;
      }
  obuf_.step();
}

void ArrayCore::set_probe(i64 rows, i64 cols, i64 row0, i64 col0, bool values) {
  signals.row0 = std::clamp<i64>(row0, 0, hw_.rows - 1);
  signals.col0 = std::clamp<i64>(col0, 0, hw_.cols - 1);
  signals.rows = std::min(rows, hw_.rows - signals.row0);
  signals.cols = std::min(cols, hw_.cols - signals.col0);
  probe_ = signals.rows > 0 && signals.cols > 0;
  const auto n = static_cast<std::size_t>(signals.rows * signals.cols);
  signals.pe_valid.assign(n, 0);
  signals.pe_step.assign(n, -1);
  signals.fifo_lanes.clear();
  for (i64 r = 0; r < signals.rows; ++r) signals.fifo_lanes.push_back(signals.row0 + r);
  for (i64 c = 0; c < signals.cols; ++c) signals.fifo_lanes.push_back(hw_.rows + signals.col0 + c);
  signals.fifo_fill.assign(signals.fifo_lanes.size(), 0);
  trace_values_ = probe_ && values;
  signals.values = trace_values_;
  signals.multipliers = hw_.pe_multipliers;
  const auto slots = trace_values_ ? n * static_cast<std::size_t>(hw_.pe_multipliers) : 0;
  signals.pe_weight.assign(slots, 0.0);
  signals.pe_act.assign(slots, 0.0);
  signals.pe_psum.assign(trace_values_ ? n : 0, 0.0);
  signals.pe_carries.assign(trace_values_ ? n : 0, 0);
}

void ArrayCore::reset_lanes(std::size_t n) {
  lanes_.clear();
  lanes_.resize(n);
  const auto depth = static_cast<std::size_t>(hw_.edge_fifo_depth);
  for (Lane& l : lanes_) {
    l.inflight.reset(depth);
    l.fifo.reset(depth);
  }
}

void ArrayCore::advance_lane_cursor(Lane& l) {
  if (++l.fetch_step == l.steps) {
    l.fetch_step = 0;
    ++l.fetch_fold;
  }
}

bool ArrayCore::lane_has(const Lane& l, i64 fold, i64 step) {
  return !l.fifo.empty() && l.fifo.front().fold == fold && l.fifo.front().step == step;
}

void ArrayCore::preload_weights(const std::vector<memory::SramAccess>& words) {
  weight_started_ = glb_->cycle();
  weight_ready_at_ = glb_->cycle();
  for (const auto& a : words) {
    glb_->enqueue(1, a);
    weight_bytes_.push_back(a.bytes);
    ++weight_pending_;
  }
}

bool ArrayCore::weights_ready() const {
  // All words granted and arrived, and the R-cycle shift down the columns done.
  return weight_pending_ == 0 && glb_->cycle() >= weight_ready_at_ && glb_->cycle() >= weight_started_ + hw_.rows;
}

void ArrayCore::cycle_memory() {
  const u64 W = static_cast<u64>(hw_.glb_bank_width);
  const std::size_t depth = static_cast<std::size_t>(hw_.edge_fifo_depth);
  const i64 now = glb_->cycle();
  for (std::size_t p = 0; p < lanes_.size(); ++p) {
    Lane& l = lanes_[p];
    // Credit: a lane reads ahead only into FIFO slots that are free now.
    while (l.fetch_fold < l.folds && l.fifo.size() + l.inflight.size() < depth) {
      u64 lo = 0, hi = 0;
      l.range(l.fetch_fold, l.fetch_step, lo, hi);
      if (hi > lo) {
        // Bytes new to the lane (steps of a compressed row may share a byte of packed indices).
        const u64 fresh_from = (l.last_lo < lo && lo < l.last_hi && l.last_hi <= hi) ? l.last_hi : lo;
        l.last_lo = lo;
        l.last_hi = hi;
        InFlight e{l.fetch_fold, l.fetch_step, false, false, now + 1, static_cast<i64>(hi - fresh_from)};
        const auto w0 = static_cast<std::int64_t>(lo / W), w1 = static_cast<std::int64_t>((hi - 1) / W);
        const std::int64_t first = w0 == l.last_word ? w0 + 1 : w0;  // the line buffer already holds w0
        if (first <= w1) {
          const u64 from = std::max(lo, static_cast<u64>(first) * W);
          glb_->enqueue(static_cast<int>(p), {from, static_cast<i64>(hi - from), false, 0});
          e.access = true;
        }
        l.last_word = w1;
        if (!e.access && l.inflight.empty()) {
          // All its bytes are in the line buffer and nothing is ahead of it: it enters the FIFO at the
          // end of this cycle, as an in-flight entry ready next cycle would.
          tally_->glb_read_bytes += e.bytes;
          tally_->fifo_bytes += e.bytes;
          l.fifo.push_back({e.fold, e.step});
        } else {
          l.inflight.push_back(e);
        }
      }
      advance_lane_cursor(l);
    }
  }
  if (probe_) bank_busy_before_ = glb_->stats().bank_busy;
  const i64 words_before = glb_->stats().words_read;
  glb_->step();
  tally_->glb_words += glb_->stats().words_read - words_before;
  if (probe_) {
    signals.bank_grants = 0;
    for (std::size_t b = 0; b < std::min<std::size_t>(64, bank_busy_before_.size()); ++b)
      if (glb_->stats().bank_busy[b] != bank_busy_before_[b]) signals.bank_grants |= u64{1} << b;
  }
  for (const memory::SramCompletion& c : glb_->take_completions()) {
    if (glb_ == &ws_glb_ && c.port == 1) {
      --weight_pending_;
      tally_->glb_read_bytes += weight_bytes_.front();
      tally_->fifo_bytes += weight_bytes_.front();  // through the weight shift chain
      weight_bytes_.pop_front();
      weight_ready_at_ = std::max(weight_ready_at_, c.cycle);
      continue;
    }
    // A port's accesses complete in order: the oldest of its lane's outstanding reads.
    Ring<InFlight>& inflight = lanes_[static_cast<std::size_t>(c.port)].inflight;
    for (std::size_t k = 0; k < inflight.size(); ++k)
      if (InFlight& e = inflight[k]; e.access && !e.granted) {
        e.granted = true;
        e.ready_at = c.cycle;
        break;
      }
  }
  // Steps whose words have arrived by the next cycle enter the FIFO in order.
  for (Lane& l : lanes_) {
    i64 prev_ready = 0;
    while (!l.inflight.empty()) {
      InFlight& e = l.inflight.front();
      if (e.access && !e.granted) break;
      const i64 ready = std::max(e.ready_at, prev_ready);
      if (ready > now + 1) break;
      prev_ready = ready;
      tally_->glb_read_bytes += e.bytes;
      tally_->fifo_bytes += e.bytes;
      l.fifo.push_back({e.fold, e.step});
      l.inflight.pop_front();
    }
  }
}

void ArrayCore::capture(bool stalled) {
  signals.stalled = stalled;
  signals.weight_load = weight_pending_ > 0;
  for (std::size_t i = 0; i < signals.fifo_lanes.size(); ++i) {
    const auto lane = static_cast<std::size_t>(signals.fifo_lanes[i]);
    signals.fifo_fill[i] = lane < lanes_.size() ? static_cast<std::int64_t>(lanes_[lane].fifo.size()) : 0;
  }
  for (i64 r = 0; r < signals.rows; ++r)
    for (i64 c = 0; c < signals.cols; ++c) {
      const auto i = static_cast<std::size_t>(r * signals.cols + c);
      const i64 pr = signals.row0 + r, pc = signals.col0 + c;
      signals.pe_valid[i] = !stalled && bit_at(valid_[static_cast<std::size_t>(pr)], pc) ? 1 : 0;
      signals.pe_step[i] = signals.pe_valid[i] ? advance_ - pr - pc : -1;
    }
}

void ArrayCore::tick(i64& counter, bool stalled) {
  ++counter;
  cycle_memory();
  cycle_obuf();
  if (on_cycle) {
    if (probe_) capture(stalled);
    on_cycle();
  }
  if (trace_values_) {  // the next cycle's products are its own
    std::fill(signals.pe_act.begin(), signals.pe_act.end(), 0.0);
    std::fill(signals.pe_psum.begin(), signals.pe_psum.end(), 0.0);
    std::fill(signals.pe_carries.begin(), signals.pe_carries.end(), 0);
  }
}

void ArrayCore::run_glb_tile(const GlbTile& t, Stationarity s, Nm nm, int half, FunctionalOp* f, ArrayTally& tally) {
  tally_ = &tally;
  for (auto& row : valid_) std::fill(row.begin(), row.end(), 0);
  if (s == Stationarity::WeightStationary)
    ws(t, nm, half, f, tally);
  else
    os(t, nm, half, f, tally);
  tally_ = nullptr;
}

// GLB layout of a tile in its half: A rows of a_pitch bytes (compressed, kl positions), then B columns of
// kl values from the next word on.
ArrayCore::TileLayout ArrayCore::tile_layout(const GlbTile& t, Nm nm, int half) const {
  const u64 W = static_cast<u64>(hw_.glb_bank_width);
  TileLayout l;
  l.a = static_cast<u64>(half) * static_cast<u64>(glb_->spec().bytes / 2);
  l.a_pitch = static_cast<u64>(a_row_bytes(hw_, nm, t.kl));
  l.b = (l.a + static_cast<u64>(t.ml) * l.a_pitch + W - 1) / W * W;
  l.b_pitch = static_cast<u64>(t.kl * hw_.data_bytes);
  return l;
}

void ArrayCore::ws(const GlbTile& t, Nm nm, int half, FunctionalOp* f, ArrayTally& tally) {
  glb_ = &ws_glb_;
  const i64 R = hw_.rows, C = hw_.cols, db = hw_.data_bytes;
  const i64 span = row_span(hw_, nm), kt = ws_k_tile(hw_, nm), bits = weight_bits(hw_, nm);
  const i64 mtiles = ceil_div(t.ml, C), ktiles = ceil_div(t.kl, kt), folds = mtiles * ktiles, T = t.nl;
  const bool starts_zero = t.run_start && !t.load_psum;
  auto mc_of = [&](i64 i) { return std::min(C, t.ml - i * C); };
  auto kc_of = [&](i64 j) { return std::min(kt, t.kl - j * kt); };
  const TileLayout layout = tile_layout(t, nm, half);  // (named copies: lambdas capture them)
  const u64 abase = layout.a, a_pitch = layout.a_pitch, bbase = layout.b, b_pitch = layout.b_pitch;
  reset_lanes(1);
  Lane& stream = lanes_[0];
  stream.folds = folds;
  stream.steps = T;
  // Step n is column n of B: the fold's k tile of it.
  std::vector<u64> column_at(static_cast<std::size_t>(T));
  for (i64 n = 0; n < T; ++n) column_at[static_cast<std::size_t>(n)] = static_cast<u64>(n) * b_pitch;
  stream.step_lo = stream.step_hi = &column_at;
  stream.fold_span = [&](i64 fold) {
    const i64 j = fold % ktiles;
    return FoldSpan{true, bbase + static_cast<u64>(j * kt * db), static_cast<u64>(kc_of(j) * db)};
  };
  auto weight_words = [&](i64 fold) {
    const i64 i = fold / ktiles, j = fold % ktiles;
    std::vector<memory::SramAccess> acc;
    if (kc_of(j) == t.kl) {  // whole rows: one block
      const u64 lo = abase + static_cast<u64>(i * C) * a_pitch;
      acc.push_back({lo, static_cast<i64>(static_cast<u64>(mc_of(i)) * a_pitch), false, 0});
      return acc;
    }
    for (i64 c = 0; c < mc_of(i); ++c) {
      const u64 row = abase + static_cast<u64>(i * C + c) * a_pitch;
      const u64 lo = row + static_cast<u64>(kept(nm, j * kt) * bits / 8);
      const u64 hi = row + static_cast<u64>(ceil_div(kept(nm, j * kt + kc_of(j)) * bits, 8));
      if (hi > lo) acc.push_back({lo, static_cast<i64>(hi - lo), false, 0});
    }
    return acc;
  };
  // Functional state: the active weight registers of every PE and one partial-sum register per column
  // for each sampled step in flight (the PE of that column holding the step owns it).
  // Values only where the tile holds a sampled column (else nothing checked passes through it).
  bool values = false;
  std::vector<i64> sample_of(static_cast<std::size_t>(f ? T : 0), -1);
  if (f)
    for (std::size_t q = 0; q < f->cols.size(); ++q)
      if (f->cols[q] >= t.n0 && f->cols[q] < t.n0 + T) {
        sample_of[static_cast<std::size_t>(f->cols[q] - t.n0)] = static_cast<i64>(q);
        values = true;
      }
  struct Flight {
    i64 step = 0, sample = 0;
    std::vector<double> window;  // the column's kc activations (the FIFO entry's payload)
    std::vector<double> psum;    // per array column
  };
  std::deque<Flight> flights;
  // The PEs' weight registers hold their values in every tile of a functional run (waveforms show them);
  // activations and partial sums travel only with the sampled steps.
  const bool registers = f != nullptr;
  // The PEs' weight registers: PE (r, c) holds the kept weights of row span r of the fold's A row c (values,
  // and each one's position in the span: group base + in-group index), written from the GLB's compressed A
  // when the fold's preload completes. With shadow registers the next fold's set is written while this one
  // streams and becomes the active set when the fold begins.
  struct WeightRegisters {
    std::vector<double> value;
    std::vector<i64> position;
  };
  const i64 slots = kept(nm, span);  // weight registers per PE (its multipliers)
  WeightRegisters active, shadow;
  auto write_registers = [&](i64 fold, WeightRegisters& w) {
    const i64 i = fold / ktiles, j = fold % ktiles;
    w.value.assign(static_cast<std::size_t>(R * C * slots), 0.0);
    w.position.assign(static_cast<std::size_t>(R * C * slots), 0);
    for (i64 r = 0; r < R; ++r) {
      const i64 k_row = t.k0 + j * kt + r * span;  // dense reduction position of the span's first weight
      const i64 held = kept(nm, std::clamp<i64>(kc_of(j) - r * span, 0, span));
      for (i64 c = 0; c < mc_of(i); ++c) {
        const i64 q0 = f->row_start[static_cast<std::size_t>(t.m0 + i * C + c)] + kept(nm, k_row);
        for (i64 q = 0; q < held; ++q) {
          const auto slot = static_cast<std::size_t>((r * C + c) * slots + q);
          w.value[slot] = f->kept_val[static_cast<std::size_t>(q0 + q)];
          w.position[slot] = kept_position(nm, q, f->kept_idx[static_cast<std::size_t>(q0 + q)]);
        }
      }
    }
  };

  auto wait_weights = [&](i64& counter) {
    while (!weights_ready()) tick(counter, false);
  };
  // Waveforms: the traced PEs' active weight registers.
  auto show_registers = [&] {
    if (!trace_values_) return;
    const auto shown = static_cast<std::size_t>(std::min(slots, hw_.pe_multipliers));
    for (i64 r = 0; r < R; ++r)
      for (i64 c = 0; c < C; ++c)
        if (const i64 pi = traced_value_pe(r, c); pi >= 0)
          for (std::size_t q = 0; q < static_cast<std::size_t>(hw_.pe_multipliers); ++q)
            signals.pe_weight[static_cast<std::size_t>(pi * hw_.pe_multipliers) + q] =
                registers && q < shown ? active.value[static_cast<std::size_t>((r * C + c) * slots) + q] : 0.0;
  };
  preload_weights(weight_words(0));
  wait_weights(tally.fill_drain);
  if (registers) write_registers(0, active);
  show_registers();
  for (i64 fold = 0; fold < folds; ++fold) {
    const i64 i = fold / ktiles, j = fold % ktiles, mc = mc_of(i), kc = kc_of(j);
    if (registers && hw_.ws_shadow_weights && fold > 0) {
      std::swap(active, shadow);
      show_registers();
    }
    // Shadow registers: the next fold's weights load while this one streams.
    if (hw_.ws_shadow_weights && fold + 1 < folds) preload_weights(weight_words(fold + 1));
    std::vector<i64> kept_row(static_cast<std::size_t>(R)), len_row(static_cast<std::size_t>(R));
    for (i64 r = 0; r < R; ++r) {
      len_row[static_cast<std::size_t>(r)] = std::clamp<i64>(kc - r * span, 0, span);
      kept_row[static_cast<std::size_t>(r)] = kept(nm, len_row[static_cast<std::size_t>(r)]);
    }
    const i64 last = T - 1 + R - 1 + mc - 1;  // advance at which the last partial sum leaves the array
    for (i64 a = 0; a <= last;) {
      advance_ = a;
      const bool inject = a < T;
      if (inject && !lane_has(stream, fold, a)) {
        tick(tally.stall_operand, true);
        continue;
      }
      // Column c's bottom PE passes step a - (R - 1) - c to the output buffer this cycle; it needs room in
      // the column's read-modify-write pipeline, else the array holds.
      const i64 c_lo = std::max<i64>(0, a - (R - 1) - (T - 1)), c_hi = std::min(mc - 1, a - (R - 1));
      bool room = true;
      for (i64 c = c_lo; c <= c_hi && room; ++c) room = obuf_.accepts(static_cast<int>(c));
      if (!room) {
        tick(tally.stall_obuf, true);
        continue;
      }
      if (inject) {
        stream.fifo.pop_front();
        if (values && sample_of[static_cast<std::size_t>(a)] >= 0) {
          Flight fl{
              a, sample_of[static_cast<std::size_t>(a)], {}, std::vector<double>(static_cast<std::size_t>(C), 0.0)};
          const i64 nc = static_cast<i64>(f->cols.size());
          for (i64 k = 0; k < kc; ++k)
            fl.window.push_back(f->b[static_cast<std::size_t>((t.k0 + j * kt + k) * nc + fl.sample)]);
          flights.push_back(std::move(fl));
        }
      }
      // Every PE row's valid bits move one column right; row r's left edge sees the step injected r
      // cycles ago (the skew registers).
      for (i64 r = 0; r < R; ++r) {
        auto& row = valid_[static_cast<std::size_t>(r)];
        shift_in(row, a - r >= 0 && a - r < T, C);
        const i64 active = count_used(row, mc);
        tally.macs += active * kept_row[static_cast<std::size_t>(r)];
        tally.skipped_macs += active * (len_row[static_cast<std::size_t>(r)] - kept_row[static_cast<std::size_t>(r)]);
      }
      const i64 out = count_used(valid_[static_cast<std::size_t>(R - 1)], mc);  // partial sums leaving
      tally.obuf_writes += out;
      if (!(starts_zero && j == 0)) tally.obuf_reads += out;
      for (i64 c = c_lo; c <= c_hi; ++c)  // (slot: the column's A row i, B column n)
        obuf_.push(static_cast<int>(c), obuf_address(c, i * T + a - (R - 1) - c), !(starts_zero && j == 0));
      // Values: each sampled step in flight occupies one anti-diagonal r + c = a - step.
      for (Flight& fl : flights) {
        const i64 d = a - fl.step;
        for (i64 r = std::min(R - 1, d); r >= std::max<i64>(0, d - (mc - 1)); --r) {
          const i64 c = d - r, m = t.m0 + i * C + c;
          double& psum = fl.psum[static_cast<std::size_t>(c)];
          // Each multiplier takes its weight register and, through its M:1 selector, the activation at the
          // register's position in the window passing this PE.
          for (i64 q = 0; q < kept_row[static_cast<std::size_t>(r)]; ++q) {
            const auto slot = static_cast<std::size_t>((r * C + c) * slots + q);
            psum += active.value[slot] * fl.window[static_cast<std::size_t>(r * span + active.position[slot])];
          }
          if (const i64 pi = traced_value_pe(r, c); pi >= 0) {
            for (i64 q = 0; q < std::min(kept_row[static_cast<std::size_t>(r)], hw_.pe_multipliers); ++q) {
              const auto slot = static_cast<std::size_t>((r * C + c) * slots + q);
              signals.pe_act[static_cast<std::size_t>(pi * hw_.pe_multipliers + q)] =
                  fl.window[static_cast<std::size_t>(r * span + active.position[slot])];
            }
            signals.pe_psum[static_cast<std::size_t>(pi)] = psum;
            signals.pe_carries[static_cast<std::size_t>(pi)] = 1;
          }
          if (r == R - 1) {  // leaves the bottom edge: read-modify-write in the accumulator bank
            const i64 nc = static_cast<i64>(f->cols.size());
            f->out[static_cast<std::size_t>(m * nc + fl.sample)] += psum;
          }
        }
      }
      while (!flights.empty() && a - flights.front().step >= R - 1 + mc - 1) flights.pop_front();
      tick(inject ? tally.busy : tally.fill_drain, false);
      ++a;
    }
    if (fold + 1 < folds) {
      if (hw_.ws_shadow_weights) {
        wait_weights(tally.stall_bank);
        if (registers) write_registers(fold + 1, shadow);
      } else {
        preload_weights(weight_words(fold + 1));
        wait_weights(tally.fill_drain);
        if (registers) write_registers(fold + 1, active);
        show_registers();
      }
    }
  }
}

void ArrayCore::os(const GlbTile& t, Nm nm, int half, FunctionalOp* f, ArrayTally& tally) {
  glb_ = &os_glb_;
  const i64 R = hw_.rows, C = hw_.cols, db = hw_.data_bytes;
  const i64 span = row_span(hw_, nm), bits = weight_bits(hw_, nm);
  const i64 mtiles = ceil_div(t.ml, R), ntiles = ceil_div(t.nl, C), folds = mtiles * ntiles;
  const i64 T = os_steps(hw_, nm, t.kl);
  const bool starts_zero = t.run_start && !t.load_psum;
  auto mr_of = [&](i64 i) { return std::min(R, t.ml - i * R); };
  auto nc_of = [&](i64 j) { return std::min(C, t.nl - j * C); };
  const TileLayout layout = tile_layout(t, nm, half);  // (named copies: lambdas capture them)
  const u64 abase = layout.a, a_pitch = layout.a_pitch, bbase = layout.b, b_pitch = layout.b_pitch;
  reset_lanes(static_cast<std::size_t>(R + C));
  // Byte range of step s inside a compressed row of A (values and packed indices), the same in every row.
  std::vector<u64> a_step_lo(static_cast<std::size_t>(T)), a_step_hi(static_cast<std::size_t>(T));
  for (i64 s = 0; s < T; ++s) {
    a_step_lo[static_cast<std::size_t>(s)] = static_cast<u64>(kept(nm, s * span) * bits / 8);
    a_step_hi[static_cast<std::size_t>(s)] =
        static_cast<u64>(ceil_div(kept(nm, std::min(t.kl, (s + 1) * span)) * bits, 8));
  }
  // Byte range of step s inside a column of B (row_span activations), the same in every column.
  std::vector<u64> b_step_lo(static_cast<std::size_t>(T)), b_step_hi(static_cast<std::size_t>(T));
  for (i64 s = 0; s < T; ++s) {
    b_step_lo[static_cast<std::size_t>(s)] = static_cast<u64>(s * span * db);
    b_step_hi[static_cast<std::size_t>(s)] = static_cast<u64>(std::min(t.kl, (s + 1) * span) * db);
  }
  for (i64 r = 0; r < R; ++r) {  // row lanes: compressed A of row m, p kept values per step
    Lane& l = lanes_[static_cast<std::size_t>(r)];
    l.folds = folds;
    l.steps = T;
    l.step_lo = &a_step_lo;
    l.step_hi = &a_step_hi;
    l.fold_span = [&, r](i64 fold) {
      const i64 i = fold / ntiles;
      return FoldSpan{r < mr_of(i), abase + static_cast<u64>(i * R + r) * a_pitch, 0};
    };
  }
  for (i64 c = 0; c < C; ++c) {  // column lanes: row_span activations of column n per step
    Lane& l = lanes_[static_cast<std::size_t>(R + c)];
    l.folds = folds;
    l.steps = T;
    l.step_lo = &b_step_lo;
    l.step_hi = &b_step_hi;
    l.fold_span = [&, c](i64 fold) {
      const i64 j = fold % ntiles;
      return FoldSpan{c < nc_of(j), bbase + static_cast<u64>(j * C + c) * b_pitch, 0};
    };
  }
  const bool values = f != nullptr;
  const i64 nsamples = values ? static_cast<i64>(f->cols.size()) : 0;
  const i64 p_full = kept(nm, span), p_last = kept(nm, t.kl - (T - 1) * span);
  const i64 len_last = t.kl - (T - 1) * span;
  for (i64 fold = 0; fold < folds; ++fold) {
    const i64 i = fold / ntiles, jn = fold % ntiles, mr = mr_of(i), nc = nc_of(jn);
    // Sampled output columns of this fold and their accumulator registers (one per PE row).
    std::vector<std::pair<i64, i64>> sampled;  // (array column, sample index)
    if (values)
      for (i64 q = 0; q < nsamples; ++q) {
        const i64 c = f->cols[static_cast<std::size_t>(q)] - (t.n0 + jn * C);
        if (c >= 0 && c < nc) sampled.emplace_back(c, q);
      }
    std::vector<double> acc(sampled.size() * static_cast<std::size_t>(R), 0.0);  // the PEs' partial sums
    // Values ride with the lanes' FIFO entries: a row lane's entry carries its A row's kept weights of the
    // step (values and positions in the span) and moves right one PE a cycle; a column lane's carries the
    // step's activations of its B column and moves down. PE (r, c) meets the two of step a - r - c.
    // Each pipeline is a ring of registers, one entry per PE it spans (a row's entries reach its last column,
    // a column's its last row, within R + C steps), each entry with its step for checking.
    const i64 ring = R + C, slots = kept(nm, span);
    const bool carry = values;  // row entries carry their weights in every fold (waveforms show them)
    std::vector<double> row_value(carry ? static_cast<std::size_t>(R * ring * slots) : 0);
    std::vector<i64> row_position(row_value.size()), row_held(carry ? static_cast<std::size_t>(R * ring) : 0),
        row_step(row_held.size(), -1);
    std::vector<double> column_act(sampled.size() * static_cast<std::size_t>(ring * span));
    std::vector<i64> column_step(sampled.size() * static_cast<std::size_t>(ring), -1);
    std::vector<i64> sampled_at(carry ? static_cast<std::size_t>(C) : 0, -1);  // array column -> sampled index
    for (std::size_t q = 0; q < sampled.size(); ++q) sampled_at[static_cast<std::size_t>(sampled[q].first)] = q;
    auto row_entry = [&](i64 r, i64 step) {  // the step's compressed A of row r, as the GLB holds it
      const auto e = static_cast<std::size_t>(r * ring + step % ring);
      const i64 m = t.m0 + i * R + r, start = f->row_start[static_cast<std::size_t>(m)];
      const i64 q0 = start + kept(nm, t.k0 + step * span);
      const i64 q1 = start + kept(nm, std::min(f->K, t.k0 + std::min(t.kl, (step + 1) * span)));
      if (q1 - q0 > slots) throw std::logic_error("sat OS: a step holds more weights than a PE's multipliers");
      for (i64 x = q0; x < q1; ++x) {
        const i64 k = kept_position(nm, x - start, f->kept_idx[static_cast<std::size_t>(x)]);
        const auto slot = e * static_cast<std::size_t>(slots) + static_cast<std::size_t>(x - q0);
        row_value[slot] = f->kept_val[static_cast<std::size_t>(x)];
        row_position[slot] = k - (t.k0 + step * span);
      }
      row_held[e] = q1 - q0;
      row_step[e] = step;
    };
    auto column_entry = [&](std::size_t q, i64 step) {  // the step's activations of sampled column q
      const auto e = q * static_cast<std::size_t>(ring) + static_cast<std::size_t>(step % ring);
      const i64 k0 = t.k0 + step * span, k1 = std::min(f->K, t.k0 + std::min(t.kl, (step + 1) * span));
      for (i64 k = k0; k < k1; ++k)
        column_act[e * static_cast<std::size_t>(span) + static_cast<std::size_t>(k - k0)] =
            f->b[static_cast<std::size_t>(k * nsamples + sampled[q].second)];
      column_step[e] = step;
    };
    const i64 last = T - 1 + mr - 1 + nc - 1;  // the last PE's last step
    for (i64 a = 0; a <= last;) {
      advance_ = a;
      // Row lane r must inject step a - r, column lane c step a - c.
      bool ready = true;
      for (i64 r = 0; r < mr && ready; ++r)
        if (a - r >= 0 && a - r < T) ready = lane_has(lanes_[static_cast<std::size_t>(r)], fold, a - r);
      for (i64 c = 0; c < nc && ready; ++c)
        if (a - c >= 0 && a - c < T) ready = lane_has(lanes_[static_cast<std::size_t>(R + c)], fold, a - c);
      if (!ready) {
        tick(tally.stall_operand, true);
        continue;
      }
      for (i64 r = 0; r < mr; ++r)
        if (a - r >= 0 && a - r < T) {
          lanes_[static_cast<std::size_t>(r)].fifo.pop_front();
          if (carry) row_entry(r, a - r);
        }
      for (i64 c = 0; c < nc; ++c)
        if (a - c >= 0 && a - c < T) {
          lanes_[static_cast<std::size_t>(R + c)].fifo.pop_front();
          if (carry && sampled_at[static_cast<std::size_t>(c)] >= 0) {
            const auto q = static_cast<std::size_t>(sampled_at[static_cast<std::size_t>(c)]);
            column_entry(q, a - c);
          }
        }
      i64 active = 0, on_last = 0;
      for (i64 r = 0; r < R; ++r) {
        auto& row = valid_[static_cast<std::size_t>(r)];
        shift_in(row, r < mr && a - r >= 0 && a - r < T, C);
        active += count_used(row, nc);
        const i64 c_last = a - r - (T - 1);  // the PE of this row on its last step, if any
        if (c_last >= 0 && c_last < nc && bit_at(row, c_last)) ++on_last;
      }
      tally.macs += active * p_full - on_last * (p_full - p_last);
      tally.skipped_macs += active * (span - p_full) - on_last * ((span - p_full) - (len_last - p_last));
      for (std::size_t q = 0; q < sampled.size(); ++q) {
        const i64 c = sampled[q].first;
        for (i64 r = 0; r < mr; ++r) {
          const i64 step = a - r - c;
          if (step < 0 || step >= T) continue;
          const auto w = static_cast<std::size_t>(r * ring + step % ring);
          const auto x = q * static_cast<std::size_t>(ring) + static_cast<std::size_t>(step % ring);
          if (row_step[w] != step || column_step[x] != step)
            throw std::logic_error("sat OS: a PE's operands are not in the pipelines");
          // Each multiplier takes a kept weight and, through its M:1 selector, the activation at its position.
          double& sum = acc[q * static_cast<std::size_t>(R) + static_cast<std::size_t>(r)];
          const std::size_t base = w * static_cast<std::size_t>(slots);
          for (std::size_t v = base; v < base + static_cast<std::size_t>(row_held[w]); ++v)
            sum += row_value[v] *
                   column_act[x * static_cast<std::size_t>(span) + static_cast<std::size_t>(row_position[v])];
          if (const i64 pi = traced_value_pe(r, c); pi >= 0) {
            for (std::size_t v = base; v < base + static_cast<std::size_t>(std::min(row_held[w], hw_.pe_multipliers));
                 ++v)
              signals.pe_act[static_cast<std::size_t>(pi * hw_.pe_multipliers) + (v - base)] =
                  column_act[x * static_cast<std::size_t>(span) + static_cast<std::size_t>(row_position[v])];
            signals.pe_psum[static_cast<std::size_t>(pi)] = sum;
            signals.pe_carries[static_cast<std::size_t>(pi)] = 1;
          }
        }
      }
      if (trace_values_)  // the kept weights of the row entry passing each traced PE (0: none, or not carried)
        for (i64 tr = 0; tr < signals.rows; ++tr)
          for (i64 tc = 0; tc < signals.cols; ++tc) {
            const i64 r = signals.row0 + tr, c = signals.col0 + tc, step = a - r - c;
            const auto w = static_cast<std::size_t>(r * ring + (step >= 0 ? step % ring : 0));
            const bool held = carry && r < mr && c < nc && step >= 0 && step < T && row_step[w] == step;
            for (i64 q = 0; q < hw_.pe_multipliers; ++q)
              signals.pe_weight[static_cast<std::size_t>((tr * signals.cols + tc) * hw_.pe_multipliers + q)] =
                  held && q < row_held[w] ? row_value[w * static_cast<std::size_t>(slots) + static_cast<std::size_t>(q)]
                                          : 0.0;
          }
      tick(a < T ? tally.busy : tally.fill_drain, false);
      ++a;
    }
    // Accumulators leave through the column's accumulator bank (read-modify-write unless starting at 0).
    tally.obuf_writes += mr * nc;
    if (!starts_zero) tally.obuf_reads += mr * nc;
    for (std::size_t q = 0; q < sampled.size(); ++q)
      for (i64 r = 0; r < mr; ++r)
        f->out[static_cast<std::size_t>((t.m0 + i * R + r) * nsamples + sampled[q].second)] +=
            acc[q * static_cast<std::size_t>(R) + static_cast<std::size_t>(r)];
    for (auto& row : valid_) std::fill(row.begin(), row.end(), 0);
    std::fill(signals.pe_weight.begin(), signals.pe_weight.end(), 0.0);  // no row entry passes any PE now
    // The accumulators shift down their columns into the output buffer, one per column and cycle as the
    // column's read-modify-write pipeline takes them: after the fold (serial), or behind the next fold
    // (overlapped: into a second register per PE, which must be empty again before the fold ends).
    if (hw_.os_overlapped_drain)
      while (!obuf_drained()) tick(tally.stall_obuf, true);
    for (i64 c = 0; c < nc; ++c)
      for (i64 r = mr - 1; r >= 0; --r) {  // the bottom row first; slot: the column's B column, A row
        shift_out_[static_cast<std::size_t>(c)].push_back({obuf_address(c, jn * t.ml + i * R + r), !starts_zero});
        ++shifting_out_;
      }
    if (!hw_.os_overlapped_drain) {
      for (i64 x = 0; x < R; ++x) tick(tally.fill_drain, false);  // shift-out down the columns
      while (!obuf_drained()) tick(tally.stall_obuf, true);
    }
  }
}

}  // namespace sparsim::sat
