#include "workloads/mask.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "sim/alloc_guard.hpp"
#include "sim/errors.hpp"

namespace sparsim {

Mask::Mask(std::vector<std::int64_t> shape) : shape_(std::move(shape)) {
  double elements = 1;
  for (auto d : shape_) {
    if (d < 0) throw std::invalid_argument("negative mask dimension");
    elements *= static_cast<double>(d);
  }
  check_allocation(elements, 1.0 / 8, "a mask bitmap");
  size_ = 1;
  for (auto d : shape_) size_ *= d;
  bits_.assign(static_cast<std::size_t>((size_ + 63) / 64), 0);
}

std::int64_t Mask::count() const {
  std::int64_t n = 0;
  for (auto w : bits_) n += std::popcount(w);
  return n;
}

namespace masks {
namespace {

void check_density(double density) {
  if (!(density >= 0.0 && density <= 1.0))
    throw InputError("mask generator: density " + std::to_string(density) + " outside [0, 1]");
}

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    if (d < 0) throw InputError("mask generator: negative dimension " + std::to_string(d));
    n *= d;
  }
  return n;
}

// Normal deviates by Box-Muller from the raw 64-bit stream, so that masks are identical across standard
// libraries (std::normal_distribution's algorithm is implementation-defined).
double normal(Rng& rng) {
  const double u1 = (static_cast<double>(rng() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
  const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;          // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// A float's bits mapped to an unsigned key with the same order (negative values flipped whole, positive
// values with the sign bit set), so the k-th largest value is found by a radix select on the keys.
std::uint32_t order_key(float v) {
  const auto b = std::bit_cast<std::uint32_t>(v == 0.0f ? 0.0f : v);  // -0 and +0 are one value
  return (b & 0x80000000U) ? ~b : (b | 0x80000000U);
}

// Keeps the `keep` largest values; ties at the threshold go to the lowest indices (deterministic). The
// threshold comes from two 16-bit histogram passes over the keys (radix select): exact, linear, and no
// copy of the values, which matters for layers of 10^8 weights.
Mask top_k(const std::vector<float>& value, const std::vector<std::int64_t>& shape, std::int64_t keep) {
  Mask mask(shape);
  const auto n = static_cast<std::int64_t>(value.size());
  if (keep <= 0) return mask;
  if (keep >= n) {
    for (std::int64_t i = 0; i < n; ++i) mask.set(i, true);
    return mask;
  }
  // The rank of the threshold counted from the largest key: find its high half, then its low half.
  std::vector<std::int64_t> hist(65536);
  for (float v : value) ++hist[order_key(v) >> 16];
  std::int64_t rank = keep;  // 1-based rank among the keys still in play
  std::uint32_t high = 65535;
  for (;; --high) {
    if (hist[high] >= rank) break;
    rank -= hist[high];
  }
  std::fill(hist.begin(), hist.end(), 0);
  for (float v : value) {
    const std::uint32_t k = order_key(v);
    if ((k >> 16) == high) ++hist[k & 0xFFFFU];
  }
  std::uint32_t low = 65535;
  for (;; --low) {
    if (hist[low] >= rank) break;
    rank -= hist[low];
  }
  const std::uint32_t threshold = (high << 16) | low;
  std::int64_t ties = rank;  // keys equal to the threshold that are kept
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint32_t k = order_key(value[static_cast<std::size_t>(i)]);
    if (k > threshold || (k == threshold && ties-- > 0)) mask.set(i, true);
  }
  return mask;
}

std::int64_t keep_count(double density, std::int64_t n) {
  return static_cast<std::int64_t>(std::llround(density * static_cast<double>(n)));
}

// A tensor seen as [outer, len, inner] around `axis`.
struct AxisView {
  std::int64_t outer = 1, len = 1, inner = 1;
};
AxisView view(const std::vector<std::int64_t>& shape, int axis) {
  if (axis < 0 || axis >= static_cast<int>(shape.size()))
    throw InputError("N:M mask: axis " + std::to_string(axis) + " outside a rank-" + std::to_string(shape.size()) +
                     " tensor");
  AxisView v;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    if (d < axis) v.outer *= shape[static_cast<std::size_t>(d)];
    if (d == axis) v.len = shape[static_cast<std::size_t>(d)];
    if (d > axis) v.inner *= shape[static_cast<std::size_t>(d)];
  }
  return v;
}

void check_nm(NMPattern p) {
  if (p.n < 1 || p.m < 1 || p.n > p.m)
    throw InputError("N:M mask: need 1 <= N <= M, got " + std::to_string(p.n) + ":" + std::to_string(p.m));
}

// Calls f(first element index, stride, group length) for every group of M along the axis.
template <class F>
void for_each_group(const std::vector<std::int64_t>& shape, int axis, int m, F&& f) {
  const AxisView v = view(shape, axis);
  for (std::int64_t o = 0; o < v.outer; ++o)
    for (std::int64_t i = 0; i < v.inner; ++i)
      for (std::int64_t j = 0; j < v.len; j += m)
        f((o * v.len + j) * v.inner + i, v.inner, std::min<std::int64_t>(m, v.len - j));
}

}  // namespace

Mask uniform(const std::vector<std::int64_t>& shape, double density, Rng& rng) {
  check_density(density);
  Mask mask(shape);
  const std::int64_t n = mask.size();
  const auto keep = keep_count(density, n);
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

std::vector<float> synthetic_weights(const std::vector<std::int64_t>& shape, Rng& rng) {
  const std::int64_t n = element_count(shape);
  check_allocation(static_cast<double>(n), sizeof(float), "a layer's weights (for its magnitude mask)");
  std::vector<float> w(static_cast<std::size_t>(n));
  const std::int64_t rows = shape.empty() ? 1 : shape[0];
  const std::int64_t per_row = rows > 0 ? n / rows : 0;
  for (std::int64_t r = 0; r < rows; ++r) {
    const double scale = std::exp(0.5 * normal(rng));
    for (std::int64_t i = 0; i < per_row; ++i)
      w[static_cast<std::size_t>(r * per_row + i)] = static_cast<float>(scale * normal(rng));
  }
  return w;
}

Mask top_magnitude(const std::vector<float>& weights, const std::vector<std::int64_t>& shape, double density) {
  check_density(density);
  if (static_cast<std::int64_t>(weights.size()) != element_count(shape))
    throw std::invalid_argument("top_magnitude: weights do not match the shape");
  check_allocation(static_cast<double>(weights.size()), sizeof(float), "a layer's weight magnitudes");
  std::vector<float> mag(weights.size());
  std::transform(weights.begin(), weights.end(), mag.begin(), [](float x) { return std::fabs(x); });
  return top_k(mag, shape, keep_count(density, static_cast<std::int64_t>(mag.size())));
}

Mask magnitude(const std::vector<std::int64_t>& shape, double density, Rng& rng) {
  check_density(density);
  // top_magnitude without its copy: the synthetic weights are not needed afterwards.
  auto w = synthetic_weights(shape, rng);
  for (float& x : w) x = std::fabs(x);
  return top_k(w, shape, keep_count(density, static_cast<std::int64_t>(w.size())));
}

Mask nm_from_weights(const std::vector<float>& weights, const std::vector<std::int64_t>& shape, NMPattern p, int axis) {
  check_nm(p);
  if (static_cast<std::int64_t>(weights.size()) != element_count(shape))
    throw std::invalid_argument("nm_from_weights: weights do not match the shape");
  Mask mask(shape);
  std::vector<std::int64_t> idx;
  for_each_group(shape, axis, p.m, [&](std::int64_t first, std::int64_t stride, std::int64_t len) {
    idx.resize(static_cast<std::size_t>(len));
    for (std::int64_t j = 0; j < len; ++j) idx[static_cast<std::size_t>(j)] = first + j * stride;
    const auto keep = std::min<std::int64_t>(p.n, len);
    std::partial_sort(idx.begin(), idx.begin() + keep, idx.end(), [&](std::int64_t a, std::int64_t b) {
      const float fa = std::fabs(weights[static_cast<std::size_t>(a)]),
                  fb = std::fabs(weights[static_cast<std::size_t>(b)]);
      return fa != fb ? fa > fb : a < b;
    });
    for (std::int64_t j = 0; j < keep; ++j) mask.set(idx[static_cast<std::size_t>(j)], true);
  });
  return mask;
}

Mask nm(const std::vector<std::int64_t>& shape, NMPattern p, int axis, Rng& rng) {
  check_nm(p);
  return nm_from_weights(synthetic_weights(shape, rng), shape, p, axis);
}

NMPair bidirectional_nm(const std::vector<std::int64_t>& shape, NMPattern p, Rng& rng) {
  if (shape.size() < 2) throw InputError("bidirectional N:M mask: weights need at least 2 dimensions");
  const auto w = synthetic_weights(shape, rng);
  return {nm_from_weights(w, shape, p, 1), nm_from_weights(w, shape, p, 0)};
}

Mask transposable_nm_from_weights(const std::vector<float>& weights, const std::vector<std::int64_t>& shape,
                                  NMPattern p) {
  check_nm(p);
  if (shape.size() < 2) throw InputError("transposable N:M mask: weights need at least 2 dimensions");
  if (static_cast<std::int64_t>(weights.size()) != element_count(shape))
    throw std::invalid_argument("transposable_nm_from_weights: weights do not match the shape");
  const std::int64_t rows = shape[0], cols = shape[1], m = p.m, n = p.n;
  if (rows % m || cols % m)
    throw InputError("transposable N:M mask: Cout (" + std::to_string(rows) + ") and Cin (" + std::to_string(cols) +
                     ") must be multiples of M (" + std::to_string(m) + ")");
  const std::int64_t inner = element_count(shape) / (rows * cols);
  // Candidate patterns as M x M bit sets (row-major): unions of N distinct cyclic diagonals, enumerated
  // while there are few enough (C(M, N) <= 4096), else the N consecutive diagonals only.
  std::vector<std::vector<char>> candidates;
  std::vector<int> pick(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) pick[static_cast<std::size_t>(i)] = i;
  for (;;) {
    std::vector<char> c(static_cast<std::size_t>(m * m), 0);
    for (int d : pick)
      for (std::int64_t r = 0; r < m; ++r) c[static_cast<std::size_t>(r * m + (r + d) % m)] = 1;
    candidates.push_back(std::move(c));
    if (candidates.size() >= 4096) break;
    int i = n - 1;  // next combination of N of M diagonals
    while (i >= 0 && pick[static_cast<std::size_t>(i)] == m - n + i) --i;
    if (i < 0) break;
    ++pick[static_cast<std::size_t>(i)];
    for (int j = i + 1; j < n; ++j) pick[static_cast<std::size_t>(j)] = pick[static_cast<std::size_t>(j - 1)] + 1;
  }
  Mask mask(shape);
  std::vector<float> block(static_cast<std::size_t>(m * m));
  std::vector<std::int64_t> order(static_cast<std::size_t>(m * m));
  std::vector<char> greedy(static_cast<std::size_t>(m * m));
  std::vector<int> row_count(static_cast<std::size_t>(m)), col_count(static_cast<std::size_t>(m));
  auto index = [&](std::int64_t r, std::int64_t c, std::int64_t t) { return (r * cols + c) * inner + t; };
  for (std::int64_t t = 0; t < inner; ++t)
    for (std::int64_t br = 0; br < rows; br += m)
      for (std::int64_t bc = 0; bc < cols; bc += m) {
        for (std::int64_t r = 0; r < m; ++r)
          for (std::int64_t c = 0; c < m; ++c)
            block[static_cast<std::size_t>(r * m + c)] =
                std::fabs(weights[static_cast<std::size_t>(index(br + r, bc + c, t))]);
        auto score = [&](const std::vector<char>& pattern) {
          double sum = 0;
          for (std::size_t i = 0; i < pattern.size(); ++i) sum += pattern[i] ? block[i] : 0.0f;
          return sum;
        };
        // Greedy: largest first while its row and column have room; valid only if it fills every row.
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
          return block[static_cast<std::size_t>(a)] > block[static_cast<std::size_t>(b)];
        });
        std::fill(greedy.begin(), greedy.end(), 0);
        std::fill(row_count.begin(), row_count.end(), 0);
        std::fill(col_count.begin(), col_count.end(), 0);
        std::int64_t placed = 0;
        for (std::int64_t e : order) {
          auto& rc = row_count[static_cast<std::size_t>(e / m)];
          auto& cc = col_count[static_cast<std::size_t>(e % m)];
          if (rc < n && cc < n) {
            greedy[static_cast<std::size_t>(e)] = 1;
            ++rc, ++cc, ++placed;
          }
        }
        const std::vector<char>* best = nullptr;
        double best_score = -1;
        if (placed == n * m) best = &greedy, best_score = score(greedy);
        for (const auto& c : candidates)
          if (const double s = score(c); s > best_score) best = &c, best_score = s;
        for (std::int64_t r = 0; r < m; ++r)
          for (std::int64_t c = 0; c < m; ++c)
            if ((*best)[static_cast<std::size_t>(r * m + c)]) mask.set(index(br + r, bc + c, t), true);
      }
  return mask;
}

Mask transposable_nm(const std::vector<std::int64_t>& shape, NMPattern p, Rng& rng) {
  check_nm(p);
  return transposable_nm_from_weights(synthetic_weights(shape, rng), shape, p);
}

Mask coarse(const std::vector<std::int64_t>& shape, double density, Granularity g, Rng& rng) {
  check_density(density);
  if (shape.empty() || shape.size() > 4) throw InputError("coarse mask: weights need 1 to 4 dimensions");
  std::vector<std::int64_t> s4(shape);
  s4.resize(4, 1);
  // Units are trailing dimensions, so every block is a contiguous run of `block` elements.
  const std::int64_t block = g == Granularity::Element  ? 1
                             : g == Granularity::Vector ? s4[3]
                             : g == Granularity::Kernel ? s4[2] * s4[3]
                                                        : s4[1] * s4[2] * s4[3];
  const std::int64_t n = element_count(shape);
  const auto w = synthetic_weights(shape, rng);
  const std::int64_t blocks = block > 0 ? n / block : 0;
  std::vector<float> norm(static_cast<std::size_t>(blocks));
  for (std::int64_t b = 0; b < blocks; ++b) {
    double sum = 0;
    for (std::int64_t i = 0; i < block; ++i)
      sum += double(w[static_cast<std::size_t>(b * block + i)]) * w[static_cast<std::size_t>(b * block + i)];
    norm[static_cast<std::size_t>(b)] = static_cast<float>(std::sqrt(sum));
  }
  const Mask kept = top_k(norm, {blocks}, keep_count(density, blocks));
  Mask mask(shape);
  for (std::int64_t b = 0; b < blocks; ++b)
    if (kept.get(b))
      for (std::int64_t i = 0; i < block; ++i) mask.set(b * block + i, true);
  return mask;
}

Mask clustered(const std::vector<std::int64_t>& shape, double density, double cluster, Rng& rng) {
  check_density(density);
  if (shape.size() < 2) throw InputError("clustered mask: activations need at least H and W dimensions");
  const std::int64_t h = shape[shape.size() - 2], w = shape[shape.size() - 1];
  const std::int64_t n = element_count(shape);
  const std::int64_t channels = h * w > 0 ? n / (h * w) : 0;
  const double step = std::max(cluster, 1.0);
  const auto gh = static_cast<std::int64_t>(std::ceil(static_cast<double>(h) / step)) + 1;
  const auto gw = static_cast<std::int64_t>(std::ceil(static_cast<double>(w) / step)) + 1;
  check_allocation(static_cast<double>(n), sizeof(float), "an activation map (for its clustered mask)");
  std::vector<float> value(static_cast<std::size_t>(n));
  std::vector<double> grid(static_cast<std::size_t>(gh * gw));
  for (std::int64_t c = 0; c < channels; ++c) {
    const double offset = 0.5 * normal(rng);  // some channels mostly active, some mostly dead
    for (auto& g : grid) g = cluster > 1.0 ? normal(rng) : 0.0;
    for (std::int64_t y = 0; y < h; ++y) {
      const double fy = static_cast<double>(y) / step;
      const auto y0 = static_cast<std::int64_t>(fy);
      const double ty = fy - static_cast<double>(y0);
      for (std::int64_t x = 0; x < w; ++x) {
        const double fx = static_cast<double>(x) / step;
        const auto x0 = static_cast<std::int64_t>(fx);
        const double tx = fx - static_cast<double>(x0);
        auto at = [&](std::int64_t yy, std::int64_t xx) { return grid[static_cast<std::size_t>(yy * gw + xx)]; };
        const double smooth = (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x0 + 1)) +
                              ty * ((1 - tx) * at(y0 + 1, x0) + tx * at(y0 + 1, x0 + 1));
        value[static_cast<std::size_t>((c * h + y) * w + x)] =
            static_cast<float>(smooth + offset + (cluster > 1.0 ? 0.3 : 1.0) * normal(rng));
      }
    }
  }
  return top_k(value, shape, keep_count(density, n));
}

bool satisfies_nm(const Mask& mask, NMPattern p, int axis) {
  check_nm(p);
  bool ok = true;
  for_each_group(mask.shape(), axis, p.m, [&](std::int64_t first, std::int64_t stride, std::int64_t len) {
    int count = 0;
    for (std::int64_t j = 0; j < len; ++j) count += mask.get(first + j * stride);
    if (count > p.n) ok = false;
  });
  return ok;
}

NMPattern detect_nm(const Mask& mask, int axis) {
  NMPattern best;
  double best_density = 2.0;
  const AxisView v = view(mask.shape(), axis);
  for (int m : {2, 4, 8, 16}) {
    if (v.len < m) continue;
    std::vector<std::int64_t> histogram(static_cast<std::size_t>(m) + 1, 0);
    int most = 0;
    for_each_group(mask.shape(), axis, m, [&](std::int64_t first, std::int64_t stride, std::int64_t len) {
      int count = 0;
      for (std::int64_t j = 0; j < len; ++j) count += mask.get(first + j * stride);
      most = std::max(most, count);
      if (len == m) ++histogram[static_cast<std::size_t>(count)];
    });
    const std::int64_t full = std::accumulate(histogram.begin(), histogram.end(), std::int64_t{0});
    if (most == 0 || most >= m || full == 0) continue;
    if (static_cast<double>(histogram[static_cast<std::size_t>(most)]) < 0.9 * static_cast<double>(full)) continue;
    const double density = static_cast<double>(most) / m;
    if (density < best_density) {
      best_density = density;
      best = NMPattern{most, m};
    }
  }
  return best;
}

}  // namespace masks
}  // namespace sparsim
