#include "sim/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace sparsim {

namespace {

using clock = std::chrono::steady_clock;

// Short runs stay silent: a line that flashes for a moment is noise, not information.
constexpr auto kQuietStart = std::chrono::seconds(2);
// A terminal redrawn more often than this flickers and costs time for nothing.
constexpr auto kRedrawEvery = std::chrono::milliseconds(200);
// Fits an 80-column terminal without wrapping (a wrapped line cannot be rewritten with \r).
constexpr std::size_t kMaxLine = 79;

}  // namespace

ProgressMode progress_mode(bool forced, bool quiet) {
  if (quiet) return ProgressMode::Off;
  return forced ? ProgressMode::Forced : ProgressMode::Auto;
}

std::string format_duration(double seconds) {
  const long t = seconds > 0 ? static_cast<long>(seconds + 0.5) : 0;
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

ProgressLine::ProgressLine(ProgressMode mode, std::ostream& err, bool is_terminal)
    : enabled_(mode == ProgressMode::Forced || (mode == ProgressMode::Auto && is_terminal)),
      forced_(mode == ProgressMode::Forced),
      err_(err),
      start_(clock::now()) {}

ProgressLine::~ProgressLine() { clear(); }

void ProgressLine::job_done(std::size_t done, std::size_t total, const std::string& what) {
  if (!enabled_) return;
  const auto now = clock::now();
  if (!forced_ && now - start_ < kQuietStart) return;
  const bool first = text_.empty(), last = done >= total;
  if (!first && !last && now - last_draw_ < kRedrawEvery) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  // The figures go first and are never cut; `what` (a job or run name) gets what room is left.
  std::string figures = "  elapsed ";
  figures += format_duration(elapsed);
  if (done > 0 && !last) {
    figures += "  ETA ";
    figures += format_duration(elapsed / static_cast<double>(done) * static_cast<double>(total - done));
  }
  std::string text = "[";
  text += std::to_string(done);
  text += '/';
  text += std::to_string(total);
  text += "] ";
  const std::size_t room = kMaxLine > text.size() + figures.size() ? kMaxLine - text.size() - figures.size() : 0;
  text += what.substr(0, room);
  text += figures;
  text_ = text;
  draw();
}

void ProgressLine::message(const std::string& line) {
  const std::string shown = text_;
  clear();
  err_ << line << "\n";
  text_ = shown;
  if (!text_.empty()) draw();
  err_ << std::flush;
}

void ProgressLine::clear() {
  if (shown_ > 0) err_ << "\r" << std::string(shown_, ' ') << "\r" << std::flush;
  shown_ = 0;
  text_.clear();
}

void ProgressLine::draw() {
  // Pads over what a longer previous line left on screen.
  err_ << "\r" << text_;
  if (shown_ > text_.size()) err_ << std::string(shown_ - text_.size(), ' ');
  err_ << std::flush;
  shown_ = std::max(shown_, text_.size());
}

ProgressLine make_stderr_progress(ProgressMode mode) {
  return ProgressLine(mode, std::cerr, isatty(STDERR_FILENO) != 0);
}

}  // namespace sparsim
