#pragma once
// `sparsim explain REPORT.json [LAYER [PHASE]]`: where a run's cycles went, read from its report. Without
// a layer: per variant, busy cycles and every stall cause over the whole step, the slowest jobs of the
// design with their dominant cause, and the jobs slower than the baseline. With a layer (and phase):
// each matching job's cycles split into busy and stall causes, its utilization, mapping and estimate
// error, its DRAM traffic, and the top three reasons in words. Works for every model's report.
#include <ostream>
#include <string>
#include <vector>

namespace sparsim {

int explain_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace sparsim
