#include "models/scnn/bp_data.hpp"

#include <random>

#include "sim/alloc_guard.hpp"

namespace sparsim::scnn {

std::optional<ConvShape> bp_shape(const ConvShape& f) {
  if (f.R != f.S || f.pad > f.R - 1) return std::nullopt;
  ConvShape t;
  t.C = f.K;
  t.K = f.C;
  // Rows of the forward input beyond the last output's window ((H + 2 pad - R) mod stride of them) get no
  // gradient but still belong to dX: they are zero rows appended to the dilated dY.
  t.H = (f.H + 2 * f.pad - f.R) + 1;
  t.W = (f.W + 2 * f.pad - f.S) + 1;
  t.R = f.R;
  t.S = f.S;
  t.stride = 1;
  t.pad = f.R - 1 - f.pad;
  return t;
}

Gradient make_gradient(const LayerData& fwd, double gradient_density, Rng& grad_rng) {
  const ConvShape& f = fwd.shape;
  Gradient g;
  g.dy = Mask({f.K, f.Ho(), f.Wo()});
  const double relu = fwd.densities.outputs;
  const double keep = relu > 0 ? gradient_density / relu : 0.0;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (std::int64_t i = 0; i < g.dy.size(); ++i) {
    const double draw = u(grad_rng);  // drawn for every position: the mask does not depend on the pattern's order
    if (fwd.outputs.get(i) && draw < keep) g.dy.set(i, true);
  }
  if (!fwd.functional()) return g;
  check_allocation(static_cast<double>(g.dy.size()), sizeof(g.dy_values[0]), "an output gradient's values");
  g.dy_values.assign(static_cast<std::size_t>(g.dy.size()), 0);
  for (std::int64_t i = 0; i < g.dy.size(); ++i)
    if (g.dy.get(i)) {
      const auto v = static_cast<std::int16_t>(1 + static_cast<int>(grad_rng() % 4));
      g.dy_values[static_cast<std::size_t>(i)] = (grad_rng() & 1U) ? v : static_cast<std::int16_t>(-v);
    }
  return g;
}

BpData make_bp_data(const LayerData& fwd, const ConvShape& t, const Densities& td, double gradient_density,
                    Rng& grad_rng) {
  const ConvShape& f = fwd.shape;
  BpData b;
  Gradient g = make_gradient(fwd, gradient_density, grad_rng);
  b.dy = std::move(g.dy);
  b.dy_values = std::move(g.dy_values);
  LayerData& d = b.data;
  d.shape = t;
  d.densities = td;
  d.inputs = Mask({t.C, t.H, t.W});
  for (std::int64_t k = 0; k < f.K; ++k)
    for (std::int64_t y = 0; y < f.Ho(); ++y)
      for (std::int64_t x = 0; x < f.Wo(); ++x)
        if (b.dy.get((k * f.Ho() + y) * f.Wo() + x)) d.inputs.set(d.iidx(k, y * f.stride, x * f.stride), true);
  d.weights = Mask({t.K, t.C, t.R, t.S});
  for (std::int64_t k = 0; k < f.K; ++k)
    for (std::int64_t c = 0; c < f.C; ++c)
      for (std::int64_t r = 0; r < f.R; ++r)
        for (std::int64_t s = 0; s < f.S; ++s)
          if (fwd.weights.get(fwd.widx(k, c, r, s))) d.weights.set(d.widx(c, k, f.R - 1 - r, f.S - 1 - s), true);
  d.outputs = fwd.inputs;  // C x H x W: the transposed output plane is the forward input plane
  if (!fwd.functional()) return b;
  check_allocation(static_cast<double>(d.weights.size() + d.inputs.size()), sizeof(d.weight_values[0]),
                   "the transposed weights' and inputs' values");
  d.weight_values.assign(static_cast<std::size_t>(d.weights.size()), 0);
  for (std::int64_t k = 0; k < f.K; ++k)
    for (std::int64_t c = 0; c < f.C; ++c)
      for (std::int64_t r = 0; r < f.R; ++r)
        for (std::int64_t s = 0; s < f.S; ++s)
          d.weight_values[static_cast<std::size_t>(d.widx(c, k, f.R - 1 - r, f.S - 1 - s))] =
              fwd.weight_values[static_cast<std::size_t>(fwd.widx(k, c, r, s))];
  d.input_values.assign(static_cast<std::size_t>(d.inputs.size()), 0);
  for (std::int64_t k = 0; k < f.K; ++k)
    for (std::int64_t y = 0; y < f.Ho(); ++y)
      for (std::int64_t x = 0; x < f.Wo(); ++x)
        d.input_values[static_cast<std::size_t>(d.iidx(k, y * f.stride, x * f.stride))] =
            b.dy_values[static_cast<std::size_t>((k * f.Ho() + y) * f.Wo() + x)];
  return b;
}

std::vector<std::int64_t> reference_conv_transpose(const LayerData& fwd, const std::vector<std::int16_t>& dy) {
  const ConvShape& f = fwd.shape;
  std::vector<std::int64_t> dx(static_cast<std::size_t>(f.C * f.H * f.W), 0);
  for (std::int64_t k = 0; k < f.K; ++k)
    for (std::int64_t y = 0; y < f.Ho(); ++y)
      for (std::int64_t x = 0; x < f.Wo(); ++x) {
        const std::int64_t g = dy[static_cast<std::size_t>((k * f.Ho() + y) * f.Wo() + x)];
        if (g == 0) continue;
        for (std::int64_t c = 0; c < f.C; ++c)
          for (std::int64_t r = 0; r < f.R; ++r) {
            const std::int64_t i = y * f.stride + r - f.pad;
            if (i < 0 || i >= f.H) continue;
            for (std::int64_t s = 0; s < f.S; ++s) {
              const std::int64_t j = x * f.stride + s - f.pad;
              if (j < 0 || j >= f.W) continue;
              dx[static_cast<std::size_t>(fwd.iidx(c, i, j))] +=
                  g * fwd.weight_values[static_cast<std::size_t>(fwd.widx(k, c, r, s))];
            }
          }
      }
  return dx;
}

std::vector<std::int64_t> reference_weight_gradient(const LayerData& fwd, const std::vector<std::int16_t>& dy_values) {
  const ConvShape& f = fwd.shape;
  std::vector<std::int64_t> dw(static_cast<std::size_t>(f.K * f.C * f.R * f.S), 0);
  for (std::int64_t k = 0; k < f.K; ++k)
    for (std::int64_t c = 0; c < f.C; ++c)
      for (std::int64_t r = 0; r < f.R; ++r)
        for (std::int64_t s = 0; s < f.S; ++s) {
          std::int64_t sum = 0;
          for (std::int64_t y = 0; y < f.Ho(); ++y) {
            const std::int64_t i = y * f.stride + r - f.pad;
            if (i < 0 || i >= f.H) continue;
            for (std::int64_t x = 0; x < f.Wo(); ++x) {
              const std::int64_t j = x * f.stride + s - f.pad;
              if (j < 0 || j >= f.W) continue;
              sum += static_cast<std::int64_t>(dy_values[static_cast<std::size_t>((k * f.Ho() + y) * f.Wo() + x)]) *
                     fwd.input_values[static_cast<std::size_t>(fwd.iidx(c, i, j))];
            }
          }
          dw[static_cast<std::size_t>(((k * f.C + c) * f.R + r) * f.S + s)] = sum;
        }
  return dw;
}

}  // namespace sparsim::scnn
