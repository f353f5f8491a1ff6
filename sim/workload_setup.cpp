#include "sim/workload_setup.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "sim/accelerator.hpp"
#include "sim/errors.hpp"
#include "workloads/layer_masks.hpp"
#include "workloads/library.hpp"
#include "workloads/profiles.hpp"
#include "workloads/winograd.hpp"

namespace sparsim {

namespace {
std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}
}  // namespace

Network configured_network(const Config& cfg) {
  const std::string& name = cfg.str("workload.network");
  Network net;
  try {
    net = NetworkLibrary::instance().find(name) ? load_network(name)
                                                : load_network(cfg.resolved_path("workload.network"));
  } catch (const InputError& e) {
    // A missing file is the config's fault: say where the config named it.
    if (!NetworkLibrary::instance().find(name) && std::string(e.what()).find("neither a built-in") != std::string::npos)
      cfg.fail("workload.network", "'" + name + "' is neither a built-in network nor a readable file");
    throw;
  }

  const std::string profile = cfg.str("workload.sparsity.profile");
  if (!profile.empty())
    apply_sparsity_profile(net, profile, cfg.origin("workload.sparsity.profile") + ": workload.sparsity.profile");
  // The profile's nm= item and workload.sparsity.n/m both set the N:M pattern: given together they are
  // an error; the profile's wins over n/m's defaults (which would otherwise silently replace it).
  bool profile_nm = false;
  for (const auto& item : split_commas(profile)) profile_nm = profile_nm || item.rfind("nm=", 0) == 0;
  // (n = m = 0 given explicitly means "keep the network's own sparsity": no conflict.)
  const bool nm_given = (cfg.origin("workload.sparsity.n") != "default" && cfg.i64("workload.sparsity.n") > 0) ||
                        (cfg.origin("workload.sparsity.m") != "default" && cfg.i64("workload.sparsity.m") > 0);
  if (profile_nm && nm_given)
    cfg.fail(cfg.origin("workload.sparsity.n") != "default" ? "workload.sparsity.n" : "workload.sparsity.m",
             "the N:M pattern is also set by workload.sparsity.profile (" + cfg.origin("workload.sparsity.profile") +
                 "): give it in one place");
  const auto n = profile_nm ? 0 : cfg.i64("workload.sparsity.n");
  const auto m = profile_nm ? 0 : cfg.i64("workload.sparsity.m");
  if ((n == 0) != (m == 0))
    cfg.fail(n == 0 ? "workload.sparsity.n" : "workload.sparsity.m",
             "set both N and M (or both 0 to keep the network's own sparsity)");
  if (n > m)
    cfg.fail("workload.sparsity.n", "N (" + std::to_string(n) + ") must not exceed M (" + std::to_string(m) + ")");
  for (auto& layer : net.layers) {
    if (n > 0 && layer.kind != LayerKind::MatMul)
      layer.sparsity.nm = NMPattern{static_cast<int>(n), static_cast<int>(m)};
    if (cfg.is_set("workload.sparsity.weight_density") && layer.kind != LayerKind::MatMul && layer.sparsity.prunable)
      layer.sparsity.weight_density = cfg.f64("workload.sparsity.weight_density");
    if (cfg.is_set("workload.sparsity.activation_density"))
      layer.sparsity.activation_density = cfg.f64("workload.sparsity.activation_density");
    if (cfg.is_set("workload.sparsity.gradient_density"))
      layer.sparsity.gradient_density = cfg.f64("workload.sparsity.gradient_density");
    if (cfg.is_set("workload.sparsity.gate_gradient_density") && layer.rnn)
      layer.sparsity.gate_gradient_density = cfg.f64("workload.sparsity.gate_gradient_density");
    // Winograd: the config's algorithm for every eligible conv the network file leaves open; a layer's own
    // `algorithm:` was checked for eligibility when the file was read.
    if (!layer.algorithm && winograd_ineligible_reason(layer).empty())
      layer.algorithm = parse_conv_algorithm(cfg.str("workload.conv_algorithm"));
    if (cfg.is_set("workload.sparsity.winograd_weight_density") && layer.sparsity.prunable)
      layer.sparsity.winograd_weight_density = cfg.f64("workload.sparsity.winograd_weight_density");
    if (cfg.is_set("workload.sparsity.winograd_activation_density"))
      layer.sparsity.winograd_activation_density = cfg.f64("workload.sparsity.winograd_activation_density");
  }

  const auto wanted = split_commas(cfg.str("workload.layers"));
  if (!wanted.empty()) {
    std::set<std::string> known;
    for (const auto& l : net.layers) known.insert(l.name);
    for (const auto& w : wanted)
      if (!known.count(w)) cfg.fail("workload.layers", "network '" + net.name + "' has no layer '" + w + "'");
    std::vector<Layer> kept;
    for (const auto& l : net.layers)
      if (std::find(wanted.begin(), wanted.end(), l.name) != wanted.end()) kept.push_back(l);
    net.layers = std::move(kept);
  }
  // Models read the bitmaps (SCNN's grids, functional runs): a damaged mask file is an input error before
  // anything is simulated, not halfway through a run. Streams each file through a small buffer.
  check_mask_files(net, true);
  return net;
}

std::vector<Phase> configured_phases(const Config& cfg) {
  std::vector<Phase> phases;
  for (const auto& p : split_commas(cfg.str("workload.phases"))) {
    if (p == "FF") phases.push_back(Phase::FF);
    if (p == "BP") phases.push_back(Phase::BP);
    if (p == "WU") phases.push_back(Phase::WU);
  }
  return phases;
}

TrainingStep configured_training_step(const Config& cfg) {
  TrainingStep step = expand_training_step(configured_network(cfg), cfg.i64("workload.batch"), configured_phases(cfg));
  // Spatially pruned weights through the Winograd transform: the exact fill-in of the layer's own mask.
  apply_weight_fill_in(step, static_cast<std::uint64_t>(cfg.i64("run.seed")));
  return step;
}

void check_winograd_support(const Config& cfg, const AcceleratorInfo& info, const TrainingStep& step) {
  if (info.winograd) return;
  for (const GemmOp& op : step.ops) {
    if (op.conv_algorithm == ConvAlgorithm::Direct) continue;
    std::string why = "accelerator '";
    why += info.name;
    why += "' does not run Winograd convolutions";
    if (!info.no_winograd_why.empty()) {
      why += ": ";
      why += info.no_winograd_why;
    }
    why += " (docs/winograd.md)";
    if (cfg.str("workload.conv_algorithm") != "direct") cfg.fail("workload.conv_algorithm", why);
    const Layer& l = step.network.layers[static_cast<std::size_t>(op.layer_index)];
    std::string where = step.network.source;
    if (l.source_line > 0) {
      where += ':';
      where += std::to_string(l.source_line);
    }
    throw InputError(located(where, "layer " + l.name + ".algorithm", why));
  }
}

}  // namespace sparsim
