#include "models/cdma/stage.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/memory/dram_module.hpp"
#include "sim/timeline.hpp"

namespace sparsim::cdma {

std::uint64_t StageClock::cycles_for(std::uint64_t bytes) {
  const std::uint64_t work = bytes * Rate::kDen;
  if (work <= credit) {
    credit -= work;
    return 1;
  }
  const std::uint64_t need = work - credit;
  const std::uint64_t cycles = (need + rate_.num - 1) / rate_.num;
  credit = cycles * rate_.num - need;
  return cycles;
}

Stage::Stage(sc_core::sc_module_name name, const StageSpec& spec, TimingMode mode, const std::string& block)
    : sc_core::sc_module(name),
      spec_(spec),
      stats_(block),
      mode_(mode),
      clock_(spec.rate),
      chunks_(stats_.add("chunks", "DMA chunks that passed the " + spec.name + " stage")),
      bytes_(stats_.add("bytes", "payload bytes through the " + spec.name + " stage",
                        spec.pcie || spec.device ? "" : spec.energy_action)),
      // A link stage's wire energy is charged by the PCIe block it drives (its own wire counters).
      wire_bytes_(stats_.add("wire_bytes", "bytes on the wire incl. packet overhead (link stages)",
                             spec.pcie && !spec.link ? spec.energy_action : "")),
      busy_cycles_(stats_.add("busy_cycles", "cycles the " + spec.name + " stage was transferring")) {
  SC_THREAD(run);
}

void Stage::run() {
  const sc_core::sc_time cycle(1, sc_core::SC_NS);
  for (;;) {
    Chunk c = in.read();
    const auto now = static_cast<std::uint64_t>(sc_core::sc_time_stamp() / cycle);
    if (c.ready_at > now) wait(static_cast<double>(c.ready_at - now), sc_core::SC_NS);
    const std::uint64_t payload = spec_.packed ? c.packed_bytes : c.raw_bytes;
    const std::uint64_t wire = spec_.pcie ? spec_.pcie->wire_bytes(payload) : payload;
    if (spec_.link) {
      // The chunk crosses the PCIe block: the stage is busy while its TLPs leave the device, and the chunk
      // is usable downstream when its last byte has arrived.
      // Busy cycles: the wire time of the chunk's data TLPs (a read's stage only sends the requests).
      const auto sent = static_cast<std::uint64_t>(sc_core::sc_time_stamp() / cycle);
      const sc_core::sc_time arrives = spec_.link_reads ? spec_.link->read(payload) : spec_.link->write(payload);
      // Chunks less than kLinkMergeGap cycles apart merge into one slice (its args: busy cycles, bytes):
      // tens of microseconds, far below a tensor's transfer, keep a zlib run's file at a few MB.
      constexpr std::uint64_t kLinkMergeGap = 50000;
      if (Timeline* tl = active_timeline(); tl && !track_.empty())
        tl->merge(track_, spec_.link_reads ? "reads" : "writes", sent,
                  std::max(sent + 1, static_cast<std::uint64_t>(sc_core::sc_time_stamp() / cycle)), kLinkMergeGap,
                  wire);
      ++chunks_;
      bytes_ += payload;
      wire_bytes_ += wire;
      busy_cycles_ += clock_.cycles_for(wire);
      c.ready_at = static_cast<std::uint64_t>(std::ceil(arrives / cycle - 1e-9));
      out.write(c);
      continue;
    }
    if (spec_.device) {
      // The chunk's raw bytes through the device DRAM, where they meet the compute's traffic.
      memory::DramModule* dram = spec_.device->dram;
      if (!dram) throw std::logic_error("cdma: the accelerator set no device memory for the DMA engine");
      const std::uint64_t t0 = static_cast<std::uint64_t>(sc_core::sc_time_stamp() / cycle);
      dram->transfer(c.address, payload, spec_.device_write);
      std::uint64_t took = static_cast<std::uint64_t>(sc_core::sc_time_stamp() / cycle) - t0;
      if (took == 0) {  // at least one cycle, so counters commit after a timed wait (below)
        wait(cycle);
        took = 1;
      }
      pass_on(c, payload, wire, took);
      continue;
    }
    // A chunk occupies the stage for at least one cycle (one chunk per cycle at most), so counters are only
    // committed right after a timed wait: the first delta of an instant, the same in both modes.
    const std::uint64_t cycles = clock_.cycles_for(wire);
    if (mode_ == TimingMode::Fast) {
      wait(static_cast<double>(cycles), sc_core::SC_NS);
    } else {
      for (std::uint64_t k = 0; k < cycles; ++k) wait(cycle);  // tick; nothing else changes inside a chunk
    }
    pass_on(c, payload, wire, cycles);
  }
}

// Counters are committed when the chunk leaves the stage, in both modes; it is usable downstream after the
// stage's latency.
void Stage::pass_on(Chunk c, std::uint64_t payload, std::uint64_t wire, std::uint64_t busy) {
  ++chunks_;
  bytes_ += payload;
  wire_bytes_ += wire;
  busy_cycles_ += busy;
  c.ready_at =
      static_cast<std::uint64_t>(sc_core::sc_time_stamp() / sc_core::sc_time(1, sc_core::SC_NS)) + spec_.latency_cycles;
  out.write(c);
}

}  // namespace sparsim::cdma
