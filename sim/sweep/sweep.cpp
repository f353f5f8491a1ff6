// `sparsim sweep` and `sparsim plot`: argument parsing and dispatch (docs/sweeps.md).
#include "sim/sweep/sweep.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "sim/data_paths.hpp"
#include "sim/errors.hpp"
#include "sim/sweep/collect.hpp"
#include "sim/sweep/dir_lock.hpp"
#include "sim/sweep/emit.hpp"
#include "sim/sweep/plan.hpp"
#include "sim/sweep/runner.hpp"
#include "sim/sweep/spec.hpp"

extern char** environ;

namespace sparsim {

namespace {

std::string flag_value(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0)
    throw InputError(located("command line", args[i], "expects a value"));
  return args[++i];
}

unsigned parse_jobs(const std::string& text) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 1 || v > 4096)
    throw InputError(
        located("command line", "--jobs", "expected a number of processes in [1, 4096], got '" + text + "'"));
  return static_cast<unsigned>(v);
}

SummaryFormat sweep_format(const std::string& text) {
  if (text == "table") return SummaryFormat::Table;
  if (text == "csv") return SummaryFormat::Csv;
  if (text == "json") return SummaryFormat::Json;
  throw InputError(located("command line", "--format", "expected table, csv or json, got '" + text + "'"));
}

void print_points(const sweep::Plan& plan, const std::string& dir, std::ostream& out) {
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const auto& p = plan.points[i];
    out << i << " " << p.run << (sweep::run_finished(dir, p.run) ? " finished" : " todo");
    for (const auto& [k, v] : p.values) out << " " << k << "=" << v;
    for (std::size_t b = 0; b < p.baseline_runs.size(); ++b)
      out << " [" << plan.baselines[b] << " " << p.baseline_runs[b] << "]";
    out << "\n";
  }
}

}  // namespace

int sweep_command(const std::vector<std::string>& args, std::ostream& out) {
  std::string file, out_dir, emit, collect_dir;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool list = false, quiet = false, force_progress = false, format_given = false;
  SummaryFormat format = SummaryFormat::Table;
  if (args.size() == 3 && args[0] == "--run-point") return sweep::run_point(args[1], args[2], out);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--format" || a.rfind("--format=", 0) == 0) {
      format = sweep_format(a == "--format" ? flag_value(args, i) : a.substr(9));
      format_given = true;
    } else if (a == "--jobs" || a == "-j")
      jobs = parse_jobs(flag_value(args, i));
    else if (a == "--out")
      out_dir = flag_value(args, i);
    else if (a == "--emit-jobs")
      emit = flag_value(args, i);
    else if (a == "--collect")
      collect_dir = flag_value(args, i);
    else if (a == "--list")
      list = true;
    else if (a == "--quiet" || a == "-q")
      quiet = true;
    else if (a == "--progress")
      force_progress = true;
    else if (a.rfind("-", 0) == 0 || !file.empty())
      throw InputError(located("command line", a, "unexpected argument (see sparsim --help)"));
    else
      file = a;
  }
  if (format_given && (list || !emit.empty()))
    throw InputError(
        located("command line", "--format", "formats a sweep's results; --list and --emit-jobs have none"));
  // csv and json: stdout holds the results alone; the lines for people go to stderr.
  std::ostream& notes = format == SummaryFormat::Table ? out : std::cerr;
  if (!collect_dir.empty()) {
    if (!file.empty() || !emit.empty() || list)
      throw InputError(located("command line", "--collect", "takes only the sweep output directory"));
    return sweep::collect(sweep::read_plan(collect_dir), collect_dir, out, format, &notes);
  }
  if (file.empty())
    throw InputError("usage: sparsim sweep SWEEP.yaml [--jobs N] [--out DIR] [--emit-jobs FILE] | --collect DIR");
  const sweep::SweepSpec spec = sweep::load_spec(file);
  // Validates every point before anything runs or is written.
  const sweep::Plan plan = sweep::make_plan(spec);
  if (out_dir.empty()) out_dir = (std::filesystem::path("out") / ("sweep-" + spec.name)).string();
  if (list) {
    print_points(plan, out_dir, out);
    return 0;
  }
  const sweep::DirectoryLock lock(out_dir);  // one sweep at a time in a directory
  sweep::write_plan(plan, out_dir);
  if (!emit.empty()) {
    sweep::emit_jobs(plan, out_dir, emit, out);
    return 0;
  }
  const int status = sweep::run_local(plan, out_dir, jobs, progress_mode(force_progress, quiet), notes);
  const int collected = sweep::collect(plan, out_dir, out, format, &notes);
  return status != 0 ? status : collected;
}

int plot_command(const std::vector<std::string>& args, std::ostream& out) {
  const char* env_dir = std::getenv("SPARSIM_PLOTS_DIR");
  const std::string dir = env_dir ? env_dir : data_path("plots");
  const std::string script = dir + "/plot.py";
  if (!std::filesystem::is_regular_file(script))
    throw InputError(located(script, "SPARSIM_PLOTS_DIR", "plotting front end not found"));
  const char* env_python = std::getenv("SPARSIM_PYTHON");
  // Debian's interpreter: matplotlib, numpy and yaml are installed for it, not for a python3 on PATH.
  std::string python = env_python ? env_python : "/usr/bin/python3";
  std::vector<std::string> argv_s = {python, script};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  out << std::flush;
  pid_t pid = 0;
  if (const int rc = posix_spawn(&pid, python.c_str(), nullptr, nullptr, argv.data(), environ); rc != 0)
    throw InputError(located(python, "SPARSIM_PYTHON", std::string("cannot start: ") + std::strerror(rc)));
  int raw = 0;
  while (waitpid(pid, &raw, 0) < 0)
    if (errno != EINTR) throw std::runtime_error("waitpid failed for the plotting front end");
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : 1;
}

}  // namespace sparsim
