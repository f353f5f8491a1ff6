#pragma once
// Running a sweep's runs: one at a time as a cluster job (`sparsim sweep --run-point DIR ID`), or N at a
// time on this machine, each in its own process (SystemC elaborates one design per process).
#include <ostream>
#include <string>

#include "sim/progress.hpp"
#include "sim/sweep/plan.hpp"

namespace sparsim::sweep {

// Simulates run ID of the plan in DIR into a private partial directory and renames it to DIR/points/ID
// when it succeeded, so a killed run leaves nothing that looks finished. A finished run is not redone.
int run_point(const std::string& dir, const std::string& id, std::ostream& out);

// Runs every unfinished run of the plan, `jobs` at a time, with a progress line and an ETA on stderr
// (sim/progress.hpp; a failed run is always reported on its own line). Returns 0 when all succeeded, 2 if
// a run failed on bad input, else 1.
int run_local(const Plan& plan, const std::string& dir, unsigned jobs, ProgressMode progress, std::ostream& out);

// Absolute path of the running sparsim binary (/proc/self/exe).
std::string self_binary();

}  // namespace sparsim::sweep
