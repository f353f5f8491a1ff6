#pragma once
// Sparsity masks as bitmaps (1 = non-zero), row-major over a tensor shape, and seeded generators that turn
// a density specification into an actual mask, for models whose timing depends on positions.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace sparsim {

using Rng = std::mt19937_64;

class Mask {
 public:
  Mask() = default;
  explicit Mask(std::vector<std::int64_t> shape);  // all zeros

  const std::vector<std::int64_t>& shape() const { return shape_; }
  std::int64_t size() const { return size_; }
  bool get(std::int64_t i) const { return (bits_[static_cast<std::size_t>(i >> 6)] >> (i & 63)) & 1U; }
  void set(std::int64_t i, bool on) {
    auto& word = bits_[static_cast<std::size_t>(i >> 6)];
    const std::uint64_t bit = std::uint64_t{1} << (i & 63);
    word = on ? (word | bit) : (word & ~bit);
  }
  std::int64_t count() const;  // non-zeros
  double density() const { return size_ ? static_cast<double>(count()) / static_cast<double>(size_) : 0.0; }
  const std::vector<std::uint64_t>& words() const { return bits_; }
  std::vector<std::uint64_t>& words() { return bits_; }
  bool operator==(const Mask& o) const { return shape_ == o.shape_ && bits_ == o.bits_; }

 private:
  std::vector<std::int64_t> shape_;
  std::int64_t size_ = 0;
  std::vector<std::uint64_t> bits_;
};

namespace masks {
// Exactly round(density * size) non-zeros at uniformly random positions.
Mask uniform(const std::vector<std::int64_t>& shape, double density, Rng& rng);
}  // namespace masks

}  // namespace sparsim
