// Per-layer input-activation densities for the offload study. The cDMA paper (Rhu et al., HPCA 2018)
// measures them over training but its per-layer values are not available to us as numbers, so:
//  - AlexNet, VGG-16 and GoogLeNet conv inputs take the published input-activation densities of Han et al.
//    (NeurIPS 2015) through the library's "-han" networks (GoogLeNet: 3a, 5a, 5b published, the modules in
//    between interpolated there);
//  - every other conv input (OverFeat, NiN, SqueezeNet, networks without a profile) follows a depth
//    model: 0.88 for the first ReLU'd input (AlexNet conv2, Han et al.) falling linearly to 0.30 at the
//    last layer's input (VGG-16 conv5_3 .29, GoogLeNet 5b .31, Han et al.);
//  - an fc input after a conv (a pooled ReLU map) takes the density of the last conv's input, and an fc
//    input after an fc takes 0.25 = ReLU output 0.5 x dropout keep 0.5 during training (assumptions).
//  - the network input (image) is dense.
// A network that declares its own input-activation densities (a training trace's measured ones, a network
// file's) overrides all of these for those layers.
// docs/cdma.md lists these assumptions next to the paper's figures.
#include <string>

#include "models/cdma/plan.hpp"
#include "workloads/library.hpp"

namespace sparsim::cdma {

namespace {

constexpr double kFirstRelu = 0.88, kLastRelu = 0.30, kFcAfterFc = 0.25;

std::string base_name(const std::string& name) {
  const std::string suffix = "-han";
  if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    return name.substr(0, name.size() - suffix.size());
  return name;
}

}  // namespace

DensityProfile density_profile(const Network& net) {
  const std::size_t n = net.layers.size();
  DensityProfile p;
  p.density.assign(n, 1.0);
  p.source.assign(n, "network input (dense image)");
  const std::string base = base_name(net.name);
  const NetworkInfo* han = NetworkLibrary::instance().find(base + "-han");
  Network published;
  if (han && (base == "alexnet" || base == "vgg16" || base == "googlenet")) published = han->build();
  const bool use_published = published.layers.size() == n;
  int last_conv_input = -1;
  for (std::size_t j = 1; j < n; ++j) {
    const Layer& l = net.layers[j];
    if (l.sparsity.activation_density < 1.0) {
      p.density[j] = l.sparsity.activation_density;
      p.source[j] = "the network's own (" + net.source + ")";
      if (l.kind != LayerKind::FullyConnected) last_conv_input = static_cast<int>(j);
      continue;
    }
    if (l.kind == LayerKind::FullyConnected) {
      if (net.layers[j - 1].kind == LayerKind::FullyConnected) {
        p.density[j] = kFcAfterFc;
        p.source[j] = "assumption: fc after fc, ReLU 0.5 x dropout keep 0.5";
      } else {
        p.density[j] = last_conv_input >= 0 ? p.density[static_cast<std::size_t>(last_conv_input)] : kLastRelu;
        p.source[j] = "assumption: pooled last conv map, density of the last conv's input";
      }
      continue;
    }
    last_conv_input = static_cast<int>(j);
    if (use_published && published.layers[j].name == l.name) {
      p.density[j] = published.layers[j].sparsity.activation_density;
      p.source[j] = "Han et al. 2015 via " + published.name;
      continue;
    }
    const double t = n > 2 ? static_cast<double>(j - 1) / static_cast<double>(n - 2) : 0.0;
    p.density[j] = kFirstRelu + t * (kLastRelu - kFirstRelu);
    p.source[j] = "assumption: depth model 0.88 -> 0.30";
  }
  return p;
}

}  // namespace sparsim::cdma
