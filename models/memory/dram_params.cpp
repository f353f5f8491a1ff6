#include "models/memory/dram_params.hpp"

#include <stdexcept>

#include "models/memory/address_map.hpp"
#include "models/memory/dramsim3_ini.hpp"

namespace sparsim::memory {

namespace {

struct IntField {
  const char* key;  // under memory.dram.
  int DramSpec::*field;
  const char* doc;
};

const std::vector<IntField>& timing_fields() {
  static const std::vector<IntField> f = {
      {"timing.CL", &DramSpec::CL, "Read latency: RD command to first data."},
      {"timing.CWL", &DramSpec::CWL, "Write latency: WR command to first data."},
      {"timing.tRCD", &DramSpec::tRCD, "ACT to RD/WR in the same bank."},
      {"timing.tRP", &DramSpec::tRP, "PRE to ACT in the same bank."},
      {"timing.tRAS", &DramSpec::tRAS, "ACT to PRE in the same bank (tRC = tRAS + tRP)."},
      {"timing.tRFC", &DramSpec::tRFC, "REF to the next command to the rank."},
      {"timing.tREFI", &DramSpec::tREFI, "Refresh interval per rank."},
      {"timing.tRRD_S", &DramSpec::tRRD_S, "ACT to ACT, different bank groups."},
      {"timing.tRRD_L", &DramSpec::tRRD_L, "ACT to ACT, same bank group."},
      {"timing.tCCD_S", &DramSpec::tCCD_S, "Column command to column command, different bank groups."},
      {"timing.tCCD_L", &DramSpec::tCCD_L, "Column command to column command, same bank group."},
      {"timing.tFAW", &DramSpec::tFAW, "Window in which a rank takes at most four ACTs."},
      {"timing.tWR", &DramSpec::tWR, "Write recovery: end of write data to PRE."},
      {"timing.tWTR_S", &DramSpec::tWTR_S, "End of write data to RD, different bank groups."},
      {"timing.tWTR_L", &DramSpec::tWTR_L, "End of write data to RD, same bank group."},
      {"timing.tRTP", &DramSpec::tRTP, "RD to PRE in the same bank."},
      {"timing.tRTRS", &DramSpec::tRTRS, "Data-bus turnaround between ranks and from reads to writes."},
      {"channels", &DramSpec::channels, "Independent channels (an HBM pseudo-channel counts as one)."},
      {"ranks", &DramSpec::ranks, "Ranks per channel."},
      {"bankgroups", &DramSpec::bankgroups, "Bank groups per rank."},
      {"banks_per_group", &DramSpec::banks_per_group, "Banks per bank group."},
      {"device_width", &DramSpec::device_width, "Data bits per device."},
      {"bus_width", &DramSpec::bus_width, "Data bits of a channel's bus."},
      {"burst_length", &DramSpec::burst_length, "Transfers per burst (BL)."},
      {"transfers_per_clock", &DramSpec::transfers_per_clock, "Data transfers per command clock (2: DDR)."},
      {"queue_size", &DramSpec::queue_size, "Entries of the read queue and of the write queue per channel."},
      {"write_high_watermark", &DramSpec::write_high_watermark, "Queued writes that start a write drain."},
      {"write_low_watermark", &DramSpec::write_low_watermark, "Queued writes at which a drain stops."},
  };
  return f;
}

std::string key(const std::string& k) { return "memory.dram." + k; }

}  // namespace

std::vector<ParamSpec> dram_params(const std::string& default_preset, int default_channels) {
  std::vector<ParamSpec> p;
  p.push_back(enum_param(key("preset"), default_preset, dram_preset_names(),
                         "DRAM/HBM device and organisation (docs/memory.md lists each preset's source); every "
                         "memory.dram key below overrides one of its fields."));
  p.push_back(optional(path_param(key("dramsim3_ini"), "",
                                  "A DRAMSim3 .ini file to take the organisation and timing from instead of the "
                                  "preset ([dram_structure], [timing], [system] keys).")));
  for (const IntField& f : timing_fields()) {
    const bool channels = std::string(f.key) == "channels";
    ParamSpec s = int_param(key(f.key), channels && default_channels > 0 ? default_channels : 0, channels ? 1 : 0,
                            1 << 20, f.key[0] == 't' ? "tCK" : "", f.doc);
    p.push_back(channels && default_channels > 0 ? s : optional(s));
  }
  p.push_back(optional(int_param(key("rows"), 0, 1, 1LL << 24, "", "Rows per bank.")));
  p.push_back(optional(int_param(key("columns"), 0, 1, 1LL << 20, "", "Columns per row of one device.")));
  p.push_back(optional(float_param(key("tck_ns"), 1.0, 0.01, 100.0, "ns", "Command clock period.")));
  p.push_back(optional(string_param(key("address_mapping"), "",
                                    "Address bit order, fields from most to least significant (ch ra bg ba ro "
                                    "co), e.g. rochrababgco.")));
  p.push_back(optional(enum_param(key("page_policy"), "open", {"open", "closed"},
                                  "Keep a row open after an access (open) or precharge when no queued request "
                                  "hits it (closed).")));
  p.push_back(optional(bool_param(key("refresh"), true, "Model refresh (tREFI, tRFC).")));
  p.push_back(optional(bool_param(key("hash_channels"), false,
                                  "Rotate the channel digit by a hash of the address bits above it (GPU memory "
                                  "controllers hash addresses so strided tiles spread over all channels); on in "
                                  "the GPU presets.")));
  return p;
}

DramSpec dram_spec_from_config(const Config& cfg) {
  DramSpec s;
  if (cfg.is_set(key("dramsim3_ini"))) {
    const std::string path = cfg.resolved_path(key("dramsim3_ini"));
    s = read_dramsim3_ini(path);  // throws InputError naming the file and line
  } else {
    s = *dram_preset(cfg.str(key("preset")));
  }
  // A key overrides the preset or .ini only when a config or --set gave it; an accelerator's declared
  // default (e.g. sat's four channels) applies to presets, never to a user's .ini.
  const bool from_ini = cfg.is_set(key("dramsim3_ini"));
  auto given = [&](const std::string& k) { return cfg.is_set(k) && !(from_ini && cfg.origin(k) == "default"); };
  for (const IntField& f : timing_fields())
    if (given(key(f.key))) s.*f.field = static_cast<int>(cfg.i64(key(f.key)));
  if (cfg.is_set(key("rows"))) s.rows = cfg.i64(key("rows"));
  if (cfg.is_set(key("columns"))) s.columns = cfg.i64(key("columns"));
  if (cfg.is_set(key("tck_ns"))) s.tck_ns = cfg.f64(key("tck_ns"));
  if (cfg.is_set(key("address_mapping"))) s.address_mapping = cfg.str(key("address_mapping"));
  if (cfg.is_set(key("page_policy"))) s.open_page = cfg.str(key("page_policy")) == "open";
  if (cfg.is_set(key("refresh"))) s.refresh = cfg.boolean(key("refresh"));
  if (cfg.is_set(key("hash_channels"))) s.hash_channels = cfg.boolean(key("hash_channels"));
  if (const std::string why = check_dram_spec(s); !why.empty()) {
    const std::string field = why.substr(0, why.find(':'));
    std::string k = key(field);
    for (const IntField& f : timing_fields())
      if (std::string(f.key).ends_with("." + field)) k = key(f.key);
    cfg.fail(cfg.is_set(k) ? k : key("preset"), why);
  }
  try {
    AddressMap check(s);
  } catch (const std::invalid_argument& e) {
    cfg.fail(key("address_mapping"), e.what());
  }
  return s;
}

}  // namespace sparsim::memory
