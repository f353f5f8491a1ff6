// MobileNetV2 (Sandler et al., 2018, Table 2), width 1.0, 224 x 224: 3.4 M weights, 300 M MACs. Inverted
// residual blocks: 1x1 expansion, 3x3 depthwise (groups = channels), 1x1 linear projection.
#include <array>
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

struct Stage {
  std::int64_t t, c, n, s;  // expansion factor, output channels, repeats, stride of the first block
};

constexpr std::array<Stage, 7> kStages = {
    {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}};

Network mobilenetv2() {
  Network net;
  net.name = "mobilenetv2";
  Layer c1 = conv("conv1", 3, 32, 224, 3, 2, 1);  // -> 112
  c1.needs_input_gradient = false;
  c1.sparsity.prunable = false;  // 3 input channels: no N:M groups along Cin
  net.layers.push_back(c1);
  std::int64_t cin = 32, hw = 112;
  int block = 0;
  for (const auto& st : kStages) {
    for (std::int64_t i = 0; i < st.n; ++i, ++block) {
      const std::int64_t stride = i == 0 ? st.s : 1, hidden = cin * st.t;
      const std::string p = "block" + std::to_string(block) + ".";
      if (st.t != 1) net.layers.push_back(conv(p + "expand", cin, hidden, hw, 1, 1, 0));
      Layer dw = conv(p + "depthwise", hidden, hidden, hw, 3, stride, 1, hidden);
      // One input channel per group: no N:M groups along the reduction's channel dimension, only along
      // the 9 taps, so depthwise layers are kept dense like the first conv.
      dw.sparsity.prunable = false;
      dw.relu_input = true;  // after ReLU6 (of the expansion, or of conv1 in block 0)
      net.layers.push_back(dw);
      hw = dw.out_h();
      Layer project = conv(p + "project", hidden, st.c, hw, 1, 1, 0);
      project.relu_input = true;  // after ReLU6; its own output is linear, so the next expand is not
      net.layers.push_back(project);
      cin = st.c;
    }
  }
  net.layers.push_back(conv("conv_last", 320, 1280, 7, 1, 1, 0));
  Layer classifier = fc("classifier", 1280, 1000);  // after ReLU6 and global average pooling
  classifier.relu_input = true;
  net.layers.push_back(classifier);
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("mobilenetv2", "MobileNetV2 1.0, 224x224, depthwise + pointwise convs (Sandler et al. 2018)",
                         mobilenetv2);

}  // namespace sparsim
