#include "models/memory/dram_spec.hpp"

#include <cmath>
#include <map>

namespace sparsim::memory {

namespace {

// Datasheet timings are given in ns; the controller counts tCK. JEDEC rounds up (nCK = ceil(t / tCK)).
int ck(double ns, double tck) { return static_cast<int>(std::ceil(ns / tck - 1e-9)); }

struct Preset {
  DramSpec spec;
  std::string source;
};

Preset ddr4_3200() {
  // DDR4-3200AA (22-22-22), 8 Gb x8 devices, one rank of eight devices on a 64-bit channel.
  DramSpec s;
  s.name = "DDR4_3200";
  s.protocol = "DDR4";
  // Bank groups in the lowest bits: a stream alternates groups (tCCD_S) instead of waiting tCCD_L.
  s.address_mapping = "rorabacochbg";
  return {s,
          "JEDEC JESD79-4B DDR4-3200AA speed bin, 8 Gb x8 (1 KB page); the timing values of DRAMSim3's "
          "DDR4_8Gb_x8_3200.ini (one rank)"};
}

Preset lpddr4_3200() {
  DramSpec s;
  const double t = 0.625;
  s.name = "LPDDR4_3200";
  s.protocol = "LPDDR4";
  s.bankgroups = 1;
  s.banks_per_group = 8;
  s.rows = 65536;
  s.columns = 1024;
  s.device_width = 16;
  s.bus_width = 16;
  s.burst_length = 16;
  s.tck_ns = t;
  s.CL = 28;   // RL, set A, DBI off
  s.CWL = 14;  // WL, set A
  s.tRCD = ck(18, t);
  s.tRP = ck(18, t);  // per-bank precharge
  s.tRAS = ck(42, t);
  s.tRFC = ck(280, t);  // tRFCab, 8 Gb per channel
  s.tREFI = ck(3904, t);
  s.tRRD_S = s.tRRD_L = ck(10, t);
  s.tCCD_S = s.tCCD_L = 8;  // BL16 / 2
  s.tFAW = ck(40, t);
  s.tWR = ck(18, t);
  s.tWTR_S = s.tWTR_L = ck(10, t);
  s.tRTP = ck(7.5, t);
  s.address_mapping = "rorabacochbg";  // as DDR4's; with no bank groups, channels interleave per burst
  return {s, "JEDEC JESD209-4 LPDDR4-3200, one x16 channel of an 8 Gb/channel die (no bank groups)"};
}

// HBM in pseudo-channel mode: every pseudo-channel is an independent 64-bit (HBM2) or 32-bit (HBM3)
// channel of the controller. One stack per preset; configs scale `channels` to their stacks.
DramSpec hbm_common(const std::string& name, double gbps_per_pin, int bus_width, int burst_length, int channels) {
  DramSpec s;
  const double t = 2.0 / gbps_per_pin;
  s.name = name;
  s.protocol = name.substr(0, 4) == "HBM3" ? "HBM3" : "HBM2";
  s.channels = channels;
  s.bankgroups = 4;
  s.banks_per_group = 4;
  s.rows = 32768;
  s.device_width = bus_width;
  s.bus_width = bus_width;
  s.columns = 1024 * 8 / bus_width;  // 1 KB page per pseudo-channel
  s.burst_length = burst_length;
  s.tck_ns = t;
  s.CL = ck(14, t);
  s.CWL = ck(4, t);
  s.tRCD = ck(14, t);
  s.tRP = ck(14, t);
  s.tRAS = ck(33, t);
  s.tRFC = ck(350, t);
  s.tREFI = ck(3900, t);
  s.tRRD_S = std::max(2, ck(4, t));
  s.tRRD_L = std::max(2, ck(6, t));
  s.tCCD_S = s.burst_cycles();
  s.tCCD_L = std::max(s.burst_cycles(), ck(4, t));
  s.tFAW = ck(16, t);
  s.tWR = ck(16, t);
  s.tWTR_S = ck(2.5, t);
  s.tWTR_L = ck(7.5, t);
  s.tRTP = ck(5, t);
  // Bank groups lowest (a stream alternates groups), then channels: consecutive 128-256 B go to one
  // channel's four groups, the next to the next channel.
  s.address_mapping = "rorabacochbg";
  return s;
}

Preset hbm2() {
  return {hbm_common("HBM2", 2.0, 64, 4, 16),
          "JEDEC JESD235A HBM2 class: 2.0 Gb/s per pin, 8 channels x 2 pseudo-channels of 64 bits per stack "
          "(256 GB/s), BL4, 16 banks in 4 bank groups; core timings typical of JESD235 parts (docs/memory.md)"};
}

Preset hbm2e() {
  return {hbm_common("HBM2E", 3.2, 64, 4, 16),
          "HBM2E: HBM2 organisation at 3.2 Gb/s per pin (410 GB/s per stack), the same core timings in ns"};
}

Preset hbm3() {
  return {hbm_common("HBM3", 6.4, 32, 8, 32),
          "JEDEC JESD238 HBM3 class: 6.4 Gb/s per pin, 16 channels x 2 pseudo-channels of 32 bits per stack "
          "(819 GB/s), BL8; core timings in ns as HBM2 (docs/memory.md)"};
}

// The HBM of a whole GPU: its stacks' pseudo-channels at the product's pin rate (datasheet bandwidth over
// the bus width), with the memory controller's channel hashing on.
DramSpec gpu_hbm(DramSpec s, const std::string& name) {
  s.name = name;
  s.hash_channels = true;
  s.address_mapping = "rorabgbachco";
  return s;
}

Preset hbm3e_h200() {
  return {gpu_hbm(hbm_common("HBM3E_H200", 6.25, 32, 8, 192), "HBM3E_H200"),
          "NVIDIA H200 SXM: 6 HBM3e stacks (6144-bit bus) at 4.8 TB/s (datasheet), i.e. 6.25 Gb/s per pin, "
          "192 pseudo-channels of 32 bits; HBM3 core timings; channel hashing on"};
}

Preset hbm3_h100() {
  return {gpu_hbm(hbm_common("HBM3_H100", 5.234, 32, 8, 160), "HBM3_H100"),
          "NVIDIA H100 SXM5: 5 active HBM3 stacks (5120-bit bus) at 3.35 TB/s (datasheet), i.e. 5.23 Gb/s per "
          "pin, 160 pseudo-channels of 32 bits; HBM3 core timings; channel hashing on"};
}

Preset hbm2e_a100() {
  return {gpu_hbm(hbm_common("HBM2E_A100", 3.186, 64, 4, 80), "HBM2E_A100"),
          "NVIDIA A100 SXM4 80 GB: 5 HBM2e stacks (5120-bit bus) at 2.039 TB/s (datasheet), i.e. 3.19 Gb/s per "
          "pin, 80 pseudo-channels of 64 bits; HBM2 core timings; channel hashing on"};
}

Preset gddr5x() {
  // Titan X (Pascal): 384-bit bus of twelve x32 GDDR5X devices at 10 Gb/s per pin (480 GB/s). A command
  // clock of 1.25 GHz; data moves at 8 transfers per CK (QDR on a WCK of twice CK).
  DramSpec s;
  const double t = 0.8;
  s.name = "GDDR5X";
  s.protocol = "GDDR5X";
  s.channels = 12;
  s.bankgroups = 4;
  s.banks_per_group = 4;
  s.rows = 16384;
  s.device_width = 32;
  s.bus_width = 32;
  s.columns = 512;  // 2 KB page
  s.burst_length = 16;
  s.transfers_per_clock = 8;
  s.tck_ns = t;
  s.CL = ck(15, t);
  s.CWL = ck(5, t);
  s.tRCD = ck(14, t);
  s.tRP = ck(14, t);
  s.tRAS = ck(28, t);
  s.tRFC = ck(220, t);
  s.tREFI = ck(1900, t);
  s.tRRD_S = ck(5.5, t);
  s.tRRD_L = ck(5.5, t);
  s.tCCD_S = 2;
  s.tCCD_L = 3;
  s.tFAW = ck(23, t);
  s.tWR = ck(15, t);
  s.tWTR_S = ck(5, t);
  s.tWTR_L = ck(7.5, t);
  s.tRTP = ck(5, t);
  s.address_mapping = "rorabacochbg";
  return {s,
          "Micron GDDR5X (MT58K256M32) class: 10 Gb/s per pin, 12 x32 channels = 480 GB/s as on the Titan X "
          "(Pascal); timings typical of the datasheet (docs/memory.md)"};
}

const std::map<std::string, Preset>& presets() {
  static const std::map<std::string, Preset> all = {{"DDR4_3200", ddr4_3200()},
                                                    {"LPDDR4_3200", lpddr4_3200()},
                                                    {"HBM2", hbm2()},
                                                    {"HBM2E", hbm2e()},
                                                    {"HBM3", hbm3()},
                                                    {"GDDR5X", gddr5x()},
                                                    {"HBM3E_H200", hbm3e_h200()},
                                                    {"HBM3_H100", hbm3_h100()},
                                                    {"HBM2E_A100", hbm2e_a100()}};
  return all;
}

bool power_of_two(i64 v) { return v > 0 && (v & (v - 1)) == 0; }

}  // namespace

std::string DramSpec::energy_family() const {
  const std::string& p = protocol;
  if (p.rfind("LPDDR", 0) == 0) return "lpddr";
  if (p.rfind("GDDR", 0) == 0) return "gddr";
  if (p.rfind("HBM3", 0) == 0) return "hbm3";
  if (p.rfind("HBM", 0) == 0) return "hbm";
  return "ddr";
}

const std::vector<std::string>& dram_preset_names() {
  static const std::vector<std::string> names = {"DDR4_3200", "LPDDR4_3200", "HBM2",      "HBM2E",     "HBM3",
                                                 "GDDR5X",    "HBM2E_A100",  "HBM3_H100", "HBM3E_H200"};
  return names;
}

const DramSpec* dram_preset(const std::string& name) {
  const auto it = presets().find(name);
  return it == presets().end() ? nullptr : &it->second.spec;
}

std::string dram_preset_source(const std::string& name) {
  const auto it = presets().find(name);
  return it == presets().end() ? "" : it->second.source;
}

std::string check_dram_spec(const DramSpec& s) {
  auto pow2 = [](const char* field, i64 v) -> std::string {
    return power_of_two(v) ? "" : std::string(field) + ": must be a power of two (got " + std::to_string(v) + ")";
  };
  for (const auto& [field, v] :
       std::initializer_list<std::pair<const char*, i64>>{{"ranks", s.ranks},
                                                          {"bankgroups", s.bankgroups},
                                                          {"banks_per_group", s.banks_per_group},
                                                          {"rows", s.rows},
                                                          {"columns", s.columns},
                                                          {"burst_length", s.burst_length},
                                                          {"bus_width", s.bus_width}})
    if (auto e = pow2(field, v); !e.empty()) return e;
  if (s.channels < 1) return "channels: at least 1";
  if (s.bus_width < 8) return "bus_width: at least 8 bits";
  if (s.device_width <= 0 || s.bus_width % s.device_width != 0)
    return "device_width: must divide bus_width (" + std::to_string(s.bus_width) + ")";
  if (s.transfers_per_clock <= 0 || s.burst_length % s.transfers_per_clock != 0)
    return "transfers_per_clock: must divide burst_length (" + std::to_string(s.burst_length) + ")";
  if (s.columns < s.burst_length) return "columns: fewer than one burst per row";
  if (!(s.tck_ns > 0) || !std::isfinite(s.tck_ns)) return "tck_ns: must be positive";
  for (const auto& [field, v] : std::initializer_list<std::pair<const char*, int>>{{"CL", s.CL},
                                                                                   {"tRCD", s.tRCD},
                                                                                   {"tRP", s.tRP},
                                                                                   {"tRAS", s.tRAS},
                                                                                   {"tCCD_S", s.tCCD_S},
                                                                                   {"tCCD_L", s.tCCD_L},
                                                                                   {"tRRD_S", s.tRRD_S},
                                                                                   {"tRRD_L", s.tRRD_L}})
    if (v < 1) return std::string(field) + ": must be at least 1 cycle";
  for (const auto& [field, v] : std::initializer_list<std::pair<const char*, int>>{{"CWL", s.CWL},
                                                                                   {"tFAW", s.tFAW},
                                                                                   {"tWR", s.tWR},
                                                                                   {"tWTR_S", s.tWTR_S},
                                                                                   {"tWTR_L", s.tWTR_L},
                                                                                   {"tRTP", s.tRTP},
                                                                                   {"tRTRS", s.tRTRS},
                                                                                   {"tRFC", s.tRFC},
                                                                                   {"tREFI", s.tREFI}})
    if (v < 0) return std::string(field) + ": must not be negative";
  if (s.tRAS < s.tRCD)
    return "tRAS: shorter than tRCD (" + std::to_string(s.tRCD) + "): a row closes before it can be read";
  if (s.tCCD_L < s.tCCD_S) return "tCCD_L: shorter than tCCD_S";
  if (s.tRRD_L < s.tRRD_S) return "tRRD_L: shorter than tRRD_S";
  if (s.refresh && s.tREFI <= s.tRFC)
    return "tREFI: not longer than tRFC (" + std::to_string(s.tRFC) + "): the rank would refresh forever";
  if (s.queue_size < 1 || s.queue_size > (1 << 16)) return "queue_size: must be 1..65536";
  if (s.write_low_watermark < 0 || s.write_high_watermark > s.queue_size ||
      s.write_low_watermark >= s.write_high_watermark)
    return "write_high_watermark: need 0 <= low < high <= queue_size";
  // In floating point first: the integer products of capacity_bytes() and banks() must not overflow.
  if (static_cast<double>(s.bankgroups) * s.banks_per_group > 65536) return "banks_per_group: more than 65536 banks";
  const double capacity = static_cast<double>(s.ranks) * s.bankgroups * s.banks_per_group *
                          static_cast<double>(s.rows) * static_cast<double>(s.columns) * (s.bus_width / 8) * s.channels;
  if (capacity > static_cast<double>(i64{1} << 50)) return "rows: capacity beyond 1 PiB";
  return "";
}

}  // namespace sparsim::memory
