#pragma once
// Waveform options shared by the command line (`--trace FILE.vcd --trace-window START:END`), the config
// (run.trace, run.trace_window, run.trace_pes, run.trace_origin) and the models that can write waveforms.
#include <cstdint>
#include <string>

#include "sim/config/config.hpp"

namespace sparsim {

struct WaveOptions {
  std::string path;                 // FILE.vcd ("": no waveforms)
  std::int64_t start = 0;           // first cycle traced
  std::int64_t end = -1;            // one past the last (-1: to the end of the run)
  std::int64_t pes = 8;             // the traced sub-array is pes x pes
  std::int64_t row0 = 0, col0 = 0;  // its top-left PE (run.trace_origin ROW,COL)
};

// Reads and checks the run.trace* keys: a window that is not START:END with START < END, a path not
// ending in .vcd or in a directory that cannot be written, waveforms without detailed mode or from a
// model without them (`supported`): an InputError naming the key, before anything is simulated.
WaveOptions wave_options(const Config& cfg, bool supported);

}  // namespace sparsim
