#include "models/transform/winograd_check.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "workloads/winograd.hpp"

namespace sparsim::transform {

double winograd_check_error(const Layer& l, ConvAlgorithm a, std::uint64_t seed) {
  const int h = static_cast<int>(std::min<std::int64_t>(l.h, 16)),
            w = static_cast<int>(std::min<std::int64_t>(l.w, 16));
  const int pad = static_cast<int>(std::min<std::int64_t>(l.pad, 1));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<double> in(static_cast<std::size_t>(h * w)), k(9);
  for (double& x : in) x = u(rng);
  for (double& x : k) x = u(rng);
  const std::vector<double> direct = direct_conv2d(in, h, w, k, pad), wino = winograd_conv2d(in, h, w, k, pad, a);
  double err = 0.0;
  for (std::size_t i = 0; i < direct.size(); ++i) err = std::max(err, std::abs(direct[i] - wino[i]));
  return err;
}

}  // namespace sparsim::transform
