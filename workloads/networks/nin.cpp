// Network in Network for ImageNet (Lin et al., ICLR 2014; the Caffe model-zoo "NIN-Imagenet" definition):
// four mlpconv blocks, each a spatial conv followed by two 1x1 convs (cccp), 224 x 224 input. Max pools
// (3x3, stride 2, Caffe's ceil rounding) follow the first three blocks and are folded into the next input
// size; the global average pool at the end is not a GEMM.
#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network nin() {
  Network net;
  net.name = "nin";
  Layer c1 = conv("conv1", 3, 96, 224, 11, 4, 0);  // -> 54
  c1.needs_input_gradient = false;
  c1.sparsity.prunable = false;
  net.layers.push_back(c1);
  net.layers.push_back(conv("cccp1", 96, 96, 54, 1, 1, 0));
  net.layers.push_back(conv("cccp2", 96, 96, 54, 1, 1, 0));  // pool -> 27
  net.layers.push_back(conv("conv2", 96, 256, 27, 5, 1, 2));
  net.layers.push_back(conv("cccp3", 256, 256, 27, 1, 1, 0));
  net.layers.push_back(conv("cccp4", 256, 256, 27, 1, 1, 0));  // pool -> 13
  net.layers.push_back(conv("conv3", 256, 384, 13, 3, 1, 1));
  net.layers.push_back(conv("cccp5", 384, 384, 13, 1, 1, 0));
  net.layers.push_back(conv("cccp6", 384, 384, 13, 1, 1, 0));  // pool -> 6
  net.layers.push_back(conv("conv4-1024", 384, 1024, 6, 3, 1, 1));
  net.layers.push_back(conv("cccp7-1024", 1024, 1024, 6, 1, 1, 0));
  net.layers.push_back(conv("cccp8-1024", 1024, 1000, 6, 1, 1, 0));  // global average pool -> 1000 classes
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("nin", "Network in Network (ImageNet, Lin et al. 2014): 4 mlpconv blocks, 12 convs", nin);

}  // namespace sparsim
