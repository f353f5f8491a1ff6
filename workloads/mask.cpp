#include "workloads/mask.hpp"

#include <bit>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace sparsim {

Mask::Mask(std::vector<std::int64_t> shape) : shape_(std::move(shape)) {
  size_ = 1;
  for (auto d : shape_) {
    if (d < 0) throw std::invalid_argument("negative mask dimension");
    size_ *= d;
  }
  bits_.assign(static_cast<std::size_t>((size_ + 63) / 64), 0);
}

std::int64_t Mask::count() const {
  std::int64_t n = 0;
  for (auto w : bits_) n += std::popcount(w);
  return n;
}

namespace masks {

Mask uniform(const std::vector<std::int64_t>& shape, double density, Rng& rng) {
  Mask mask(shape);
  const std::int64_t n = mask.size();
  const auto keep = static_cast<std::int64_t>(std::llround(density * static_cast<double>(n)));
  // Selection sampling (Knuth's algorithm S): exact count, one pass, no index array.
  std::int64_t needed = keep;
  for (std::int64_t i = 0; i < n && needed > 0; ++i) {
    const std::int64_t left = n - i;
    if (static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(left)) < needed) {
      mask.set(i, true);
      --needed;
    }
  }
  return mask;
}

}  // namespace masks
}  // namespace sparsim
