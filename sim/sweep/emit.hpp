#pragma once
// Jobs for engines that already exist: one shell command per run for GNU parallel (one host, or many with
// --sshloginfile over a shared file system) and a Slurm job-array script that runs line $SLURM_ARRAY_TASK_ID.
#include <ostream>
#include <string>

#include "sim/sweep/plan.hpp"

namespace sparsim::sweep {

// Writes FILE (commands) and the Slurm script next to it (FILE's stem + ".slurm"); returns the script path.
std::string emit_jobs(const Plan& plan, const std::string& dir, const std::string& file, std::ostream& out);

// Single-quotes a word for sh.
std::string shell_quote(const std::string& word);

}  // namespace sparsim::sweep
