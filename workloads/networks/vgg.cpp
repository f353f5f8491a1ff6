// VGG-16 (Simonyan and Zisserman, 2015) for 224 x 224 inputs, dense and with the pruned densities of
// Han et al. (NeurIPS 2015) as collected in shared/reference.md.
#include <string>
#include <vector>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network vgg16() {
  Network net;
  net.name = "vgg16";
  const int convs_per_stage[] = {2, 2, 3, 3, 3};
  const std::int64_t widths[] = {64, 128, 256, 512, 512};
  std::int64_t cin = 3, hw = 224;
  for (int s = 0; s < 5; ++s) {
    for (int i = 0; i < convs_per_stage[s]; ++i) {
      net.layers.push_back(
          conv("conv" + std::to_string(s + 1) + "_" + std::to_string(i + 1), cin, widths[s], hw, 3, 1, 1));
      cin = widths[s];
    }
    hw /= 2;  // 2x2 max pool
  }
  net.layers.front().needs_input_gradient = false;
  net.layers.front().sparsity.prunable = false;
  net.layers.push_back(fc("fc6", 512 * 7 * 7, 4096));
  net.layers.push_back(fc("fc7", 4096, 4096));
  net.layers.push_back(fc("fc8", 4096, 1000));
  mark_relu_inputs(net);
  return net;
}

Network vgg16_han() {
  Network net = vgg16();
  net.name = "vgg16-han";
  // Weight density and input-activation density per layer (Han et al. 2015); fc inputs unlisted -> 1.0.
  const std::vector<double> weights = {.58, .22, .34, .36, .53, .24, .42, .32, .27, .34, .35, .29, .36, .04, .04, .23};
  const std::vector<double> acts = {1.0, .53, .89, .80, .81, .68, .70, .64, .51, .45, .34, .32, .29, 1.0, 1.0, 1.0};
  set_pruned_densities(net, weights, acts);
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("vgg16", "VGG-16, ImageNet 224x224 (Simonyan and Zisserman 2015): 13 convs + 3 fc", vgg16);
SPARSIM_REGISTER_NETWORK("vgg16-han", "VGG-16 with the pruned weight/activation densities of Han et al. 2015",
                         vgg16_han);

}  // namespace sparsim
