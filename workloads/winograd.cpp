#include "workloads/winograd.hpp"

#include <array>
#include <cmath>
#include <map>

#include "workloads/layer_masks.hpp"

namespace sparsim {

std::optional<ConvAlgorithm> parse_conv_algorithm(const std::string& name) {
  for (ConvAlgorithm a : {ConvAlgorithm::Direct, ConvAlgorithm::Winograd2x2, ConvAlgorithm::Winograd4x4})
    if (name == conv_algorithm_name(a)) return a;
  return std::nullopt;
}

std::string winograd_ineligible_reason(const Layer& l) {
  // Built with += : GCC 12 warns falsely (-Wrestrict) on "literal" + std::to_string(...) chains.
  std::string why;
  const auto num = [&why](std::int64_t v) { why += std::to_string(v); };
  if (l.kind != LayerKind::Conv) {
    why = "it is a ";
    why += layer_kind_name(l.kind);
    why += " layer, not a conv";
  } else if (l.kh != 3 || l.kw != 3) {
    why = "its kernel is ";
    num(l.kh);
    why += 'x';
    num(l.kw);
    why += ", Winograd F(m x m, 3 x 3) needs 3x3";
  } else if (l.stride != 1) {
    why = "its stride is ";
    num(l.stride);
    why += ", Winograd needs stride 1";
  } else if (l.groups != 1) {
    why = "it has ";
    num(l.groups);
    why += " groups, the Winograd lowering needs 1";
  }
  return why;
}

// Lavin & Gray 2016, the matrices every Winograd implementation for CNNs uses (points 0, -1, 1 for
// F(2,3); 0, +-1, +-2 for F(4,3)). tests/winograd checks them against direct convolution.
const WinogradMatrices& winograd_matrices(ConvAlgorithm a) {
  // clang-format off
  static const WinogradMatrices f2{2,
                                   3,
                                   4,
                                   {1, 0, -1, 0,  //
                                    0, 1, 1, 0,   //
                                    0, -1, 1, 0,  //
                                    0, 1, 0, -1},
                                   {1, 0, 0,        //
                                    0.5, 0.5, 0.5,  //
                                    0.5, -0.5, 0.5, //
                                    0, 0, 1},
                                   {1, 1, 1, 0,  //
                                    0, 1, -1, -1}};
  static const WinogradMatrices f4{4,
                                   3,
                                   6,
                                   {4, 0, -5, 0, 1, 0,    //
                                    0, -4, -4, 1, 1, 0,   //
                                    0, 4, -4, -1, 1, 0,   //
                                    0, -2, -1, 2, 1, 0,   //
                                    0, 2, -1, -2, 1, 0,   //
                                    0, 4, 0, -5, 0, 1},
                                   {1.0 / 4, 0, 0,                //
                                    -1.0 / 6, -1.0 / 6, -1.0 / 6,  //
                                    -1.0 / 6, 1.0 / 6, -1.0 / 6,   //
                                    1.0 / 24, 1.0 / 12, 1.0 / 6,   //
                                    1.0 / 24, -1.0 / 12, 1.0 / 6,  //
                                    0, 0, 1},
                                   {1, 1, 1, 1, 1, 0,    //
                                    0, 1, -1, 2, -2, 0,  //
                                    0, 1, 1, 4, 4, 0,    //
                                    0, 1, -1, 8, -8, 1}};
  // clang-format on
  return a == ConvAlgorithm::Winograd4x4 ? f4 : f2;
}

std::int64_t winograd_tiles(const Layer& l, ConvAlgorithm a) {
  const std::int64_t m = winograd_matrices(a).m;
  return ((l.out_h() + m - 1) / m) * ((l.out_w() + m - 1) / m);
}

namespace {

// A matrix as its rows: L is p x q, entry (i, j) = at(i, j).
struct Rows {
  int p = 0, q = 0;
  std::vector<double> v;
  double at(int i, int j) const { return v[static_cast<std::size_t>(i * q + j)]; }
};

Rows bt_of(const WinogradMatrices& w) { return {w.alpha, w.alpha, w.BT}; }
Rows g_of(const WinogradMatrices& w) { return {w.alpha, w.r, w.G}; }
Rows at_of(const WinogradMatrices& w) { return {w.m, w.alpha, w.AT}; }
Rows transposed(const Rows& l) {
  Rows t{l.q, l.p, std::vector<double>(l.v.size())};
  for (int i = 0; i < l.p; ++i)
    for (int j = 0; j < l.q; ++j) t.v[static_cast<std::size_t>(j * l.p + i)] = l.at(i, j);
  return t;
}

// Y = L X L^T with L p x q and X q x q, computed as Z = L X (q columns, each a product of L with a column
// of X), then Y = Z L^T (p rows, each the product of L with a row of Z). One output of a product with a
// row of L that has s non-zeros takes s - 1 additions, and one multiplication for each of its entries
// other than +-1. So the whole transform costs (q + p) times the row sums below. Nothing is shared
// between rows (no common subexpressions), so this is the plain count a transform unit built as one
// adder tree per row performs.
TransformCost two_sided(const Rows& l) {
  TransformCost per;
  for (int i = 0; i < l.p; ++i) {
    int nnz = 0;
    for (int j = 0; j < l.q; ++j) {
      const double e = l.at(i, j);
      if (e == 0.0) continue;
      ++nnz;
      if (std::abs(e) != 1.0) ++per.const_mults;
    }
    per.adds += nnz > 0 ? nnz - 1 : 0;
  }
  return {per.adds * (l.p + l.q), per.const_mults * (l.p + l.q)};
}

// Non-zeros per row of L: the support of each output of L X.
std::vector<int> supports(const Rows& l) {
  std::vector<int> s(static_cast<std::size_t>(l.p), 0);
  for (int i = 0; i < l.p; ++i)
    for (int j = 0; j < l.q; ++j) s[static_cast<std::size_t>(i)] += l.at(i, j) != 0.0;
  return s;
}

}  // namespace

// F(2x2,3x3), from the matrices by two_sided (checked by hand in tests/winograd):
//   V = B^T d B:  B^T rows have 2 non-zeros (+-1)          -> 4 adds/row-set x (4 + 4) = 32 adds
//   U = G g G^T:  G rows have 1, 3, 3, 1 non-zeros, six 1/2 -> 4 adds x (4 + 3) = 28 adds, 6 x 7 = 42 mults
//   Y = A^T M A:  A^T rows have 3 non-zeros                -> 4 adds x (2 + 4) = 24 adds
//   dM = A dY A^T: A rows have 1, 2, 2, 1                  -> 2 adds x (4 + 2) = 12 adds
//   dd = B dV B^T: B rows have 1, 3, 3, 1                  -> 4 adds x (4 + 4) = 32 adds
//   dg = G^T dU G: G^T rows have 3, 2, 3                   -> 5 adds x (3 + 4) = 35 adds, 42 mults
// F(4x4,3x3) the same way (entries 2, 4, 5, 8, 1/4, 1/6, 1/12, 1/24 are the constant multiplications):
//   V: B^T rows have 3, 4, 4, 4, 4, 3 non-zeros, 12 not +-1  -> 16 x (6 + 6) = 192 adds, 12 x 12 = 144 mults
//   U: 8 adds and 13 constants per row set, x (6 + 3)        -> 72 adds, 117 mults
//   Y: 14 and 6, x (4 + 6) -> 140 adds, 60 mults;   dM: 12 and 6, x (6 + 4) -> 120 adds, 60 mults
//   dd: 16 and 12, x 12 -> 192 adds, 144 mults;     dg: 11 and 13, x (3 + 6) -> 99 adds, 117 mults
TileTransforms tile_transforms(ConvAlgorithm a) {
  const WinogradMatrices& w = winograd_matrices(a);
  TileTransforms t;
  t.input = two_sided(bt_of(w));
  t.weight = two_sided(g_of(w));
  t.output = two_sided(at_of(w));
  t.grad_output = two_sided(transposed(at_of(w)));
  t.grad_input = two_sided(transposed(bt_of(w)));
  t.weight_grad = two_sided(transposed(g_of(w)));
  return t;
}

double fill_in_density(ConvAlgorithm a, char which, double d) {
  const WinogradMatrices& w = winograd_matrices(a);
  const Rows l = which == 'U' ? g_of(w) : which == 'V' ? bt_of(w) : transposed(at_of(w));
  const std::vector<int> s = supports(l);
  double sum = 0.0;
  for (int si : s)
    for (int sj : s) sum += 1.0 - std::pow(1.0 - d, si * sj);
  return sum / static_cast<double>(s.size() * s.size());
}

double transformed_weight_density(const Mask& spatial, ConvAlgorithm a) {
  const WinogradMatrices& w = winograd_matrices(a);
  const Rows g = g_of(w);
  // Non-zero positions of U for each of the 512 patterns of a 3x3 kernel's non-zeros.
  std::array<int, 512> nonzero{};
  for (int pattern = 0; pattern < 512; ++pattern)
    for (int i = 0; i < w.alpha; ++i)
      for (int j = 0; j < w.alpha; ++j) {
        bool any = false;
        for (int k = 0; k < 3; ++k)
          for (int l = 0; l < 3; ++l)
            any = any || (g.at(i, k) != 0.0 && g.at(j, l) != 0.0 && ((pattern >> (k * 3 + l)) & 1));
        nonzero[static_cast<std::size_t>(pattern)] += any;
      }
  const std::int64_t kernels = spatial.size() / 9;
  if (kernels == 0) return 0.0;
  std::int64_t count = 0;
  for (std::int64_t c = 0; c < kernels; ++c) {
    int pattern = 0;
    for (int b = 0; b < 9; ++b) pattern |= static_cast<int>(spatial.get(c * 9 + b)) << b;
    count += nonzero[static_cast<std::size_t>(pattern)];
  }
  return static_cast<double>(count) / static_cast<double>(kernels * w.alpha * w.alpha);
}

namespace {
// With Winograd a layer's N:M pattern prunes its Winograd-domain weights (below), so the spatial kernel's
// own density is the unstructured one.
double spatial_weight_density(const Layer& l) {
  if (!l.sparsity.prunable) return 1.0;
  return l.sparsity.weight_density;
}
}  // namespace

GemmOp winograd_op(const Layer& l, std::int64_t batch, ConvAlgorithm a, const GemmOp& direct) {
  const WinogradMatrices& w = winograd_matrices(a);
  const TileTransforms t = tile_transforms(a);
  const std::int64_t tiles = winograd_tiles(l, a), cols = batch * tiles;
  GemmOp op = direct;
  op.conv_algorithm = a;
  op.instances = static_cast<std::int64_t>(w.alpha) * w.alpha;
  // N:M in the Winograd domain (what an N:M datapath needs): each tile position's Cout x Cin matrix of U keeps
  // N of every M along Cin for FF and, bidirectionally as SAT prunes, along Cout for BP (A = U^T). The
  // direct op carried the same pattern for the spatial weights; WU's A is dM, dense in structure.
  const NMPattern nm = l.sparsity.prunable && direct.phase != Phase::WU ? l.sparsity.nm : NMPattern{};
  op.a_nm = nm;
  const double u =
      nm.density() * l.sparsity.winograd_weight_density.value_or(fill_in_density(a, 'U', spatial_weight_density(l)));
  const double v =
      l.sparsity.winograd_activation_density.value_or(fill_in_density(a, 'V', l.sparsity.activation_density));
  const double dm = fill_in_density(a, 'M', l.sparsity.gradient_density);
  const std::int64_t in_tiles = cols * l.cin, out_tiles = cols * l.cout, kernels = l.cout * l.cin;
  auto charge = [&](const TransformCost& c, std::int64_t times) {
    op.transform_adds += c.adds * times;
    op.transform_const_mults += c.const_mults * times;
  };
  // Every phase transforms what it reads and writes, except U: FF makes it and BP reuses it (the
  // weights do not change between them).
  if (direct.phase == Phase::FF) {
    op.M = l.cout, op.K = l.cin, op.N = cols;
    op.a_density = u, op.b_density = v;
    charge(t.input, in_tiles);
    charge(t.weight, kernels);
    charge(t.output, out_tiles);
  } else if (direct.phase == Phase::BP) {
    op.M = l.cin, op.K = l.cout, op.N = cols;
    op.a_density = u, op.b_density = dm;
    charge(t.grad_output, out_tiles);
    charge(t.grad_input, in_tiles);
    // The alpha x alpha input-gradient tiles overlap by r - 1 rows and columns: accumulating them into
    // dX takes (contributions - positions covered) additions per channel and sample.
    const std::int64_t m = w.m, th = (l.out_h() + m - 1) / m, tw = (l.out_w() + m - 1) / m;
    const std::int64_t covered = (m * th + w.r - 1) * (m * tw + w.r - 1);
    op.transform_adds += batch * l.cin * (tiles * w.alpha * w.alpha - covered);
  } else {
    op.M = l.cout, op.K = cols, op.N = l.cin;
    op.a_density = dm, op.b_density = v;
    charge(t.input, in_tiles);
    charge(t.grad_output, out_tiles);
    charge(t.weight_grad, kernels);
  }
  return op;
}

void apply_weight_fill_in(TrainingStep& step, std::uint64_t seed) {
  std::map<int, double> exact;  // layer index -> density of U
  for (GemmOp& op : step.ops) {
    if (op.conv_algorithm == ConvAlgorithm::Direct || !op.a_is_weight) continue;
    const Layer& l = step.network.layers[static_cast<std::size_t>(op.layer_index)];
    // (A layer with N:M keeps the analytic fill-in of its unstructured density: its mask file or generator
    // would also carry the N:M pattern, which with Winograd belongs to the Winograd domain.)
    if (l.sparsity.winograd_weight_density || spatial_weight_density(l) >= 1.0 || l.sparsity.nm.active()) continue;
    auto it = exact.find(op.layer_index);
    if (it == exact.end())
      it = exact
               .emplace(op.layer_index,
                        transformed_weight_density(weight_mask(step.network, op.layer_index, Phase::FF, seed),
                                                   op.conv_algorithm))
               .first;
    op.a_density = it->second;
  }
}

std::vector<double> direct_conv2d(const std::vector<double>& in, int h, int w, const std::vector<double>& k, int pad) {
  const int ho = h + 2 * pad - 2, wo = w + 2 * pad - 2;
  std::vector<double> out(static_cast<std::size_t>(ho * wo), 0.0);
  for (int y = 0; y < ho; ++y)
    for (int x = 0; x < wo; ++x) {
      double s = 0.0;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
          const int iy = y + i - pad, ix = x + j - pad;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) s += in[static_cast<std::size_t>(iy * w + ix)] * k[i * 3 + j];
        }
      out[static_cast<std::size_t>(y * wo + x)] = s;
    }
  return out;
}

std::vector<double> transform_kernel(const std::vector<double>& k, ConvAlgorithm a) {
  const WinogradMatrices& w = winograd_matrices(a);
  std::vector<double> u(static_cast<std::size_t>(w.alpha * w.alpha), 0.0);
  for (int i = 0; i < w.alpha; ++i)
    for (int j = 0; j < w.alpha; ++j)
      for (int p = 0; p < 3; ++p)
        for (int q = 0; q < 3; ++q)
          u[static_cast<std::size_t>(i * w.alpha + j)] += w.g(i, p) * k[p * 3 + q] * w.g(j, q);
  return u;
}

std::vector<double> winograd_conv2d(const std::vector<double>& in, int h, int w, const std::vector<double>& k, int pad,
                                    ConvAlgorithm a, const std::vector<double>* u_given) {
  const WinogradMatrices& W = winograd_matrices(a);
  const int m = W.m, al = W.alpha;
  const int ho = h + 2 * pad - 2, wo = w + 2 * pad - 2;
  const std::vector<double> u = u_given ? *u_given : transform_kernel(k, a);
  std::vector<double> out(static_cast<std::size_t>(ho * wo), 0.0);
  auto x_at = [&](int py, int px) {  // padded input, zero outside
    const int iy = py - pad, ix = px - pad;
    return iy >= 0 && iy < h && ix >= 0 && ix < w ? in[static_cast<std::size_t>(iy * w + ix)] : 0.0;
  };
  std::vector<double> d(static_cast<std::size_t>(al * al)), v(d.size()), mm(d.size());
  for (int ty = 0; ty * m < ho; ++ty)
    for (int tx = 0; tx * m < wo; ++tx) {
      for (int i = 0; i < al; ++i)
        for (int j = 0; j < al; ++j) d[static_cast<std::size_t>(i * al + j)] = x_at(ty * m + i, tx * m + j);
      for (int i = 0; i < al; ++i)  // V = B^T d B, then M = U (.) V
        for (int j = 0; j < al; ++j) {
          double s = 0.0;
          for (int p = 0; p < al; ++p)
            for (int q = 0; q < al; ++q) s += W.bt(i, p) * d[static_cast<std::size_t>(p * al + q)] * W.bt(j, q);
          v[static_cast<std::size_t>(i * al + j)] = s;
          mm[static_cast<std::size_t>(i * al + j)] = u[static_cast<std::size_t>(i * al + j)] * s;
        }
      for (int y = 0; y < m; ++y)  // Y = A^T M A
        for (int x = 0; x < m; ++x) {
          const int oy = ty * m + y, ox = tx * m + x;
          if (oy >= ho || ox >= wo) continue;
          double s = 0.0;
          for (int p = 0; p < al; ++p)
            for (int q = 0; q < al; ++q) s += W.at(y, p) * mm[static_cast<std::size_t>(p * al + q)] * W.at(x, q);
          out[static_cast<std::size_t>(oy * wo + ox)] = s;
        }
    }
  return out;
}

}  // namespace sparsim
