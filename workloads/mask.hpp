#pragma once
// Sparsity masks as bitmaps (1 = non-zero), row-major over a tensor shape, and seeded generators that turn
// a density specification into an actual mask, for models whose timing depends on positions.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "workloads/network.hpp"

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
// Exactly round(density * size) non-zeros at uniformly random positions (random pruning).
Mask uniform(const std::vector<std::int64_t>& shape, double density, Rng& rng);

// Synthetic trained-like weights: Gaussian, with a log-normal scale per slice along dim 0 (per filter or
// output row) so that rows differ in importance as in trained networks; magnitude pruning then leaves
// rows of unequal density (load imbalance), unlike uniform pruning.
std::vector<float> synthetic_weights(const std::vector<std::int64_t>& shape, Rng& rng);

// Magnitude-style pruning (Han et al. 2015): keep the round(density * size) largest |w| of the tensor.
Mask magnitude(const std::vector<std::int64_t>& shape, double density, Rng& rng);
Mask top_magnitude(const std::vector<float>& weights, const std::vector<std::int64_t>& shape, double density);

// N:M top-k: in every group of M consecutive elements along `axis`, keep the N largest |w| (ties: lower
// index). A trailing group shorter than M keeps min(N, its length).
Mask nm(const std::vector<std::int64_t>& shape, NMPattern p, int axis, Rng& rng);
Mask nm_from_weights(const std::vector<float>& weights, const std::vector<std::int64_t>& shape, NMPattern p, int axis);

// Bidirectional weight pruning (BDWP, SAT): two masks of the same weights [Cout, Cin, ...]. The forward
// mask has N:M groups along Cin (axis 1, the FF reduction); the backward mask along Cout (axis 0, the
// reduction of the BP GEMM with W^T).
struct NMPair {
  Mask forward;
  Mask backward;
};
NMPair bidirectional_nm(const std::vector<std::int64_t>& shape, NMPattern p, Rng& rng);

// Transposable N:M (one mask for both passes): weights [Cout, Cin, ...] seen per trailing position as a
// Cout x Cin matrix cut into M x M blocks; each block keeps exactly N per row and per column, so the mask
// is N:M along Cin and along Cout at once. Per block, the best by kept |w| of a greedy pick and of every
// union of N cyclic diagonals (always a valid pattern). Cout and Cin must be multiples of M.
Mask transposable_nm(const std::vector<std::int64_t>& shape, NMPattern p, Rng& rng);
Mask transposable_nm_from_weights(const std::vector<float>& weights, const std::vector<std::int64_t>& shape,
                                  NMPattern p);

// Coarse-grained pruning: keep the round(density * blocks) blocks with the largest L2 norm of synthetic
// weights; a block is one unit of the granularity.
Mask coarse(const std::vector<std::int64_t>& shape, double density, Granularity g, Rng& rng);

// Spatially clustered activations over [..., H, W] (ReLU outputs of a smooth feature map): a random field
// per channel, interpolated from a coarse grid of spacing `cluster` pixels, plus a per-channel offset and
// fine noise; the round(density * size) largest values are non-zero. cluster <= 1 gives no clustering.
Mask clustered(const std::vector<std::int64_t>& shape, double density, double cluster, Rng& rng);

// Whether every group of M along `axis` has at most N non-zeros.
bool satisfies_nm(const Mask& mask, NMPattern p, int axis);
// The N:M pattern the mask follows along `axis` (M in 2, 4, 8, 16): the largest count per group must be
// N < M and at least 90 % of the full groups hold exactly N (so a sparse but unstructured mask is not
// taken for a pattern). The sparsest pattern wins, then the smallest M. None: NMPattern{}.
NMPattern detect_nm(const Mask& mask, int axis);
}  // namespace masks

}  // namespace sparsim
