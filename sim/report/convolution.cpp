#include "sim/report/convolution.hpp"

#include <algorithm>

namespace sparsim {

bool has_winograd(const TrainingStep& step) {
  return std::any_of(step.ops.begin(), step.ops.end(),
                     [](const GemmOp& op) { return op.conv_algorithm != ConvAlgorithm::Direct; });
}

const GemmOp* op_of_job(const TrainingStep& step, const JobResult& job) {
  for (const GemmOp& op : step.ops)
    if (op.layer_index == job.layer_index && op.phase == job.phase) return &op;
  return nullptr;
}

nlohmann::ordered_json convolution_json(const GemmOp& op, const JobResult& job) {
  const auto gemm = static_cast<std::uint64_t>(op.macs());
  const double direct = static_cast<double>(op.direct_macs);
  const double direct_effectual = direct * op.direct_density;
  const double effectual = op.effectual_macs();
  nlohmann::ordered_json c;
  c["algorithm"] = conv_algorithm_name(op.conv_algorithm);
  c["direct_macs"] = op.direct_macs;              // the direct convolution, dense
  c["direct_effectual_macs"] = direct_effectual;  // ... with both operands non-zero (spatial densities)
  c["gemm_macs"] = gemm;                          // this op's multiplication stage, dense
  c["a_density"] = op.a_density;                  // of its operands (Winograd: transformed)
  c["b_density"] = op.b_density;
  c["effectual_macs"] = effectual;     // ... with both operands non-zero
  c["issued_macs"] = job.issued_macs;  // what the hardware multiplied
  c["skipped_macs"] = gemm - std::min(gemm, job.issued_macs);
  c["transform_adds"] = op.transform_adds;
  c["transform_const_mults"] = op.transform_const_mults;
  c["issued_reduction_vs_direct"] = job.issued_macs > 0 ? direct / static_cast<double>(job.issued_macs) : 0.0;
  c["effectual_reduction_vs_direct"] = effectual > 0 ? direct / effectual : 0.0;
  c["effectual_reduction_vs_direct_sparse"] = effectual > 0 ? direct_effectual / effectual : 0.0;
  return c;
}

const std::vector<std::string>& convolution_csv_columns() {
  static const std::vector<std::string> c = {"algorithm",      "direct_macs",    "direct_effectual_macs", "gemm_macs",
                                             "effectual_macs", "transform_adds", "transform_const_mults"};
  return c;
}

const std::vector<std::string>& convolution_csv_variant_columns() {
  static const std::vector<std::string> c = {"issued_macs", "skipped_macs"};
  return c;
}

}  // namespace sparsim
