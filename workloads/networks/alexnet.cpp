// AlexNet as in Caffe's bvlc_alexnet (Krizhevsky et al., 2012): 227 x 227 input, two-tower grouped convs
// (conv2, conv4, conv5 have groups = 2), 61 M weights and 0.72 G MACs. alexnet-han adds the pruned
// densities of Han et al. (NeurIPS 2015) from shared/reference.md. Pooling, LRN and biases are not GEMMs.
#include <string>
#include <vector>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network alexnet() {
  Network net;
  net.name = "alexnet";
  Layer c1 = conv("conv1", 3, 96, 227, 11, 4, 0);  // -> 55 x 55, max pool -> 27
  c1.needs_input_gradient = false;                 // no gradient into the image
  c1.sparsity.prunable = false;                    // 3 input channels: no N:M groups along Cin
  net.layers.push_back(c1);
  net.layers.push_back(conv("conv2", 96, 256, 27, 5, 1, 2, 2));  // max pool -> 13
  net.layers.push_back(conv("conv3", 256, 384, 13, 3, 1, 1));
  net.layers.push_back(conv("conv4", 384, 384, 13, 3, 1, 1, 2));
  net.layers.push_back(conv("conv5", 384, 256, 13, 3, 1, 1, 2));  // max pool -> 6
  net.layers.push_back(fc("fc6", 256 * 6 * 6, 4096));
  net.layers.push_back(fc("fc7", 4096, 4096));
  net.layers.push_back(fc("fc8", 4096, 1000));
  mark_relu_inputs(net);
  return net;
}

Network alexnet_han() {
  Network net = alexnet();
  net.name = "alexnet-han";
  // Weight density and input-activation density per layer (Han et al. 2015); fc inputs are not listed
  // there and stay dense (1.0), as in vgg16-han. Han et al. prune conv1 too, so every layer is prunable.
  const std::vector<double> weights = {.84, .38, .35, .37, .37, .09, .09, .25};
  const std::vector<double> acts = {1.0, .88, .52, .37, .40, 1.0, 1.0, 1.0};
  set_pruned_densities(net, weights, acts);
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("alexnet", "AlexNet (Caffe bvlc_alexnet, grouped), 227x227: 5 convs + 3 fc", alexnet);
SPARSIM_REGISTER_NETWORK("alexnet-han", "AlexNet with the pruned weight/activation densities of Han et al. 2015",
                         alexnet_han);

}  // namespace sparsim
