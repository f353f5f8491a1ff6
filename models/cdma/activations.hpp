#pragma once
// Synthetic post-ReLU activation data at a given density: zeros where ReLU clipped, positive values
// elsewhere. Zeros are independent (clustering 0) or come in longer runs from a two-state Markov chain with
// the same stationary density (clustering c: each element keeps the previous element's state with extra
// probability c). Elements of 2 bytes are packed two per 32-bit word, as they lie in memory.
#include <cstdint>
#include <vector>

namespace sparsim::cdma {

struct ActivationSpec {
  double density = 1.0;       // fraction of non-zero elements
  double clustering = 0.0;    // 0 <= c < 1
  int bytes_per_element = 4;  // 4: fp32, 2: fp16
};

// `bytes` of activation data (a multiple of 4) as little-endian 32-bit words. Deterministic in `seed`.
std::vector<std::uint32_t> generate_activations(const ActivationSpec& spec, std::uint64_t bytes, std::uint64_t seed);

// Fraction of non-zero elements in `words` (elements of `bytes_per_element`).
double measured_density(const std::vector<std::uint32_t>& words, int bytes_per_element);

}  // namespace sparsim::cdma
