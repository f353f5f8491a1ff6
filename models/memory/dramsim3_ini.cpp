#include "models/memory/dramsim3_ini.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "sim/errors.hpp"
#include "sim/text/input_file.hpp"

namespace sparsim::memory {

namespace {

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

struct Entry {
  std::string value;
  int line = 0;
};

}  // namespace

DramSpec parse_dramsim3_ini(const std::string& text, const std::string& name) {
  static const std::set<std::string> sections = {"dram_structure", "timing", "power", "system", "other"};
  std::map<std::string, Entry> kv;  // "section.key"
  std::istringstream in(text);
  std::string line, section;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string where = name + ":" + std::to_string(n);
    std::string s = trim(line.substr(0, line.find_first_of(";#")));
    if (s.empty()) continue;
    if (s.front() == '[') {
      if (s.back() != ']') throw InputError(located(where, s, "a section header must end with ']'"));
      section = trim(s.substr(1, s.size() - 2));
      if (!sections.count(section))
        throw InputError(located(where, section, "unknown section (dram_structure, timing, power, system, other)"));
      continue;
    }
    const auto eq = s.find('=');
    if (eq == std::string::npos) throw InputError(located(where, s, "expected 'key = value'"));
    if (section.empty()) throw InputError(located(where, s, "key before any [section]"));
    const std::string k = trim(s.substr(0, eq));
    if (kv.count(section + "." + k)) throw InputError(located(where, k, "key given twice"));
    kv[section + "." + k] = {trim(s.substr(eq + 1)), n};
  }
  auto where_of = [&](const std::string& k) {
    const auto it = kv.find(k);
    if (it == kv.end()) return name;
    std::string w = name;
    w += ':';
    w += std::to_string(it->second.line);
    return w;
  };
  auto num = [&](const std::string& k, double def, bool required) {
    const auto it = kv.find(k);
    if (it == kv.end()) {
      if (required) throw InputError(located(name, k, "missing (DRAMSim3 needs it)"));
      return def;
    }
    const std::string& v = it->second.value;
    double d = 0;
    const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || p != v.data() + v.size() || !(d >= 0) || d > 1e15)
      throw InputError(located(where_of(k), k, "'" + v + "' is not a non-negative number"));
    return d;
  };
  // Whole numbers up to 2^24: far above any real geometry or timing, and low enough that the int fields
  // and the sums and products formed from them below (CL + AL, queue thresholds) cannot overflow.
  auto integer = [&](const std::string& k, double def, bool required) {
    const double d = num(k, def, required);
    if (d != static_cast<double>(static_cast<long long>(d)))
      throw InputError(located(where_of(k), k, "must be a whole number"));
    if (d > 16777216) throw InputError(located(where_of(k), k, "'" + kv.at(k).value + "' is above 2^24"));
    return static_cast<long long>(d);
  };
  auto str = [&](const std::string& k, const std::string& def) {
    const auto it = kv.find(k);
    return it == kv.end() ? def : it->second.value;
  };

  DramSpec s;
  s.name = name;
  s.protocol = str("dram_structure.protocol", "DDR4");
  s.bankgroups = static_cast<int>(integer("dram_structure.bankgroups", 1, false));
  s.banks_per_group = static_cast<int>(integer("dram_structure.banks_per_group", 1, true));
  s.rows = integer("dram_structure.rows", 0, true);
  s.columns = integer("dram_structure.columns", 0, true);
  s.device_width = static_cast<int>(integer("dram_structure.device_width", 0, true));
  s.burst_length = static_cast<int>(integer("dram_structure.BL", 8, false));
  const std::string& p = s.protocol;
  // As DRAMSim3 reads them: an HBM file's columns count half-width columns (doubled), a GDDR file's
  // count bursts (times BL).
  if (p.rfind("HBM", 0) == 0) s.columns *= 2;
  if (p.rfind("GDDR", 0) == 0) s.columns *= s.burst_length;
  // DRAMSim3's burst_cycle: BL/4 for GDDR (quad data rate), BL/2 otherwise.
  s.transfers_per_clock = p.rfind("GDDR", 0) == 0 ? 4 : 2;
  s.tck_ns = num("timing.tCK", 0, true);
  const int al = static_cast<int>(integer("timing.AL", 0, false));
  s.CL = static_cast<int>(integer("timing.CL", 0, true)) + al;
  s.CWL = static_cast<int>(integer("timing.CWL", 0, true)) + al;
  auto t = [&](const char* k, int def) { return static_cast<int>(integer(std::string("timing.") + k, def, false)); };
  s.tRCD = t("tRCD", t("tRCDRD", 0));  // HBM files give tRCDRD (and tRCDWR, taken equal here)
  s.tRP = t("tRP", 0);
  s.tRAS = t("tRAS", 0);
  s.tRFC = t("tRFC", 0);
  s.tREFI = t("tREFI", 0);
  s.tRRD_S = t("tRRD_S", t("tRRD", 0));
  s.tRRD_L = t("tRRD_L", s.tRRD_S);
  s.tCCD_S = t("tCCD_S", t("tCCD", s.burst_cycles()));
  s.tCCD_L = t("tCCD_L", s.tCCD_S);
  s.tFAW = t("tFAW", 0);
  s.tWR = t("tWR", 0);
  s.tWTR_S = t("tWTR_S", t("tWTR", 0));
  s.tWTR_L = t("tWTR_L", s.tWTR_S);
  s.tRTP = t("tRTP", 5);  // DRAMSim3's own default when the file has none (its HBM2 file has tRTP_L/_S)
  s.tRTRS = t("tRTRS", 1);
  s.channels = static_cast<int>(integer("system.channels", 1, false));
  s.bus_width = static_cast<int>(integer("system.bus_width", 64, false));
  // DRAMSim3 derives the ranks from the channel size (MB) and the device geometry.
  const long long channel_mb = integer("system.channel_size", 0, true);
  if (s.device_width <= 0 || s.bus_width % s.device_width != 0)
    throw InputError(located(where_of("dram_structure.device_width"), "device_width", "must divide bus_width"));
  const double bank_mb =
      static_cast<double>(s.rows) * static_cast<double>(s.columns) * s.device_width / 8.0 / (1 << 20);
  const double rank_mb = bank_mb * s.bankgroups * s.banks_per_group * (s.bus_width / s.device_width);
  const double ranks = rank_mb > 0 ? static_cast<double>(channel_mb) / rank_mb : 0;
  if (!(ranks >= 1) || ranks > 65536 || ranks != std::floor(ranks))
    throw InputError(located(where_of("system.channel_size"), "channel_size",
                             "does not hold a whole number of ranks of this device geometry"));
  s.ranks = static_cast<int>(ranks);
  s.address_mapping = str("system.address_mapping", "chrobabgraco");
  s.queue_size = static_cast<int>(integer("system.trans_queue_size", 32, false));
  if (s.queue_size < 2)
    throw InputError(located(where_of("system.trans_queue_size"), "trans_queue_size", "must be at least 2"));
  s.write_high_watermark = std::max(1, s.queue_size * 3 / 4);
  s.write_low_watermark = s.queue_size / 4;
  const std::string policy = str("system.row_buf_policy", "OPEN_PAGE");
  if (policy != "OPEN_PAGE" && policy != "CLOSE_PAGE")
    throw InputError(located(where_of("system.row_buf_policy"), "row_buf_policy", "must be OPEN_PAGE or CLOSE_PAGE"));
  s.open_page = policy == "OPEN_PAGE";
  if (const std::string why = check_dram_spec(s); !why.empty())
    throw InputError(located(name, why.substr(0, why.find(':')), why.substr(why.find(':') + 2)));
  return s;
}

DramSpec read_dramsim3_ini(const std::string& path) {
  return parse_dramsim3_ini(read_input_file(path, "dramsim3_ini", std::uint64_t{1} << 20), path);
}

}  // namespace sparsim::memory
