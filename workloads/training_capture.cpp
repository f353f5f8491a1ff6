#include "workloads/training_capture.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/data_paths.hpp"
#include "sim/errors.hpp"
#include "workloads/python_tool.hpp"
#include "workloads/training_trace.hpp"

namespace sparsim {

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The last non-empty line (a Python traceback ends with the exception), without the "sparsim: error: "
// prefix the script uses for its own one-line errors (main adds it again).
std::string last_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  const std::string prefix = "sparsim: error: ";
  return last.rfind(prefix, 0) == 0 ? last.substr(prefix.size()) : last;
}

}  // namespace

int capture_training_trace(const std::vector<std::string>& args, std::ostream& out) {
  std::string output;
  bool list = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "-o" || args[i] == "--output") && i + 1 < args.size()) output = args[i + 1];
    if (args[i] == "--list") list = true;
  }
  if (!list && output.empty()) throw InputError(located("command line", "capture", "needs -o DIR"));
  const std::string python = env_or("SPARSIM_PYTHON", "/usr/bin/python3");
  const std::string script = env_or("SPARSIM_CAPTURE_SCRIPT", data_path("workloads/training_capture.py"));
  const ScratchDir dir("sparsim-capture");
  const fs::path& scratch = dir.path;
  // Appended piece by piece: GCC 12 at -O2 warns falsely (-Wrestrict) about `" " + shell_quoted(a)`.
  std::string cmd = shell_quoted(python);
  cmd.append(" ").append(shell_quoted(script));
  for (const auto& a : args) cmd.append(" ").append(shell_quoted(a));
  cmd.append(" >").append(shell_quoted((scratch / "stdout").string()));
  cmd.append(" 2>").append(shell_quoted((scratch / "stderr").string()));
  const int raw = std::system(cmd.c_str());
  const std::string log = slurp(scratch / "stdout"), err = slurp(scratch / "stderr");
  out << log;
  const int status = raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  if (status == 2) throw InputError(last_line(err).empty() ? "capture: bad arguments" : last_line(err));
  if (status == 127 || status == 126)
    throw InputError(
        located(python, "SPARSIM_PYTHON", "cannot run the capture tool's Python (" + python + " " + script + ")"));
  if (status != 0) throw std::runtime_error("capture failed (" + python + " " + script + "): " + last_line(err));
  if (list) return 0;
  const TrainingTrace trace = load_training_trace(output);
  const std::size_t masks = verify_training_trace_masks(trace);
  out << "valid: " << trace.records.size() << " records of " << trace.network.layers.size() << " layers, " << masks
      << " mask files verified\n";
  return 0;
}

}  // namespace sparsim
