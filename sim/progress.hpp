#pragma once
// The progress line on stderr: "[done/total] what  elapsed 12s  ETA 30s", rewritten in place with \r and
// erased at the end. It is for people watching a terminal, so by default it appears only when stderr is
// a terminal and the work has lasted a while; wall-clock time feeds this line only, never a report.
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

#include "sim/accelerator.hpp"

namespace sparsim {

// Auto: on when stderr is a terminal, from about 2 s into the work (short runs stay silent).
// Forced (--progress): on from the first update, terminal or not (tests, `script` sessions).
// Off (--quiet): never.
enum class ProgressMode { Auto, Forced, Off };

// Resolves the command-line flags: --quiet wins over --progress.
ProgressMode progress_mode(bool forced, bool quiet);

class ProgressLine : public Progress {
 public:
  // `is_terminal`: whether `err` is a terminal (the caller asks isatty; tests pass what they need).
  ProgressLine(ProgressMode mode, std::ostream& err, bool is_terminal);
  ~ProgressLine() override;  // erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Redraws the line (at most five times a second, except for the last job, which is always drawn).
  void job_done(std::size_t done, std::size_t total, const std::string& what) override;
  // Prints a line that must stay (a failure): the progress line is erased first and redrawn after it.
  void message(const std::string& line);
  // Erases the line, so what follows on stderr starts on a clean line.
  void clear();

 private:
  void draw();

  bool enabled_;
  bool forced_;
  std::ostream& err_;
  std::chrono::steady_clock::time_point start_, last_draw_{};
  std::string text_;       // what the line shows now (empty: nothing drawn)
  std::size_t shown_ = 0;  // characters of the line on screen
};

// The default stderr progress of this process: ProgressLine(mode, std::cerr, isatty(2)).
ProgressLine make_stderr_progress(ProgressMode mode);

// "12s", "3m05s", "1h02m": elapsed and ETA figures of the line.
std::string format_duration(double seconds);

}  // namespace sparsim
