#pragma once
// The organisation and command timing of one DRAM/HBM system, in memory-clock cycles (tCK). Presets carry
// JEDEC-style datasheet numbers with their sources (docs/memory.md); every field can be overridden from a
// config (memory.dram.*) or read from a DRAMSim3 .ini file.
#include <cstdint>
#include <string>
#include <vector>

namespace sparsim::memory {

using i64 = std::int64_t;

struct DramSpec {
  std::string name = "DDR4_3200";
  std::string protocol = "DDR4";  // DDR4, LPDDR4, HBM2, HBM3, GDDR5X: only names it in reports
  // Organisation. A channel is an independent command/data bus (an HBM pseudo-channel counts as one).
  int channels = 1;
  int ranks = 1;
  int bankgroups = 4;
  int banks_per_group = 4;
  i64 rows = 65536;
  i64 columns = 1024;           // columns per row of one device, in device_width-bit units
  int device_width = 8;         // bits per device
  int bus_width = 64;           // bits of the channel's data bus
  int burst_length = 8;         // transfers per burst
  int transfers_per_clock = 2;  // 2 for DDR interfaces, 8 for GDDR5X (WCK at 2x CK, DDR on WCK... x2)
  double tck_ns = 0.625;        // command clock period
  // Timing, in tCK.
  int CL = 22, CWL = 16, tRCD = 22, tRP = 22, tRAS = 52, tRFC = 560, tREFI = 12480;
  int tRRD_S = 4, tRRD_L = 8, tCCD_S = 4, tCCD_L = 8, tFAW = 34, tWR = 24, tWTR_S = 4, tWTR_L = 12, tRTP = 12;
  int tRTRS = 2;  // rank-to-rank data-bus switch
  // Controller.
  std::string address_mapping = "rochrababgco";  // fields from the most to the least significant bits
  int queue_size = 32;                           // read queue and write queue entries per channel
  bool open_page = true;
  int write_high_watermark = 24, write_low_watermark = 8;  // drain writes from high down to low
  bool refresh = true;
  // GPU-style address hashing: the channel digit is rotated by a hash of the address digits above it, so
  // a large power-of-two stride (a tile column of a row-major matrix) spreads over every channel instead of
  // camping on a few. Off in the presets (DRAMSim3 has no hashing); the GPU model turns it on.
  bool hash_channels = false;

  // Derived.
  int banks() const { return bankgroups * banks_per_group; }
  int burst_cycles() const { return burst_length / transfers_per_clock; }
  i64 burst_bytes() const { return static_cast<i64>(bus_width) / 8 * burst_length; }
  i64 row_bytes() const { return columns * bus_width / 8; }  // one rank's row (page) across its devices
  i64 bursts_per_row() const { return columns / burst_length; }
  i64 channel_bytes() const { return static_cast<i64>(ranks) * banks() * rows * row_bytes(); }
  i64 capacity_bytes() const { return channel_bytes() * channels; }
  int tRC() const { return tRAS + tRP; }
  // An unloaded read to a closed bank: ACT, RD, data.
  int idle_read_cycles() const { return tRCD + CL + burst_cycles(); }
  // Energy-table family of the protocol: dram_<family>_{activate,read_byte,write_byte,refresh}.
  std::string energy_family() const;
  double peak_gbps() const { return static_cast<double>(burst_bytes()) * channels / (burst_cycles() * tck_ns); }
};

// Names of the built-in presets, and one by name (nullptr if unknown).
const std::vector<std::string>& dram_preset_names();
const DramSpec* dram_preset(const std::string& name);
// Where a preset's numbers come from (one line, for docs and reports).
std::string dram_preset_source(const std::string& name);

// Checks the organisation and the timing for impossible values. Returns "" when sound, else the field name
// and why, as "field: reason" (the caller adds file and line).
std::string check_dram_spec(const DramSpec& s);

}  // namespace sparsim::memory
