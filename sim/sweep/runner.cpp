#include "sim/sweep/runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/errors.hpp"
#include "sim/progress.hpp"
#include "sim/report/report.hpp"
#include "sim/run.hpp"

extern char** environ;

namespace sparsim::sweep {

namespace fs = std::filesystem;

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "host";
  return buf;
}

std::string first_error_line(const std::string& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find("error") != std::string::npos) return line;
    if (!line.empty()) last = line;
  }
  return last.empty() ? "(no output)" : last;
}

// Starts `sparsim sweep --run-point DIR ID` with stdout and stderr going to DIR/logs/ID.log.
pid_t spawn_run(const std::string& binary, const std::string& dir, const std::string& id) {
  const std::string log = (fs::path(dir) / "logs" / (id + ".log")).string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<std::string> args = {"sparsim", "sweep", "--run-point", dir, id};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

std::string self_binary() {
  std::error_code ec;
  const auto p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the sparsim binary through /proc/self/exe");
  return p.string();
}

int run_point(const std::string& dir, const std::string& id, std::ostream& out) {
  const Plan plan = read_plan(dir);
  const Run& run = plan.run(id);
  const std::string final_dir = run_dir(dir, id);
  if (run_finished(dir, id)) {
    out << "run " << id << " is already finished: " << final_dir << "\n";
    return 0;
  }
  // Private to this process (host and pid), so two copies of one run (a re-run started while an orphaned
  // one still works) never write into the same directory.
  const fs::path partial =
      fs::path(dir) / "points" / ".partial" / (id + "." + host_name() + "." + std::to_string(getpid()));
  fs::remove_all(partial);
  fs::create_directories(partial);
  std::ostringstream summary;
  const int status = run_simulation(RunRequest{plan.base, run.overrides, partial.string()}, summary);
  out << summary.str();
  std::string command = "sparsim run " + (plan.base.empty() ? std::string() : plan.base + " ");
  for (const auto& o : run.overrides) command += "--set '" + o + "' ";
  write_atomically(partial.string(), "summary.txt", summary.str());
  write_atomically(partial.string(), "command.txt", command + "\n");
  if (status != 0) return status;  // the partial directory stays for inspection; a re-run redoes the run
  std::error_code ec;
  if (const std::string damage = run_damage(dir, id); !damage.empty()) {
    // An earlier result of this run that no longer verifies: set aside and replaced, never reused.
    out << "run " << id << ": replacing a damaged earlier result (" << damage << ")\n";
    const fs::path aside = partial.string() + ".damaged";
    fs::rename(final_dir, aside, ec);
    fs::remove_all(aside, ec);
    ec.clear();
  }
  fs::rename(partial, final_dir, ec);
  if (ec) {
    // Another copy of this run finished first; its result is the same (deterministic), keep that one.
    if (run_finished(dir, id)) {
      fs::remove_all(partial);
      return 0;
    }
    throw std::runtime_error("cannot move " + partial.string() + " to " + final_dir + ": " + ec.message());
  }
  out << "run " << id << " finished: " << final_dir << "\n";
  return 0;
}

int run_local(const Plan& plan, const std::string& dir, unsigned jobs, ProgressMode progress_mode, std::ostream& out) {
  std::vector<const Run*> todo;
  for (const auto& r : plan.runs)
    if (!run_finished(dir, r.id)) todo.push_back(&r);
  out << "sweep " << plan.name << ": " << plan.points.size() << " points, " << plan.runs.size() << " runs, "
      << plan.runs.size() - todo.size() << " already finished, " << todo.size() << " to run, " << jobs << " at a time\n"
      << std::flush;
  const std::string binary = self_binary();
  // Wall-clock time feeds the progress line only; it never reaches a result file.
  ProgressLine progress = make_stderr_progress(progress_mode);
  std::map<pid_t, const Run*> running;
  std::size_t next = 0, done = 0, failed = 0;
  int worst = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < jobs) {
      running[spawn_run(binary, dir, todo[next]->id)] = todo[next];
      ++next;
    }
    int raw = 0;
    const pid_t pid = waitpid(-1, &raw, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("waitpid failed while running the sweep");
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const Run* r = it->second;
    running.erase(it);
    ++done;
    const int status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    std::string what = "run ";
    what += r->id;
    if (status != 0) {
      // A failure is not progress chatter: it is printed on its own line, also with --quiet.
      ++failed;
      worst = (status == 2 || worst == 2) ? 2 : 1;
      const std::string log = (fs::path(dir) / "logs" / (r->id + ".log")).string();
      std::ostringstream line;
      line << "[" << done << "/" << todo.size() << "] " << what << " FAILED (exit " << status << ", " << log
           << "): " << first_error_line(log);
      progress.message(line.str());
      what += " FAILED";
    }
    progress.job_done(done, todo.size(), what);
  }
  progress.clear();
  if (failed) out << failed << " of " << todo.size() << " runs failed (logs in " << dir << "/logs)\n";
  return worst;
}

}  // namespace sparsim::sweep
