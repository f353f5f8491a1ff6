#pragma once
// Winograd runs: per job, the multiplications the element-wise stage issued and skipped next to what
// the direct convolution of the same layer and phase multiplies, and the transforms' additions. Only runs
// with a Winograd-lowered op carry them, so direct runs' reports stay as they were.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/result.hpp"
#include "workloads/network.hpp"

namespace sparsim {

bool has_winograd(const TrainingStep& step);
// The op of a job: the step's op of the job's layer and phase, or nullptr.
const GemmOp* op_of_job(const TrainingStep& step, const JobResult& job);
// The job's "convolution" object in report.json.
nlohmann::ordered_json convolution_json(const GemmOp& op, const JobResult& job);
// layers.csv's columns from it: the shared ones, then per variant (issued, skipped).
const std::vector<std::string>& convolution_csv_columns();
const std::vector<std::string>& convolution_csv_variant_columns();

}  // namespace sparsim
