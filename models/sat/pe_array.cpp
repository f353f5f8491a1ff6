#include "models/sat/pe_array.hpp"

#include <algorithm>
#include <cmath>

#include "sim/energy.hpp"

namespace sparsim::sat {

namespace {
i64 now_cycle() { return static_cast<i64>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)); }

}  // namespace

PeArray::PeArray(const Hw& hw, bool detailed, StatsRegistry& registry)
    : macs(array.add("macs", "multiply-accumulates issued", mac_action(hw.data_bytes))),
      skipped_macs(array.add("skipped_macs", "dense MACs skipped because their weight is pruned (N:M)")),
      busy_cycles(array.add("busy_cycles", "cycles the array consumed an operand step")),
      stall_operand(array.add("stall_operand_cycles", "cycles waiting for the GLB to deliver a step's operands")),
      stall_bank(array.add("stall_bank_conflict_cycles",
                           "cycles waiting for a weight preload that lost GLB banks to the operand stream")),
      stall_obuf(array.add("stall_obuf_conflict_cycles",
                           "cycles a partial sum waited for its accumulator bank's full read-modify-write pipeline")),
      stall_fill_drain(array.add("stall_fill_drain_cycles", "pipeline fill, drain and first weight load")),
      stall_dram(array.add("stall_dram_cycles", "cycles waiting for a tile load or an output store (DRAM)")),
      stall_mask(array.add("stall_mask_cycles", "cycles waiting for the mask unit")),
      stall_gate(array.add("stall_gate_cycles", "cycles held by an outside block before a job (JobGate)")),
      glb_read_bytes(glb.add("read_bytes", "bytes read from the global buffer",
                             sram_read_action(static_cast<std::uint64_t>(hw.glb_capacity)))),
      glb_write_bytes(glb.add("write_bytes", "bytes written into the global buffer",
                              sram_write_action(static_cast<std::uint64_t>(hw.glb_capacity)))),
      glb_bank_accesses(glb.add("bank_accesses", "bank accesses (bank_width_bytes each)")),
      fifo_bytes(fifo.add("bytes", "bytes written into or read out of the edge operand FIFOs", "register_byte")),
      obuf_read_bytes(obuf.add("read_bytes", "partial-sum and output bytes read",
                               sram_read_action(static_cast<std::uint64_t>(hw.obuf_capacity)))),
      obuf_write_bytes(obuf.add("write_bytes", "partial-sum bytes written",
                                sram_write_action(static_cast<std::uint64_t>(hw.obuf_capacity)))),
      hw_(hw),
      detailed_(detailed),
      core_(hw) {
  registry.attach(array);
  registry.attach(glb);
  registry.attach(fifo);
  registry.attach(obuf);
}

void PeArray::add(const ArrayTally& t) {
  busy_cycles += static_cast<std::uint64_t>(t.busy);
  stall_operand += static_cast<std::uint64_t>(t.stall_operand);
  stall_bank += static_cast<std::uint64_t>(t.stall_bank);
  stall_obuf += static_cast<std::uint64_t>(t.stall_obuf);
  stall_fill_drain += static_cast<std::uint64_t>(t.fill_drain);
  macs += static_cast<std::uint64_t>(t.macs);
  skipped_macs += static_cast<std::uint64_t>(t.skipped_macs);
  glb_bank_accesses += static_cast<std::uint64_t>(t.glb_words);
  glb_read_bytes += static_cast<std::uint64_t>(t.glb_read_bytes);
  fifo_bytes += static_cast<std::uint64_t>(2 * t.fifo_bytes);
  obuf_read_bytes += static_cast<std::uint64_t>(t.obuf_reads * hw_.acc_bytes);
  obuf_write_bytes += static_cast<std::uint64_t>(t.obuf_writes * hw_.acc_bytes);
}

void PeArray::fast_ws(const GlbTile& t, Nm nm, FunctionalOp* f) {
  const i64 banks = hw_.glb_banks, db = hw_.data_bytes, kt = ws_k_tile(hw_, nm);
  const i64 mtiles = ceil_div(t.ml, hw_.cols), ktiles = ceil_div(t.kl, kt);
  const bool starts_zero = t.run_start && !t.load_psum;
  auto mc_of = [&](i64 i) { return std::min(hw_.cols, t.ml - i * hw_.cols); };
  auto kc_of = [&](i64 j) { return std::min(kt, t.kl - j * kt); };
  ArrayTally a;
  auto load = [&](i64 i, i64 j) {  // a weight load nothing overlaps: R row shifts while the banks deliver
    const i64 words = ws_weight_words(hw_, nm, mc_of(i), kc_of(j), t.kl);
    a.fill_drain += std::max(hw_.rows, ceil_div(words, banks));
    a.glb_words += words;
    a.glb_read_bytes += a_bytes(hw_, nm, mc_of(i), kc_of(j));
    a.fifo_bytes += a_bytes(hw_, nm, mc_of(i), kc_of(j));
  };
  load(0, 0);
  for (i64 i = 0; i < mtiles; ++i)
    for (i64 j = 0; j < ktiles; ++j) {
      const i64 mc = mc_of(i), kc = kc_of(j);
      const bool last = i == mtiles - 1 && j == ktiles - 1;
      const i64 ni = j + 1 < ktiles ? i : i + 1, nj = j + 1 < ktiles ? j + 1 : 0;
      const i64 words = ws_stream_words(hw_, kc, t.kl, t.nl), stream = ws_stream_cycles(hw_, kc, t.kl, t.nl);
      const i64 d = ws_fill_drain(hw_, mc);
      a.busy += t.nl;
      a.stall_operand += stream - t.nl;
      a.fill_drain += d;
      a.glb_words += words;
      a.glb_read_bytes += kc * db * t.nl;
      a.fifo_bytes += kc * db * t.nl;
      if (!last && hw_.ws_shadow_weights) {
        // The next fold's weights take the bank slots the stream leaves, then the drain's.
        const i64 next = ws_weight_words(hw_, nm, mc_of(ni), kc_of(nj), t.kl);
        const i64 rest = std::max<i64>(0, next - (stream * banks - words));
        a.stall_bank += std::max<i64>(0, ceil_div(rest, banks) - d);
        a.glb_words += next;
        a.glb_read_bytes += a_bytes(hw_, nm, mc_of(ni), kc_of(nj));
        a.fifo_bytes += a_bytes(hw_, nm, mc_of(ni), kc_of(nj));
      } else if (!last) {
        load(ni, nj);
      }
      a.obuf_writes += mc * t.nl;
      if (!(starts_zero && j == 0)) a.obuf_reads += mc * t.nl;
      // Columns sharing an accumulator bank (or single-ported banks) pass their partial sums slower than
      // the array makes them: the array holds for the difference over the fold's stream.
      a.stall_obuf += (obuf_sharing(hw_, mc) * obuf_bank_cycles(hw_, !(starts_zero && j == 0)) - 1) * t.nl;
      const i64 issued = mc * kept(nm, kc) * t.nl;
      a.macs += issued;
      a.skipped_macs += mc * kc * t.nl - issued;
      if (f) f->tile(t.m0 + i * hw_.cols, mc, t.k0 + j * kt, kc, t.n0, t.nl);
    }
  add(a);
  sc_core::wait(sc_core::sc_time(static_cast<double>(a.cycles()), sc_core::SC_NS));
}

void PeArray::fast_os(const GlbTile& t, Nm nm, FunctionalOp* f) {
  const i64 mtiles = ceil_div(t.ml, hw_.rows), ntiles = ceil_div(t.nl, hw_.cols);
  const i64 steps = os_steps(hw_, nm, t.kl);
  const bool starts_zero = t.run_start && !t.load_psum;
  ArrayTally a;
  double words = 0;
  for (i64 i = 0; i < mtiles; ++i)
    for (i64 j = 0; j < ntiles; ++j) {
      const i64 mr = std::min(hw_.rows, t.ml - i * hw_.rows), nc = std::min(hw_.cols, t.nl - j * hw_.cols);
      const bool held = j > 0;  // the row lanes read the same A rows for the previous fold
      const i64 stream = os_stream_cycles(hw_, nm, mr, nc, t.kl, held);
      a.busy += steps;
      a.stall_operand += stream - steps;
      a.fill_drain += os_fill_drain(hw_, mr, nc);
      const i64 bytes = mr * a_row_bytes(hw_, nm, t.kl) + nc * t.kl * hw_.data_bytes;
      words += os_fold_words(hw_, nm, mr, nc, t.kl, held);
      a.glb_read_bytes += bytes;
      a.fifo_bytes += bytes;
      a.obuf_writes += mr * nc;
      if (!starts_zero) a.obuf_reads += mr * nc;  // partial sums preloaded into the PEs
      // A bank takes the mr accumulators of each of its columns at its pace, within the R drain cycles
      // (serial: the columns' pipelines, kObufPipelineDepth each, hold some of the rest) or the next fold
      // (overlapped, taken as long as this one: at that pace the pipelines stay full), and the array waits
      // for the rest.
      const i64 sharing = obuf_sharing(hw_, nc);
      const i64 in_pipes = hw_.os_overlapped_drain ? 0 : sharing * std::min(mr, kObufPipelineDepth);
      const i64 shift = (sharing * mr - in_pipes) * obuf_bank_cycles(hw_, !starts_zero);
      const i64 window = hw_.os_overlapped_drain ? stream + os_fill_drain(hw_, mr, nc) : hw_.rows;
      a.stall_obuf += std::max<i64>(0, shift - window);
      const i64 issued = mr * nc * kept(nm, t.kl);
      a.macs += issued;
      a.skipped_macs += mr * nc * t.kl - issued;
      if (f) f->tile(t.m0 + i * hw_.rows, mr, t.k0, t.kl, t.n0 + j * hw_.cols, nc);
    }
  a.glb_words = static_cast<i64>(std::ceil(words));
  a.stall_operand += 1;  // the first steps wait one GLB read (later folds' steps are read ahead)
  add(a);
  sc_core::wait(sc_core::sc_time(static_cast<double>(a.cycles()), sc_core::SC_NS));
}

void PeArray::run_glb_tile(const GlbTile& t, Stationarity s, Nm nm, FunctionalOp* f) {
  const int half = half_;
  half_ ^= 1;
  if (!detailed_) {
    if (s == Stationarity::WeightStationary)
      fast_ws(t, nm, f);
    else
      fast_os(t, nm, f);
    return;
  }
  ArrayTally a;
  tile_start_ = now_cycle();
  tile_cycle_ = 0;
  core_.run_glb_tile(t, s, nm, half, f, a);
  add(a);
  const i64 rest = tile_start_ + a.cycles() - now_cycle();  // cycles not yet stepped for waveforms
  if (rest > 0) sc_core::wait(sc_core::sc_time(static_cast<double>(rest), sc_core::SC_NS));
}

void PeArray::attach_waves(ArrayWaves* waves, std::function<std::size_t()> dram_queue) {
  waves_ = waves;
  dram_queue_ = std::move(dram_queue);
  core_.on_cycle = [this] { trace_cycle(); };
}

void PeArray::trace_cycle() {
  const i64 cycle = tile_start_ + tile_cycle_++;  // the cycle the core just simulated
  if (!waves_->in_window(cycle)) return;
  const i64 behind = cycle - now_cycle();
  if (behind > 0) sc_core::wait(sc_core::sc_time(static_cast<double>(behind), sc_core::SC_NS));
  waves_->sample(core_.signals, dram_queue_ ? dram_queue_() : 0);
  sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS));
}

}  // namespace sparsim::sat
