#include "sim/sweep/emit.hpp"

#include <filesystem>
#include <sstream>

#include "sim/report/report.hpp"
#include "sim/sweep/runner.hpp"

namespace sparsim::sweep {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string emit_jobs(const Plan& plan, const std::string& dir, const std::string& file, std::ostream& out) {
  // Absolute paths: the commands run from whatever directory parallel or Slurm starts them in, possibly on
  // other hosts that mount the same file system.
  const std::string abs_dir = fs::absolute(dir).lexically_normal().string();
  const fs::path jobs = fs::absolute(file).lexically_normal();
  const std::string binary = self_binary();
  std::ostringstream commands;
  for (const auto& r : plan.runs)
    commands << "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 " << shell_quote(binary) << " sweep --run-point "
             << shell_quote(abs_dir) << " " << r.id << " >" << shell_quote(abs_dir + "/logs/" + r.id + ".log")
             << " 2>&1\n";
  write_atomically(jobs.parent_path().string(), jobs.filename().string(), commands.str());

  fs::path script = jobs;
  script.replace_extension(".slurm");
  if (script == jobs) script += ".slurm";
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Slurm job array for sweep " << plan.name << ": task i runs line i of the jobs file. Submit with\n"
    << "#   sbatch " << script.filename().string() << "\n"
    << "# then merge with: sparsim sweep --collect " << abs_dir << "\n"
    << "#SBATCH --job-name=" << plan.name << "\n"
    << "#SBATCH --array=1-" << plan.runs.size() << "\n"
    << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"
    << "#SBATCH --output=" << abs_dir << "/logs/slurm-%A_%a.out\n"
    << "set -euo pipefail\n"
    << ": \"${SLURM_ARRAY_TASK_ID:?run this script through sbatch (or set SLURM_ARRAY_TASK_ID)}\"\n"
    << "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" " << shell_quote(jobs.string()) << ")\n"
    << "[ -n \"$line\" ] || { echo \"no job $SLURM_ARRAY_TASK_ID\" >&2; exit 2; }\n"
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
