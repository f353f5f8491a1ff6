// SqueezeNet v1.0 (Iandola et al., 2016, Table 1) for 227 x 227 inputs: conv1, eight fire modules (squeeze
// 1x1, then expand 1x1 and expand 3x3 side by side on the squeeze output, concatenated) and conv10. Max
// pools (3x3, stride 2) after conv1, fire4 and fire8 are folded into the next layer's input size; the
// global average pool at the end is not a GEMM.
#include <array>
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

struct Fire {
  int index;
  std::int64_t hw, cin, squeeze, expand;  // expand: channels of each of the two expand convs
};

constexpr std::array<Fire, 8> kFires = {{
    {2, 55, 96, 16, 64},
    {3, 55, 128, 16, 64},
    {4, 55, 128, 32, 128},  // max pool after -> 27
    {5, 27, 256, 32, 128},
    {6, 27, 256, 48, 192},
    {7, 27, 384, 48, 192},
    {8, 27, 384, 64, 256},  // max pool after -> 13
    {9, 13, 512, 64, 256},
}};

Network squeezenet() {
  Network net;
  net.name = "squeezenet";
  Layer c1 = conv("conv1", 3, 96, 227, 7, 2, 0);  // -> 111, pool -> 55
  c1.needs_input_gradient = false;
  c1.sparsity.prunable = false;
  net.layers.push_back(c1);
  for (const auto& f : kFires) {
    const std::string p = "fire" + std::to_string(f.index) + "/";
    net.layers.push_back(conv(p + "squeeze1x1", f.cin, f.squeeze, f.hw, 1, 1, 0));
    net.layers.push_back(conv(p + "expand1x1", f.squeeze, f.expand, f.hw, 1, 1, 0));
    net.layers.push_back(conv(p + "expand3x3", f.squeeze, f.expand, f.hw, 3, 1, 1));
  }
  net.layers.push_back(conv("conv10", 512, 1000, 13, 1, 1, 0));
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("squeezenet", "SqueezeNet v1.0, 227x227 (Iandola et al. 2016): conv1, 8 fire modules, conv10",
                         squeezenet);

}  // namespace sparsim
