#include "models/cdma/activations.hpp"

#include <bit>
#include <cmath>
#include <random>

namespace sparsim::cdma {

namespace {

// A positive value: exponentially distributed magnitude (post-ReLU activations are one-sided with a long
// tail); its bit pattern is never zero.
std::uint32_t positive_fp32(std::mt19937_64& rng) {
  const double u = (static_cast<double>(rng() >> 11) + 1.0) / 9007199254740992.0;  // (0, 1]
  float v = static_cast<float>(-std::log(u));
  if (!(v > 0.0f)) v = 1e-6f;
  return std::bit_cast<std::uint32_t>(v);
}

std::uint32_t positive_fp16(std::mt19937_64& rng) {
  // Truncate the fp32 value to binary16 bits (round toward zero), keeping it non-zero.
  const std::uint32_t f = positive_fp32(rng);
  const int exp = static_cast<int>((f >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return 1;  // smallest subnormal
  if (exp >= 31) return 0x7bff;
  return static_cast<std::uint32_t>((exp << 10) | ((f >> 13) & 0x3ff));
}

}  // namespace

std::vector<std::uint32_t> generate_activations(const ActivationSpec& spec, std::uint64_t bytes, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  const double d = spec.density, c = spec.clustering;
  // Markov chain with stationary probability d of the non-zero state: P(0->1) = d(1-c), P(1->0) = (1-d)(1-c).
  const double p_on = d * (1.0 - c), p_off = (1.0 - d) * (1.0 - c);
  bool nonzero = uni(rng) < d;
  auto next_state = [&](bool first) {
    if (!first) nonzero = nonzero ? uni(rng) >= p_off : uni(rng) < p_on;
    return nonzero;
  };
  std::vector<std::uint32_t> words(bytes / 4, 0u);
  bool first = true;
  for (auto& w : words) {
    if (spec.bytes_per_element == 4) {
      if (next_state(first)) w = positive_fp32(rng);
      first = false;
    } else {
      std::uint32_t lo = next_state(first) ? positive_fp16(rng) : 0u;
      first = false;
      std::uint32_t hi = next_state(false) ? positive_fp16(rng) : 0u;
      w = lo | (hi << 16);
    }
  }
  return words;
}

double measured_density(const std::vector<std::uint32_t>& words, int bytes_per_element) {
  if (words.empty()) return 0.0;
  std::uint64_t nz = 0, n = 0;
  for (std::uint32_t w : words) {
    if (bytes_per_element == 4) {
      nz += w != 0;
      ++n;
    } else {
      nz += (w & 0xffff) != 0;
      nz += (w >> 16) != 0;
      n += 2;
    }
  }
  return static_cast<double>(nz) / static_cast<double>(n);
}

}  // namespace sparsim::cdma
