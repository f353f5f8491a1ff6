#pragma once
// Network-level comparison of SCNN with its dense baselines: cycles and energy per variant (from the jobs'
// counters and the energy table), speedups, energy ratios and the ideal bound, for RunResults::extra.
#include <nlohmann/json.hpp>

#include "models/scnn/controller.hpp"
#include "sim/energy.hpp"

namespace sparsim::scnn {

nlohmann::ordered_json summarize(const std::vector<JobResult>& jobs, const std::vector<OpPlan>& plans,
                                 const TrainingStep& step, const EnergyTable& table);

}  // namespace sparsim::scnn
