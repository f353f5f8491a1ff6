#include "models/scnn/scnn_stats.hpp"

#include "sim/energy.hpp"

namespace sparsim::scnn {

namespace {
std::uint64_t acc_capacity_bytes(const ScnnParams& p) {
  return static_cast<std::uint64_t>(p.grid.acc_entries()) * static_cast<std::uint64_t>((p.acc_bits + 7) / 8);
}
}  // namespace

// 16-bit multiply with 24-bit accumulate: the table's 16-bit MAC (mac_fp16, Horowitz's fp16 multiply plus
// add) is the closest action; the accumulator bank's read-modify-write is charged separately as SRAM bytes.
VariantStats::VariantStats(const std::string& v, const ScnnParams& p)
    : mult(v + ".mult"),
      xbar(v + ".crossbar"),
      acc(v + ".acc"),
      iaram(v + ".iaram"),
      oaram(v + ".oaram"),
      wfifo(v + ".wfifo"),
      ppu(v + ".ppu"),
      halo(v + ".halo"),
      dram(v + ".dram"),
      mults(mult.add("multiplies", "products computed by the multiplier arrays", "mac_fp16")),
      mults_gated(mult.add("gated", "multiplies skipped by zero gating (no energy)")),
      mults_discarded(mult.add("discarded", "products computed whose output coordinate is outside the chunk")),
      // A filtered WU pair costs the coordinate unit two range compares of its kernel offset (one int add each).
      wu_filtered(mult.add("wu_filtered", "WU candidate pairs filtered (kernel offset outside R x S), never multiplied",
                           "add_int32")),
      busy_pe_cycles(mult.add("busy_pe_cycles", "PE-cycles with the multiplier array working or stalled")),
      conflict_pe_cycles(mult.add("conflict_pe_cycles", "PE-cycles stalled by accumulator bank conflicts")),
      barrier_pe_cycles(mult.add("barrier_pe_cycles", "PE-cycles idle at the group barrier (load imbalance)")),
      weight_wait_pe_cycles(
          mult.add("weight_wait_pe_cycles", "PE-cycles the whole grid waited for the weight bus (DCNN, DCNN-opt)")),
      xbar_bytes(xbar.add("bytes", "partial-sum bytes routed to accumulator banks", "crossbar_byte")),
      acc_read_bytes(acc.add("read_bytes", "accumulator bank bytes read", sram_read_action(acc_capacity_bytes(p)))),
      acc_write_bytes(
          acc.add("write_bytes", "accumulator bank bytes written", sram_write_action(acc_capacity_bytes(p)))),
      iaram_read_bytes(iaram.add("read_bytes", "input-activation RAM bytes read",
                                 sram_read_action(static_cast<std::uint64_t>(p.grid.iaram_bytes)))),
      iaram_write_bytes(iaram.add("write_bytes", "input-activation RAM bytes written (loads from DRAM)",
                                  sram_write_action(static_cast<std::uint64_t>(p.grid.iaram_bytes)))),
      oaram_read_bytes(oaram.add("read_bytes", "output-activation RAM bytes read (spills to DRAM)",
                                 sram_read_action(static_cast<std::uint64_t>(p.grid.oaram_bytes)))),
      oaram_write_bytes(oaram.add("write_bytes", "output-activation RAM bytes written by the PPU",
                                  sram_write_action(static_cast<std::uint64_t>(p.grid.oaram_bytes)))),
      wfifo_read_bytes(wfifo.add("read_bytes", "weight FIFO bytes read", "register_byte")),
      wfifo_write_bytes(wfifo.add("write_bytes", "weight FIFO bytes written", "register_byte")),
      ppu_outputs(ppu.add("outputs", "outputs rectified (a 24-bit compare, as an add)", "add_int32")),
      halo_bytes(halo.add("bytes", "halo bytes sent between neighbouring PEs", "crossbar_byte")),
      halo_adds(halo.add("adds", "halo partial sums added into the owner's accumulator", "add_int32")),
      // Payload bytes by kind; the DRAM block ("dram") counts the bursts moved and charges their energy.
      dram_weight_bytes(dram.add("weight_bytes", "weight bytes read from DRAM")),
      dram_act_read_bytes(dram.add("act_read_bytes", "activation bytes read from DRAM")),
      dram_act_write_bytes(dram.add("act_write_bytes", "activation bytes written to DRAM")),
      dram_weight_value_bits(
          dram.add("weight_value_bits", "weight value bits read from DRAM (FF/BP; SCNN: zero placeholders too)")),
      dram_weight_index_bits(dram.add("weight_index_bits",
                                      "weight index bits read from DRAM (FF/BP; SCNN: zero-run indices, or the "
                                      "block positions of a coarse-grained format)")) {}

void VariantStats::attach(StatsRegistry& reg) {
  for (StatGroup* g : {&mult, &xbar, &acc, &iaram, &oaram, &wfifo, &ppu, &halo, &dram}) reg.attach(*g);
}

}  // namespace sparsim::scnn
