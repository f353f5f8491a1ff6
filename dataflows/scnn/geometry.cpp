#include "dataflows/scnn/geometry.hpp"

#include <algorithm>

namespace sparsim::scnn {

ConvShape conv_shape_of(const Layer& l) {
  ConvShape s;
  if (l.kind == LayerKind::Conv) {
    s.C = l.cin / l.groups;
    s.K = l.cout / l.groups;
    s.H = l.h;
    s.W = l.w;
    s.R = l.kh;
    s.S = l.kw;
    s.stride = l.stride;
    s.pad = l.pad;
  } else {
    s.C = l.kind == LayerKind::MatMul ? l.k : l.cin;
    s.K = l.kind == LayerKind::MatMul ? l.n : l.cout;
    s.H = 1;
    s.W = l.kind == LayerKind::MatMul ? l.m : l.tokens;
  }
  return s;
}

std::int64_t instances_of(const Layer& l) {
  if (l.kind == LayerKind::Conv) return l.groups;
  if (l.kind == LayerKind::MatMul) return l.count;
  return 1;
}

AxisTiling tile_axis(std::int64_t in_size, std::int64_t kernel, std::int64_t stride, std::int64_t pad, Range out_range,
                     int pes) {
  AxisTiling t;
  t.valid = out_range;
  t.out.resize(static_cast<std::size_t>(pes));
  t.in.resize(static_cast<std::size_t>(pes));
  t.acc.resize(static_cast<std::size_t>(pes));
  const std::int64_t n_out = out_range.size();
  if (n_out == 0) return t;
  // Inputs that contribute to any output of the range.
  const std::int64_t in_lo = std::max<std::int64_t>(0, out_range.lo * stride - pad);
  const std::int64_t in_hi =
      std::max(in_lo, std::min<std::int64_t>(in_size, (out_range.hi - 1) * stride - pad + kernel));
  const std::int64_t n_in = in_hi - in_lo;
  for (int i = 0; i < pes; ++i) {
    const auto u = static_cast<std::size_t>(i);
    // Balanced splits: tiles differ by at most one coordinate, so no PE has twice its neighbours' work.
    t.out[u] = {out_range.lo + n_out * i / pes, out_range.lo + n_out * (i + 1) / pes};
    t.in[u] = {in_lo + n_in * i / pes, in_lo + n_in * (i + 1) / pes};
    Range reach{out_range.lo, out_range.lo};
    if (t.in[u].size() > 0) {
      // Outputs o with o*stride + r - pad inside the input tile for some 0 <= r < kernel.
      reach.lo = std::max(out_range.lo, ceil_div(t.in[u].lo + pad - (kernel - 1), stride));
      reach.hi = std::min(out_range.hi, floor_div(t.in[u].hi - 1 + pad, stride) + 1);
    }
    const Range own = t.out[u];
    if (reach.size() == 0) reach = own;
    if (own.size() == 0) {
      t.acc[u] = reach;
    } else {
      t.acc[u] = {std::min(reach.lo, own.lo), std::max(reach.hi, own.hi)};
    }
  }
  return t;
}

}  // namespace sparsim::scnn
