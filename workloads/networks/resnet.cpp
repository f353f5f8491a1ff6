// ResNet-18 and ResNet-50 for 224 x 224 ImageNet inputs (He et al., 2016). Pooling, batch norm and
// element-wise additions are not GEMMs and are left out; every conv and the classifier are listed.
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network stem(const std::string& name) {
  Network net;
  net.name = name;
  Layer c1 = conv("conv1", 3, 64, 224, 7, 2, 3);
  c1.needs_input_gradient = false;  // no gradient into the image
  c1.sparsity.prunable = false;     // 3 input channels: no N:M groups along Cin
  net.layers.push_back(c1);
  return net;
}

Network resnet18() {
  Network net = stem("resnet18");
  std::int64_t cin = 64, hw = 56;  // after the 3x3/2 max pool
  const std::int64_t widths[] = {64, 128, 256, 512};
  for (int s = 0; s < 4; ++s) {
    for (int b = 0; b < 2; ++b) {
      const std::int64_t stride = (s > 0 && b == 0) ? 2 : 1;
      const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      net.layers.push_back(conv(p + "conv1", cin, widths[s], hw, 3, stride, 1));
      const std::int64_t out = hw / stride;
      net.layers.push_back(conv(p + "conv2", widths[s], widths[s], out, 3, 1, 1));
      if (stride != 1 || cin != widths[s])
        net.layers.push_back(conv(p + "downsample", cin, widths[s], hw, 1, stride, 0));
      cin = widths[s];
      hw = out;
    }
  }
  net.layers.push_back(fc("fc", 512, 1000));
  mark_relu_inputs(net);
  return net;
}

Network resnet50() {
  Network net = stem("resnet50");
  std::int64_t cin = 64, hw = 56;
  const std::int64_t widths[] = {64, 128, 256, 512};
  const int blocks[] = {3, 4, 6, 3};
  for (int s = 0; s < 4; ++s) {
    for (int b = 0; b < blocks[s]; ++b) {
      const std::int64_t stride = (s > 0 && b == 0) ? 2 : 1;  // torchvision v1.5: stride on the 3x3
      const std::int64_t w = widths[s], out_ch = widths[s] * 4, out = hw / stride;
      const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(b) + ".";
      net.layers.push_back(conv(p + "conv1", cin, w, hw, 1, 1, 0));
      net.layers.push_back(conv(p + "conv2", w, w, hw, 3, stride, 1));
      net.layers.push_back(conv(p + "conv3", w, out_ch, out, 1, 1, 0));
      if (b == 0) net.layers.push_back(conv(p + "downsample", cin, out_ch, hw, 1, stride, 0));
      cin = out_ch;
      hw = out;
    }
  }
  net.layers.push_back(fc("fc", 2048, 1000));
  mark_relu_inputs(net);
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("resnet18", "ResNet-18, ImageNet 224x224 (He et al. 2016): 20 convs + fc", resnet18);
SPARSIM_REGISTER_NETWORK("resnet50", "ResNet-50 v1.5, ImageNet 224x224 (He et al. 2016): 53 convs + fc", resnet50);

}  // namespace sparsim
