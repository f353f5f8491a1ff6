#include "models/cdma/plan.hpp"

#include <algorithm>

namespace sparsim::cdma {

namespace {

std::string module_prefix(const std::string& name) {
  const auto slash = name.rfind('/');
  return slash == std::string::npos ? std::string() : name.substr(0, slash);
}

std::uint64_t input_elements(const Layer& l, std::int64_t batch) {
  switch (l.kind) {
    case LayerKind::Conv:
      return static_cast<std::uint64_t>(batch * l.cin * l.h * l.w);
    case LayerKind::FullyConnected:
      return static_cast<std::uint64_t>(batch * l.cin * l.tokens);
    case LayerKind::MatMul:
      return static_cast<std::uint64_t>(batch * l.count * l.m * l.k);
  }
  return 0;
}

// Layer j reads the same tensor as an earlier layer i of its module (an inception or fire module's
// parallel branches) when both sit under the same "<module>/" prefix with the same input shape, j is not a
// pool projection (its input is the pooled tensor), and the layer just before j does not produce j's input.
int shared_with(const Network& net, std::size_t j) {
  const Layer& lj = net.layers[j];
  const std::string prefix = module_prefix(lj.name);
  if (prefix.empty() || lj.name.find("pool") != std::string::npos || j == 0) return -1;
  if (net.layers[j - 1].cout == lj.cin && module_prefix(net.layers[j - 1].name) == prefix &&
      net.layers[j - 1].kind == LayerKind::Conv && net.layers[j - 1].out_h() == lj.h)
    return -1;
  for (std::size_t i = 0; i < j; ++i) {
    const Layer& li = net.layers[i];
    if (module_prefix(li.name) == prefix && li.kind == lj.kind && li.cin == lj.cin && li.h == lj.h && li.w == lj.w &&
        li.name.find("pool") == std::string::npos)
      return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::vector<TensorPlan> build_plan(const Network& net, const PlanOptions& options) {
  const DensityProfile profile = density_profile(net);
  std::vector<TensorPlan> tensors;
  std::vector<int> tensor_of(net.layers.size(), -1);
  for (std::size_t j = 0; j < net.layers.size(); ++j) {
    const int i = shared_with(net, j);
    if (i >= 0) {
      tensor_of[j] = tensor_of[static_cast<std::size_t>(i)];
      tensors[static_cast<std::size_t>(tensor_of[j])].consumers.push_back(static_cast<int>(j));
    } else {
      TensorPlan t;
      t.id = static_cast<int>(tensors.size());
      t.name = net.layers[j].name + ".in";
      t.consumers = {static_cast<int>(j)};
      t.bytes = (input_elements(net.layers[j], options.batch) * options.bytes_per_element + 3) / 4 * 4;
      t.density = profile.density[j];
      t.density_source = profile.source[j];
      if (options.density_override >= 0 && j > 0) {
        t.density = options.density_override;
        t.density_source = "workload.sparsity.activation_density";
      }
      tensor_of[j] = t.id;
      tensors.push_back(t);
    }
    // A pool between conv j and layer j+1: its input is conv j's output (channels as the next layer reads
    // them, which also covers a concatenation of branches, e.g. GoogLeNet before 4a and 5a).
    if (j + 1 < net.layers.size() && net.layers[j].kind == LayerKind::Conv) {
      const Layer& l = net.layers[j];
      const Layer& next = net.layers[j + 1];
      const bool pooled =
          next.kind == LayerKind::FullyConnected || (next.kind == LayerKind::Conv && next.h < l.out_h());
      if (pooled) {
        TensorPlan p;
        p.id = static_cast<int>(tensors.size());
        p.name = l.name + ".out";
        p.consumers = {static_cast<int>(j)};
        p.pool_input = true;
        const std::int64_t channels = next.kind == LayerKind::Conv ? next.cin : l.cout;
        const auto elems = static_cast<std::uint64_t>(options.batch * channels * l.out_h() * l.out_w());
        p.bytes = (elems * options.bytes_per_element + 3) / 4 * 4;
        // Max pooling can only raise density, so taking the pooled map's density understates compression.
        p.density = options.density_override >= 0 ? options.density_override : profile.density[j + 1];
        p.density_source = options.density_override >= 0 ? "workload.sparsity.activation_density"
                                                         : "assumption: pool input at the pooled map's density";
        tensors.push_back(p);
      }
    }
  }
  const int last = static_cast<int>(net.layers.size()) - 1;
  for (auto& t : tensors) {
    if (t.pool_input) {
      const int j = t.first_consumer();
      t.issue_layer = j;
      t.release_layer = j + 1;
      t.need_layer = j;
      t.prefetch_layer = j + 1;
      t.free_layer = j;
      t.offloaded = options.policy == "all";
      continue;
    }
    t.issue_layer = t.first_consumer();
    t.release_layer = t.last_consumer() + 1;
    t.need_layer = t.last_consumer();
    t.prefetch_layer = t.last_consumer() + 1;
    t.free_layer = t.first_consumer();
    // The last layer's input is needed again right away by the first backward op: vDNN keeps it.
    const bool needed_first = t.last_consumer() == last;
    bool conv_only = true;
    for (int c : t.consumers) conv_only = conv_only && net.layers[static_cast<std::size_t>(c)].kind == LayerKind::Conv;
    t.offloaded = !needed_first && (options.policy == "all" || conv_only);
  }
  return tensors;
}

}  // namespace sparsim::cdma
