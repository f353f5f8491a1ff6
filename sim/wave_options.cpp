#include "sim/wave_options.hpp"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sparsim {

namespace {
// A non-negative integer (a cycle or a PE index).
bool parse_cycle(const std::string& text, std::int64_t& v) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  const long long x = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  v = x;
  return true;
}
}  // namespace

WaveOptions wave_options(const Config& cfg, bool supported) {
  WaveOptions o;
  o.path = cfg.str("run.trace");
  o.pes = cfg.i64("run.trace_pes");
  const std::string origin = cfg.str("run.trace_origin");
  const auto comma = origin.find(',');
  if (comma == std::string::npos || !parse_cycle(origin.substr(0, comma), o.row0) ||
      !parse_cycle(origin.substr(comma + 1), o.col0))
    cfg.fail("run.trace_origin", "expected ROW,COL of the traced sub-array's top-left PE (e.g. 0,0 or 8,16)");
  const std::string window = cfg.str("run.trace_window");
  if (!window.empty()) {
    const auto colon = window.find(':');
    std::int64_t a = 0, b = 0;
    if (colon == std::string::npos || !parse_cycle(window.substr(0, colon), a) ||
        !parse_cycle(window.substr(colon + 1), b) || a >= b)
      cfg.fail("run.trace_window", "expected START:END in cycles with START < END (e.g. 1000:2000)");
    o.start = a;
    o.end = b;
  }
  if (o.path.empty()) {
    if (!window.empty()) cfg.fail("run.trace_window", "a trace window needs a trace file (--trace FILE.vcd)");
    return o;
  }
  if (!supported) cfg.fail("run.trace", "this accelerator model does not write waveforms (the sat model does)");
  if (cfg.str("run.mode") != "detailed")
    cfg.fail("run.trace", "waveforms come from the detailed mode: add --mode detailed");
  const std::filesystem::path p(o.path);
  if (p.extension() != ".vcd" || p.stem().empty()) cfg.fail("run.trace", "the waveform file must end in .vcd");
  // Probe the directory with the temporary name the writer will use, then remove it.
  std::string name = ".";  // (built step by step: GCC 12 warns falsely on one concatenation here)
  name += p.stem().string();
  name += ".probe";
  const std::filesystem::path probe = p.parent_path() / name;
  {
    std::ofstream f(probe);
    if (!f) cfg.fail("run.trace", "cannot write in the directory of '" + o.path + "'");
  }
  std::error_code ec;
  std::filesystem::remove(probe, ec);
  if (std::filesystem::is_directory(p, ec)) cfg.fail("run.trace", "'" + o.path + "' is a directory");
  return o;
}

}  // namespace sparsim
