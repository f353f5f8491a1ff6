// The progress line (sim/progress.hpp): on stderr only, only for a terminal unless forced, silenced by
// --quiet, never in stdout or a report.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"
#include "sim/progress.hpp"

using sparsim::ProgressLine;
using sparsim::ProgressMode;

namespace {
// A small but real run: the fc layer of ResNet-18, all three phases, two variants: 6 jobs.
const std::string kSmall = "--set workload.layers=fc --set workload.batch=2";
}  // namespace

TEST_CASE("progress line: forced, it shows jobs done of total, elapsed and an ETA, and is erased at the end") {
  std::ostringstream err;
  {
    ProgressLine line(ProgressMode::Forced, err, false);
    line.job_done(1, 4, "sparse fc FF");
    CHECK(err.str().find("\r[1/4] sparse fc FF  elapsed 0s  ETA 0s") != std::string::npos);
    line.job_done(4, 4, "dense fc WU");  // the last job is always drawn, however soon
    CHECK(err.str().find("\r[4/4] dense fc WU  elapsed 0s") != std::string::npos);
  }
  const std::string text = err.str();
  CHECK(text.find('\n') == std::string::npos);  // one line, rewritten in place
  // Erased: the text ends with spaces over the line and a carriage return.
  CHECK(text.back() == '\r');
  CHECK(text.substr(text.rfind('\r', text.size() - 2) + 1).find_first_not_of(" \r") == std::string::npos);
}

TEST_CASE("progress line: off with --quiet, off for a pipe, and silent for the first seconds on a terminal") {
  for (const auto& [mode, terminal] : {std::pair{ProgressMode::Off, true}, std::pair{ProgressMode::Off, false},
                                       std::pair{ProgressMode::Auto, false}, std::pair{ProgressMode::Auto, true}}) {
    std::ostringstream err;
    {
      ProgressLine line(mode, err, terminal);
      line.job_done(1, 2, "x");
      line.job_done(2, 2, "y");
    }
    CHECK(err.str().empty());
  }
  CHECK(sparsim::progress_mode(true, true) == ProgressMode::Off);  // --quiet wins over --progress
  CHECK(sparsim::progress_mode(true, false) == ProgressMode::Forced);
  CHECK(sparsim::progress_mode(false, false) == ProgressMode::Auto);
}

TEST_CASE("progress line: on a terminal it appears once the work has lasted about 2 s") {
  std::ostringstream err;
  ProgressLine line(ProgressMode::Auto, err, true);
  line.job_done(1, 3, "early");
  CHECK(err.str().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  line.job_done(2, 3, "late");
  CHECK(err.str().find("[2/3] late  elapsed 2s  ETA 1s") != std::string::npos);
}

TEST_CASE("progress line: a message stays on its own line and the progress is redrawn after it") {
  std::ostringstream err;
  ProgressLine line(ProgressMode::Forced, err, false);
  line.job_done(1, 3, "run a");
  line.message("[2/3] run b FAILED");
  const std::string text = err.str();
  const auto failed = text.find("[2/3] run b FAILED\n");
  REQUIRE(failed != std::string::npos);
  CHECK(text.find("[1/3] run a", failed) != std::string::npos);
}

TEST_CASE("progress line: long names are cut so the line fits an 80-column terminal") {
  std::ostringstream err;
  ProgressLine line(ProgressMode::Forced, err, false);
  line.job_done(1, 1000, std::string(200, 'x'));
  std::string drawn = err.str().substr(1);
  drawn = drawn.substr(0, drawn.find('\r'));
  CHECK(drawn.size() <= 79);
  CHECK(drawn.find("elapsed") != std::string::npos);
}

TEST_CASE("format_duration writes seconds, minutes and hours compactly") {
  CHECK(sparsim::format_duration(0.2) == "0s");
  CHECK(sparsim::format_duration(59.4) == "59s");
  CHECK(sparsim::format_duration(185) == "3m05s");
  CHECK(sparsim::format_duration(3720) == "1h02m");
}

TEST_CASE("run: forced progress goes to stderr only, --quiet wins, and the reports are byte-identical") {
  const auto plain = temp_dir("progress_plain"), forced = temp_dir("progress_forced"),
             quiet = temp_dir("progress_quiet");
  const auto a = run_sparsim("run " + kSmall + " --out " + plain);
  const auto b = run_sparsim("run " + kSmall + " --progress --out " + forced);
  const auto c = run_sparsim("run " + kSmall + " --progress --quiet --out " + quiet);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  REQUIRE(c.status == 0);
  CHECK(a.err.empty());  // stderr is a file here, not a terminal: no progress
  CHECK(b.err.find("[6/6] ") != std::string::npos);
  CHECK(b.err.find("elapsed") != std::string::npos);
  CHECK(c.err.empty());
  // stdout holds the same summary (but for the report paths) in all three.
  auto without_paths = [](const std::string& out) { return out.substr(0, out.find("\nreports: ")); };
  CHECK(without_paths(a.out) == without_paths(b.out));
  CHECK(without_paths(a.out) == without_paths(c.out));
  CHECK(b.out.find('\r') == std::string::npos);
  for (const char* file : {"/report.json", "/layers.csv"}) {
    CHECK(slurp(plain + file) == slurp(forced + file));
    CHECK(slurp(plain + file) == slurp(quiet + file));
  }
}

namespace {
// Runs `sparsim ARGS` under `script`, which gives it a pseudo-terminal, and returns what the terminal
// showed; `seconds` gets the wall-clock time of the run.
std::string on_terminal(const std::string& args, double& seconds) {
  const auto dir = temp_dir("progress_tty");
  const std::string log = dir + "/typescript";
  std::string cmd = "script -qec '";
  cmd += SPARSIM_BINARY;
  cmd += " ";
  cmd += args;
  cmd += " --out ";
  cmd += dir;
  cmd += " >/dev/null' ";
  cmd += log;
  cmd += " >/dev/null 2>&1";
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return status == 0 ? slurp(log) : "FAILED";
}
bool have_script() { return std::system("command -v script >/dev/null 2>&1") == 0; }
}  // namespace

TEST_CASE("run: on a terminal a short run stays silent and a long one shows its progress") {
  if (!have_script()) {
    WARN("script (util-linux) is missing: the pseudo-terminal case is not checked");
    return;
  }
  double seconds = 0;
  std::string shown = on_terminal("run " + kSmall, seconds);
  REQUIRE(shown != "FAILED");
  if (seconds < 1.5) CHECK(shown.find("elapsed") == std::string::npos);
  // Two layers in detailed mode take several seconds; whenever the run took more than 3, the line must
  // have appeared (the check follows the wall clock, so a faster machine does not make the test fail).
  const std::string slow =
      "run --mode detailed --set workload.layers=layer4.1.conv1,layer4.1.conv2 --set workload.batch=1";
  shown = on_terminal(slow, seconds);
  REQUIRE(shown != "FAILED");
  INFO("the detailed run took " << seconds << " s");
  if (seconds > 3.0) {
    CHECK(shown.find("elapsed") != std::string::npos);
    CHECK(shown.find(" ETA ") != std::string::npos);
    CHECK(shown.rfind('\r') > shown.rfind("elapsed"));  // erased at the end
  }
  // --quiet: nothing, however long.
  shown = on_terminal(slow + " --quiet", seconds);
  CHECK(shown.find("elapsed") == std::string::npos);
}
