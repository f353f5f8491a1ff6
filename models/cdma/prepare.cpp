#include "models/cdma/offload_path.hpp"

namespace sparsim::cdma {

void prepare_offload(const Params& params, const RunContext& context, std::vector<TensorPlan>& tensors,
                     std::vector<TensorData>& data) {
  const Config& cfg = context.config;
  PlanOptions po;
  po.batch = context.step.batch;
  po.bytes_per_element = static_cast<int>(params.bytes_per_element);
  po.policy = params.offload_policy;
  if (cfg.is_set("workload.sparsity.activation_density"))
    po.density_override = cfg.f64("workload.sparsity.activation_density");
  tensors = build_plan(context.step.network, po);
  SampleOptions so;
  so.chunk_bytes = static_cast<std::uint64_t>(params.chunk_bytes);
  so.sample_chunks = static_cast<std::uint64_t>(params.sample_chunks);
  so.clustering = params.clustering;
  so.bytes_per_element = po.bytes_per_element;
  so.zlib_level = params.zlib_level;
  so.seed = context.seed;
  data.clear();
  for (const auto& t : tensors) data.push_back(t.offloaded ? sample_tensor(t, so) : TensorData{});
}

}  // namespace sparsim::cdma
