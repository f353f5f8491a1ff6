#pragma once
// Winograd convolution (Lavin & Gray 2016) for 3x3 stride-1 convolutions: F(2x2,3x3) and F(4x4,3x3).
// Y = A^T [ (G g G^T) (.) (B^T d B) ] A per output tile: the element-wise product (.) over the
// alpha x alpha transformed-tile positions is the only multiplication stage, and summed over input
// channels it is one GEMM per position (the lowering below). The transforms are additions (and, for
// F(4x4,3x3), multiplications by small constants), counted separately. See docs/winograd.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/mask.hpp"
#include "workloads/network.hpp"

namespace sparsim {

// "direct" / "winograd_2x2_3x3" / "winograd_4x4_3x3", or nullopt.
std::optional<ConvAlgorithm> parse_conv_algorithm(const std::string& name);

// Why `l` cannot be computed with Winograd F(m x m, 3 x 3), or "" when it can: a conv with a 3x3 kernel,
// stride 1 and no groups.
std::string winograd_ineligible_reason(const Layer& l);

// The transform matrices of one algorithm (row-major): B^T (alpha x alpha), G (alpha x r), A^T (m x alpha).
struct WinogradMatrices {
  int m = 2, r = 3, alpha = 4;  // output tile m x m, kernel r x r, transformed tile alpha x alpha
  std::vector<double> BT, G, AT;
  double bt(int i, int j) const { return BT[static_cast<std::size_t>(i * alpha + j)]; }
  double g(int i, int j) const { return G[static_cast<std::size_t>(i * r + j)]; }
  double at(int i, int j) const { return AT[static_cast<std::size_t>(i * alpha + j)]; }
};
const WinogradMatrices& winograd_matrices(ConvAlgorithm a);  // a must not be Direct

// Output tiles of a layer: ceil(Ho/m) * ceil(Wo/m) per sample and channel.
std::int64_t winograd_tiles(const Layer& l, ConvAlgorithm a);

// Cost of one 2-D transform Y = L X L^T of one tile.
struct TransformCost {
  std::int64_t adds = 0;         // additions (and subtractions)
  std::int64_t const_mults = 0;  // multiplications by a matrix entry other than 0 and +-1
};
// The six per-tile transforms a training step uses (derivations in winograd.cpp):
struct TileTransforms {
  TransformCost input;        // V  = B^T d B    (FF; WU recomputes it)
  TransformCost weight;       // U  = G g G^T    (FF; BP reuses U)
  TransformCost output;       // Y  = A^T M A    (FF)
  TransformCost grad_output;  // dM = A dY A^T   (BP, WU): the adjoint of the output transform
  TransformCost grad_input;   // dd = B dV B^T   (BP): the adjoint of the input transform
  TransformCost weight_grad;  // dg = G^T dU G   (WU): the adjoint of the weight transform
};
TileTransforms tile_transforms(ConvAlgorithm a);

// Structural fill-in: the density of a transformed tensor whose spatial input has independently,
// uniformly placed non-zeros at density d. Output (i, j) of L X L^T is non-zero when any input in its
// support (row i of L times row j of L) is; it is so with probability 1 - (1 - d)^(s_i s_j). `which`:
// 'U' (weights through G), 'V' (activations through B^T), 'M' (output gradients through A).
double fill_in_density(ConvAlgorithm a, char which, double d);
// The same for real masks: the fraction of non-zero positions of G g G^T over every 3x3 kernel of a
// weight mask [Cout, Cin, 3, 3] (exact, structural: a position is non-zero when any weight in its
// support is, ignoring cancellations between non-zero weights).
double transformed_weight_density(const Mask& spatial, ConvAlgorithm a);

// The op of a Winograd layer for the phase of `direct` (the layer's direct-convolution op, whose
// direct_macs and direct_density it keeps): one GEMM per transformed-tile position (instances = alpha^2).
// FF: U[Cout x Cin] V[Cin x batch*tiles]; BP: U^T[Cin x Cout] dM[Cout x batch*tiles]; WU: dM[Cout x
// batch*tiles] V^T[batch*tiles x Cin]. Densities: U is pruned in the Winograd domain at
// winograd_weight_density, else the fill-in of the spatial weights (uniform estimate here; see
// apply_weight_fill_in for the exact one); V at winograd_activation_density, else the fill-in of the
// activations; dM the fill-in of the output gradients. No N:M pattern: it does not survive G g G^T.
GemmOp winograd_op(const Layer& l, std::int64_t batch, ConvAlgorithm a, const GemmOp& direct);

// Replaces the uniform fill-in estimate of every Winograd op's U density by the exact density computed
// from the layer's spatial weight mask (weight_mask, FF mask: the weights the network holds), where U is
// not pruned in the Winograd domain and the layer is pruned at all.
void apply_weight_fill_in(TrainingStep& step, std::uint64_t seed);

// Reference arithmetic for tests and functional checks: a single-channel 2-D convolution (correlation,
// as CNNs compute it) of an h x w input with a 3x3 kernel, zero padding `pad`, stride 1; row-major.
std::vector<double> direct_conv2d(const std::vector<double>& in, int h, int w, const std::vector<double>& k, int pad);
// The same output computed tile by tile with Winograd: U = G k G^T (or `u` when given, alpha x alpha,
// e.g. pruned in the Winograd domain), V = B^T d B, Y = A^T (U (.) V) A.
std::vector<double> winograd_conv2d(const std::vector<double>& in, int h, int w, const std::vector<double>& k, int pad,
                                    ConvAlgorithm a, const std::vector<double>* u = nullptr);
// U = G k G^T (alpha x alpha) of a 3x3 kernel.
std::vector<double> transform_kernel(const std::vector<double>& k, ConvAlgorithm a);

}  // namespace sparsim
