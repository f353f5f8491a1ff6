// GoogLeNet / Inception v1 (Szegedy et al., 2015, Table 1) for 224 x 224 inputs: the stem, every branch
// of the nine inception modules (1x1, 3x3_reduce, 3x3, 5x5_reduce, 5x5, pool_proj) and the classifier;
// the auxiliary classifiers (training-only heads) are left out. googlenet-han adds pruned densities.
#include <algorithm>
#include <array>
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

struct Inception {
  const char* name;
  std::int64_t hw, cin, c1x1, c3red, c3, c5red, c5, pool_proj;
};

// Table 1 of the paper; hw is the module's input resolution (max pools sit before 4a and 5a).
constexpr std::array<Inception, 9> kModules = {{
    {"inception_3a", 28, 192, 64, 96, 128, 16, 32, 32},
    {"inception_3b", 28, 256, 128, 128, 192, 32, 96, 64},
    {"inception_4a", 14, 480, 192, 96, 208, 16, 48, 64},
    {"inception_4b", 14, 512, 160, 112, 224, 24, 64, 64},
    {"inception_4c", 14, 512, 128, 128, 256, 24, 64, 64},
    {"inception_4d", 14, 512, 112, 144, 288, 32, 64, 64},
    {"inception_4e", 14, 528, 256, 160, 320, 32, 128, 128},
    {"inception_5a", 7, 832, 256, 160, 320, 32, 128, 128},
    {"inception_5b", 7, 832, 384, 192, 384, 48, 128, 128},
}};

Network googlenet() {
  Network net;
  net.name = "googlenet";
  Layer c1 = conv("conv1/7x7_s2", 3, 64, 224, 7, 2, 3);  // -> 112, max pool -> 56
  c1.needs_input_gradient = false;
  c1.sparsity.prunable = false;  // 3 input channels: no N:M groups along Cin
  net.layers.push_back(c1);
  net.layers.push_back(conv("conv2/3x3_reduce", 64, 64, 56, 1, 1, 0));
  net.layers.push_back(conv("conv2/3x3", 64, 192, 56, 3, 1, 1));  // max pool -> 28
  for (const auto& m : kModules) {
    const std::string p = std::string(m.name) + "/";
    net.layers.push_back(conv(p + "1x1", m.cin, m.c1x1, m.hw, 1, 1, 0));
    net.layers.push_back(conv(p + "3x3_reduce", m.cin, m.c3red, m.hw, 1, 1, 0));
    net.layers.push_back(conv(p + "3x3", m.c3red, m.c3, m.hw, 3, 1, 1));
    net.layers.push_back(conv(p + "5x5_reduce", m.cin, m.c5red, m.hw, 1, 1, 0));
    net.layers.push_back(conv(p + "5x5", m.c5red, m.c5, m.hw, 5, 1, 2));
    net.layers.push_back(conv(p + "pool_proj", m.cin, m.pool_proj, m.hw, 1, 1, 0));  // after a 3x3/1 max pool
  }
  net.layers.push_back(fc("loss3/classifier", 1024, 1000));  // after a 7x7 average pool
  mark_relu_inputs(net);
  return net;
}

// Weight / input-activation density per branch, in branch order (1x1, 3x3_reduce, 3x3, 5x5_reduce, 5x5,
// pool_proj), for the modules that shared/reference.md lists.
constexpr double k3aW[] = {.38, .42, .45, .36, .35, .43}, k3aA[] = {.71, .71, .67, .71, .77, .96};
constexpr double k5W[] = {.32, .33, .37, .33, .36, .32}, k5A[] = {.31, .31, .30, .31, .46, .57};

Network googlenet_han() {
  Network net = googlenet();
  net.name = "googlenet-han";
  // Listed: 3a, 5a and 5b. ASSUMPTION for the rest (documented in docs/workloads.md): modules 3b..4e take,
  // branch by branch, the linear interpolation between 3a (module 0) and 5a (module 7) by module index,
  // since density falls with depth in the listed data. The stem is not listed: conv1 takes AlexNet conv1's
  // weight density (.84, Han et al.) on the dense image; conv2's two convs take 3a's 3x3_reduce/3x3 weight
  // densities (.42/.45) with AlexNet conv2's input density (.88); the classifier takes AlexNet fc8's .25.
  auto set = [&](const std::string& name, double w, double a) {
    for (auto& l : net.layers)
      if (l.name == name) {
        l.sparsity.weight_density = w;
        l.sparsity.activation_density = a;
        l.sparsity.prunable = true;
      }
  };
  set("conv1/7x7_s2", .84, 1.0);
  set("conv2/3x3_reduce", .42, .88);
  set("conv2/3x3", .45, .88);
  const char* branches[] = {"1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj"};
  for (std::size_t i = 0; i < kModules.size(); ++i) {
    const double t = std::min(1.0, static_cast<double>(i) / 7.0);  // 5a and 5b: t = 1
    for (int b = 0; b < 6; ++b) {
      const double w = k3aW[b] + t * (k5W[b] - k3aW[b]);
      const double a = k3aA[b] + t * (k5A[b] - k3aA[b]);
      set(std::string(kModules[i].name) + "/" + branches[b], w, a);
    }
  }
  set("loss3/classifier", .25, 1.0);
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("googlenet", "GoogLeNet (Inception v1), 224x224, every inception branch (Szegedy et al. 2015)",
                         googlenet);
SPARSIM_REGISTER_NETWORK("googlenet-han",
                         "GoogLeNet with pruned densities (3a, 5a, 5b as published; others interpolated)",
                         googlenet_han);

}  // namespace sparsim
