// OverFeat "fast" model (Sermanet et al., ICLR 2014, Table 1) for 231 x 231 inputs: 5 convs + 3 fc.
// Max pools (2x2, stride 2) follow conv1, conv2 and conv5; they are not GEMMs and are folded into the next
// layer's input size. The cDMA paper (Rhu et al., HPCA 2018) trains it with vDNN.
#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network overfeat() {
  Network net;
  net.name = "overfeat";
  Layer c1 = conv("conv1", 3, 96, 231, 11, 4, 0);  // -> 56 x 56, pool -> 28
  c1.needs_input_gradient = false;                 // no gradient into the image
  c1.sparsity.prunable = false;                    // 3 input channels: no N:M groups along Cin
  net.layers.push_back(c1);
  net.layers.push_back(conv("conv2", 96, 256, 28, 5, 1, 0));  // -> 24, pool -> 12
  net.layers.push_back(conv("conv3", 256, 512, 12, 3, 1, 1));
  net.layers.push_back(conv("conv4", 512, 1024, 12, 3, 1, 1));
  net.layers.push_back(conv("conv5", 1024, 1024, 12, 3, 1, 1));  // pool -> 6
  net.layers.push_back(fc("fc6", 1024 * 6 * 6, 3072));
  net.layers.push_back(fc("fc7", 3072, 4096));
  net.layers.push_back(fc("fc8", 4096, 1000));
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("overfeat", "OverFeat fast model, 231x231 (Sermanet et al. 2014): 5 convs + 3 fc", overfeat);

}  // namespace sparsim
