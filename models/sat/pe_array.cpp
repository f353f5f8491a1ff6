#include "models/sat/pe_array.hpp"

#include <algorithm>

#include "sim/energy.hpp"

namespace sparsim::sat {

namespace {
std::string mac_action(i64 data_bytes) {
  return data_bytes == 1 ? "mac_int8" : data_bytes == 4 ? "mac_fp32" : "mac_fp16";
}
}  // namespace

PeArray::PeArray(const Hw& hw, bool detailed, StatsRegistry& registry)
    : macs(array.add("macs", "multiply-accumulates issued", mac_action(hw.data_bytes))),
      skipped_macs(array.add("skipped_macs", "dense MACs skipped because their weight is pruned (N:M)")),
      busy_cycles(array.add("busy_cycles", "cycles the array consumed an operand step")),
      stall_operand(array.add("stall_operand_cycles", "cycles waiting for the GLB to deliver a step's operands")),
      stall_bank(array.add("stall_bank_conflict_cycles",
                           "cycles waiting for a weight preload that lost GLB banks to the operand stream")),
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
      detailed_(detailed) {
  registry.attach(array);
  registry.attach(glb);
  registry.attach(fifo);
  registry.attach(obuf);
}

void PeArray::tick() { sc_core::wait(sc_core::sc_time(1, sc_core::SC_NS)); }

void PeArray::flush() {
  if (pending_ > 0) sc_core::wait(sc_core::sc_time(static_cast<double>(pending_), sc_core::SC_NS));
  pending_ = 0;
}

void PeArray::preload(i64 p) {
  const i64 banks = hw_.glb_banks;
  if (!detailed_) {
    const i64 c = std::max(hw_.rows, ceil_div(p, banks));
    stall_fill_drain += c;
    pending_ += c;
    return;
  }
  // Weights shift in one row per cycle while the banks deliver them; both must finish.
  for (i64 cycle = 0, left = p; cycle < hw_.rows || left > 0; ++cycle) {
    left -= std::min(banks, left);
    ++stall_fill_drain;
    tick();
  }
}

void PeArray::ws_tile(i64 u, i64 steps, i64 p_next, i64 d) {
  const i64 banks = hw_.glb_banks;
  if (!detailed_) {
    const i64 c = ceil_div(u, banks);
    const i64 leftover = steps * (c * banks - u);
    const i64 rest = std::max<i64>(0, p_next - leftover);
    const i64 exposed = std::max<i64>(0, ceil_div(rest, banks) - d);
    busy_cycles += steps;
    stall_operand += steps * (c - 1);
    stall_fill_drain += d;
    stall_bank += exposed;
    pending_ += steps * c + d + exposed;
    return;
  }
  // Each cycle the banks serve the pending column window first; slots it leaves go to the preload.
  i64 col_left = u, cols = steps, pre = p_next;
  while (cols > 0) {
    i64 slots = banks;
    const i64 take = std::min(slots, col_left);
    col_left -= take;
    slots -= take;
    pre -= std::min(slots, pre);
    if (col_left == 0) {
      ++busy_cycles;
      --cols;
      col_left = u;
    } else {
      ++stall_operand;
    }
    tick();
  }
  for (i64 left = d; left > 0 || pre > 0;) {
    pre -= std::min(banks, pre);
    if (left > 0) {
      --left;
      ++stall_fill_drain;
    } else {
      ++stall_bank;
    }
    tick();
  }
}

void PeArray::os_tile(i64 u, i64 steps, i64 d) {
  const i64 banks = hw_.glb_banks;
  if (!detailed_) {
    const i64 c = ceil_div(u, banks);
    busy_cycles += steps;
    stall_operand += steps * (c - 1);
    stall_fill_drain += d;
    pending_ += steps * c + d;
    return;
  }
  i64 step_left = u;
  for (i64 s = steps; s > 0;) {
    step_left -= std::min(banks, step_left);
    if (step_left == 0) {
      ++busy_cycles;
      --s;
      step_left = u;
    } else {
      ++stall_operand;
    }
    tick();
  }
  for (i64 left = d; left > 0; --left) {
    ++stall_fill_drain;
    tick();
  }
}

void PeArray::run_glb_tile(const GlbTile& t, Stationarity s, Nm nm, FunctionalOp* f) {
  const i64 db = hw_.data_bytes, acc = hw_.acc_bytes, w = hw_.glb_bank_width;
  const i64 d = fill_drain_cycles(hw_, s);
  const bool starts_zero = t.run_start && !t.load_psum;
  if (s == Stationarity::WeightStationary) {
    const i64 kt = ws_k_tile(hw_, nm);
    const i64 mtiles = ceil_div(t.ml, hw_.cols), ktiles = ceil_div(t.kl, kt);
    auto mc_of = [&](i64 i) { return std::min(hw_.cols, t.ml - i * hw_.cols); };
    auto kc_of = [&](i64 j) { return std::min(kt, t.kl - j * kt); };
    const i64 first = ws_preload_slots(hw_, nm, mc_of(0), kc_of(0));
    preload(first);
    glb_bank_accesses += first;
    glb_read_bytes += a_bytes(hw_, nm, mc_of(0), kc_of(0));
    for (i64 i = 0; i < mtiles; ++i)
      for (i64 j = 0; j < ktiles; ++j) {
        const i64 mc = mc_of(i), kc = kc_of(j);
        const bool last = i == mtiles - 1 && j == ktiles - 1;
        const i64 ni = j + 1 < ktiles ? i : i + 1, nj = j + 1 < ktiles ? j + 1 : 0;
        const i64 p_next = last ? 0 : ws_preload_slots(hw_, nm, mc_of(ni), kc_of(nj));
        const i64 u = ws_step_slots(hw_, kc);
        ws_tile(u, t.nl, p_next, d);
        // Operand traffic: the B window per column, the next tile's weights, partial sums.
        const i64 window = kc * db;
        glb_bank_accesses += u * t.nl + p_next;
        glb_read_bytes += window * t.nl + (last ? 0 : a_bytes(hw_, nm, mc_of(ni), kc_of(nj)));
        fifo_bytes += 2 * (window * t.nl + (last ? 0 : a_bytes(hw_, nm, mc_of(ni), kc_of(nj))));
        obuf_write_bytes += mc * t.nl * acc;
        if (!(starts_zero && j == 0)) obuf_read_bytes += mc * t.nl * acc;
        const i64 issued = mc * kept(nm, kc) * t.nl;
        macs += issued;
        skipped_macs += mc * kc * t.nl - issued;
        if (f) f->tile(t.m0 + i * hw_.cols, mc, t.k0 + j * kt, kc, t.n0, t.nl);
      }
  } else {
    const i64 mtiles = ceil_div(t.ml, hw_.rows), ntiles = ceil_div(t.nl, hw_.cols);
    const i64 steps = os_steps(hw_, nm, t.kl);
    for (i64 i = 0; i < mtiles; ++i)
      for (i64 j = 0; j < ntiles; ++j) {
        const i64 mr = std::min(hw_.rows, t.ml - i * hw_.rows), nc = std::min(hw_.cols, t.nl - j * hw_.cols);
        const i64 u = os_step_slots(hw_, nm, mr, nc);
        os_tile(u, steps, d);
        const i64 bytes = os_step_bytes(hw_, nm, mr, nc) * steps;
        glb_bank_accesses += u * steps;
        glb_read_bytes += bytes;
        fifo_bytes += 2 * bytes;
        obuf_write_bytes += mr * nc * acc;
        if (!starts_zero) obuf_read_bytes += mr * nc * acc;  // partial sums preloaded into the PEs
        const i64 issued = mr * nc * kept(nm, t.kl);
        macs += issued;
        skipped_macs += mr * nc * t.kl - issued;
        if (f) f->tile(t.m0 + i * hw_.rows, mr, t.k0, t.kl, t.n0 + j * hw_.cols, nc);
      }
  }
  (void)w;
  flush();
}

}  // namespace sparsim::sat
