#include "sim/sweep/emit.hpp"

#include <filesystem>
#include <sstream>

#include "sim/errors.hpp"
#include "sim/report/report.hpp"
#include "sim/sweep/runner.hpp"

namespace sparsim::sweep {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {

// The value of an #SBATCH directive, double-quoted: sbatch splits an unquoted value at a space (and then
// refuses the script: "Invalid directive found in batch script").
std::string sbatch_value(const std::string& value) {
  if (value.find_first_of("\"\n") != std::string::npos)
    throw InputError("cannot write " + value + " into a Slurm #SBATCH line (it holds '\"' or a newline)");
  return "\"" + value + "\"";
}

// A literal part of a Slurm file name pattern: sbatch replaces %A, %a, %j, ... anywhere in --output.
std::string pattern_literal(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

}  // namespace

std::string emit_jobs(const Plan& plan, const std::string& dir, const std::string& file, std::ostream& out) {
  // Absolute paths: the commands run from whatever directory parallel or Slurm starts them in, possibly on
  // other hosts that mount the same file system.
  const std::string abs_dir = fs::absolute(dir).lexically_normal().string();
  const fs::path jobs = fs::absolute(file).lexically_normal();
  const std::string binary = self_binary();
  // One command per line: a path with a newline would split a command. Checked before anything is written.
  for (const std::string& p : {abs_dir, jobs.string(), binary})
    if (p.find('\n') != std::string::npos) throw InputError("a path with a newline cannot go into a jobs file: " + p);
  const std::string output_directive = sbatch_value(pattern_literal(abs_dir + "/logs/") + "slurm-%A_%a.out");
  std::ostringstream commands;
  for (const auto& r : plan.runs)
    commands << "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " << shell_quote(binary) << " sweep --run-point "
             << shell_quote(abs_dir) << " " << r.id << " >" << shell_quote(abs_dir + "/logs/" + r.id + ".log")
             << " 2>&1\n";
  write_atomically(jobs.parent_path().string(), jobs.filename().string(), commands.str());

  fs::path script = jobs;
  script.replace_extension(".slurm");
  if (script == jobs) script += ".slurm";
  // A task works in the sweep directory (on the shared file system; Slurm starts it in the submitting
  // shell's directory, which a compute node may lack) and writes which host ran which command into
  // logs/slurm-<array job>_<task>.out.
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Slurm job array for sweep " << plan.name << ": task i runs line i of the jobs file. Submit with\n"
    << "#   sbatch " << script.filename().string() << "\n"
    << "# then merge with: sparsim sweep --collect " << abs_dir << "\n"
    << "#SBATCH --job-name=" << plan.name << "\n"
    << "#SBATCH --array=1-" << plan.runs.size() << "\n"
    << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << output_directive << "\n"
    << "set -euo pipefail\n"
    << "cd " << shell_quote(abs_dir) << "\n"
    << ": \"${SLURM_ARRAY_TASK_ID:?run this script through sbatch (or set SLURM_ARRAY_TASK_ID)}\"\n"
    << "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " << shell_quote(jobs.string()) << ")\n"
    << "[ -n \"$line\" ] || { echo \"no job $SLURM_ARRAY_TASK_ID\" >&2; exit 2; }\n"
    << "echo \"task $SLURM_ARRAY_TASK_ID on $(hostname) in $PWD: $line\"\n"
    << "eval \"$line\"\n";
  write_atomically(script.parent_path().string(), script.filename().string(), s.str());
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);

  out << "sweep " << plan.name << ": " << plan.points.size() << " points, " << plan.runs.size() << " runs\n"
      << "jobs:  " << jobs.string()
      << "   (parallel --jobs N < FILE; several hosts: parallel --sshloginfile HOSTS < FILE)\n"
      << "slurm: " << script.string() << "   (sbatch " << script.string() << ")\n"
      << "then:  sparsim sweep --collect " << abs_dir << "\n";
  return script.string();
}

}  // namespace sparsim::sweep
