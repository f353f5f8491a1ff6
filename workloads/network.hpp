#pragma once
// What is computed: a network's layers with their shapes and sparsity, and the expansion of one training
// step into GEMM-shaped operations per phase (FF forward, BP backward-data, WU weight-gradient).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sparsim {

enum class LayerKind { Conv, FullyConnected, MatMul };
enum class Phase { FF, BP, WU };
// How a conv layer is computed (workloads/winograd.hpp, docs/winograd.md): direct (im2col GEMM), or
// Winograd's minimal filtering F(2x2,3x3) / F(4x4,3x3) for 3x3 stride-1 convolutions without groups.
enum class ConvAlgorithm { Direct, Winograd2x2, Winograd4x4 };

const char* phase_name(Phase p);
const char* layer_kind_name(LayerKind k);
// "direct", "winograd_2x2_3x3", "winograd_4x4_3x3": the names of the config key and of the network YAML.
const char* conv_algorithm_name(ConvAlgorithm a);

// N:M structured sparsity: N kept values in every group of M consecutive values. n == 0: none.
struct NMPattern {
  int n = 0;
  int m = 0;
  bool active() const { return n > 0 && m > 0 && n < m; }
  double density() const { return active() ? static_cast<double>(n) / m : 1.0; }
};

// Coarse-grained pruning units for weights [Cout, Cin, R, S] (Mao et al. 2017): one element, a kernel row
// (vector of S), a whole R x S kernel, or a whole filter (Cin x R x S). Shapes of lower rank are padded with
// trailing 1s first, so an fc weight [Cout, Cin] is a 1x1 conv: vector = kernel = element, filter = a row.
enum class Granularity { Element, Vector, Kernel, Filter };
const char* granularity_name(Granularity g);

// Recurrent cells (docs/rnn.md): LSTM (4 gates: i, f, g, o), GRU (3: r, z, n) and the vanilla tanh RNN (1).
enum class RnnCell { Lstm, Gru, Rnn };
const char* rnn_cell_name(RnnCell c);  // "lstm", "gru", "rnn": the layer types of the network YAML
int rnn_gates(RnnCell c);

struct LayerSparsity {
  double weight_density = 1.0;                     // fraction of non-zero weights (unstructured pruning)
  NMPattern nm;                                    // N:M weight pattern (bidirectional: FF along Cin, BP along Cout)
  double activation_density = 1.0;                 // fraction of non-zero input activations
  double gradient_density = 1.0;                   // fraction of non-zero output gradients (BP input)
  bool prunable = true;                            // false: the network keeps this layer dense (e.g. first conv)
  std::string mask_file;                           // optional real weight mask (see docs/workloads.md)
  std::string mask_file_bp;                        // optional second mask for BP (bidirectional N:M along Cout)
  Granularity granularity = Granularity::Element;  // unit of unstructured pruning in generated masks
  bool uniform_positions = false;                  // generated unstructured masks: uniform random, not magnitude-style
  bool transposable = false;  // generated N:M masks: one mask, N:M along Cin and Cout (FF and BP alike)
  // Fraction of the weight mask's bits that changed at this step (a training trace's record: since the
  // previous record); negative: not known (the mask may have changed).
  double mask_change = -1.0;
  // Winograd-domain sparsity (Liu et al. 2018) of a layer computed with Winograd: the density of the
  // transformed weights U pruned in the Winograd domain, and of the transformed activations V after a
  // ReLU moved into the Winograd domain. Unset: U and V are the transforms of the spatial tensors, whose
  // zeros the transforms fill in (workloads/winograd.hpp).
  std::optional<double> winograd_weight_density;
  std::optional<double> winograd_activation_density;
  // Recurrent layers: the fraction of the gate-gradient matrix dG [gates*hidden x batch] kept per time step
  // when whole rows (hidden units, over the batch) below a threshold are dropped (Zhu et al. 2018,
  // "Structurally Sparsified Backward Propagation for Faster LSTM Training"). 1: dense backward.
  double gate_gradient_density = 1.0;
};

// One recurrent layer (a single direction) over `steps` time steps: gates*hidden rows of weights applied to
// [x_t; h_(t-1)], i.e. an fc layer with cin = input + hidden, cout = gates * hidden and tokens = steps whose
// columns depend on each other through h. Models that know recurrence (stc) run it step by step; the others
// see the fc layer, all steps at once.
struct RnnSpec {
  RnnCell cell = RnnCell::Lstm;
  std::int64_t input = 1, hidden = 1, steps = 1;
  std::int64_t stack = 1;  // layers of the entry (module) this layer belongs to: a library's algorithm choice
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  // Conv and fully connected: input batch x cin x h x w, kernel kh x kw, cout filters.
  std::int64_t cin = 1, cout = 1, h = 1, w = 1, kh = 1, kw = 1, stride = 1, pad = 0, groups = 1;
  // MatMul between activations (attention scores/context): per-instance [m x k] * [k x n], `count`
  // instances per sample (heads). No weights: nothing to prune.
  std::int64_t m = 0, k = 0, n = 0, count = 1;
  // Fully connected layers over sequences apply to `tokens` rows per sample (1 for CNN classifiers).
  std::int64_t tokens = 1;
  bool needs_input_gradient = true;  // false for the first layer: no BP into the network input
  LayerSparsity sparsity;
  // Recurrent steps: the name of an earlier layer of the same weight shape whose weights (and mask) this
  // layer reuses. Empty: the layer has weights of its own. Shared weights count once in Network::weight_count.
  std::string shares_weights;
  // The input is a ReLU output (possibly pooled or flattened), so its zeros are ReLU zeros: the "relu"
  // sparsity profile sets activation_density on these layers only.
  bool relu_input = false;
  // The layer's own `algorithm:` from its network file (overrides workload.conv_algorithm); after
  // configured_network, the algorithm it is computed with. Unset: direct.
  std::optional<ConvAlgorithm> algorithm;
  // Set for a recurrent layer (kind FullyConnected with cin = input + hidden, cout = gates * hidden,
  // tokens = steps; see RnnSpec).
  std::optional<RnnSpec> rnn;
  // Line of the layer's entry in its network file (0: not from a file), for errors found after parsing.
  int source_line = 0;

  std::int64_t out_h() const;
  std::int64_t out_w() const;
  std::int64_t weight_count() const;     // parameters (without bias)
  std::int64_t macs_per_sample() const;  // forward multiply-accumulates for one sample
};

struct Network {
  std::string name;
  std::string source;  // "builtin" or the file it was loaded from
  std::vector<Layer> layers;
  std::int64_t weight_count() const;  // distinct parameters: layers that share weights count once
  std::int64_t macs_per_sample() const;
};

// The recurrent layer an op belongs to, with what a step-by-step execution needs.
struct RnnOp {
  RnnSpec spec;
  std::int64_t batch = 1;
  double gate_gradient_density = 1.0;  // LayerSparsity::gate_gradient_density
  bool input_gradient = true;          // BP also computes dX (the op's M then includes the input rows)
};

// One GEMM-shaped operation: out[M x N] = A[M x K] * B[K x N], `instances` independent copies
// (conv groups, attention heads, batch for per-sample matmuls). A is the weight-side operand; when
// `a_nm` is active, A keeps N of every M values along K (the reduction dimension).
struct GemmOp {
  int layer_index = 0;
  std::string layer;
  Phase phase = Phase::FF;
  std::int64_t M = 0, K = 0, N = 0, instances = 1;
  NMPattern a_nm;           // structure of A along K (FF: W along Cin; BP: W^T along Cout)
  double a_density = 1.0;   // non-zero fraction of A
  double b_density = 1.0;   // non-zero fraction of B
  bool a_is_weight = true;  // A is a weight tensor (FF, BP) rather than a gradient (WU)
  // Convolutions: how the op was lowered, and what the direct convolution of the same layer and phase
  // would multiply, so that reports set Winograd's multiplications next to direct convolution's.
  ConvAlgorithm conv_algorithm = ConvAlgorithm::Direct;
  std::int64_t direct_macs = 0;  // the direct convolution's dense multiplications (this op's macs() if direct)
  double direct_density = 1.0;   // fraction of them whose two operands are non-zero (spatial densities)
  // Winograd: the transforms this phase performs (workloads/winograd.hpp): additions, and multiplications
  // by transform constants other than +-1. Not MACs: the element-wise stage alone is the GEMM above.
  std::int64_t transform_adds = 0;
  std::int64_t transform_const_mults = 0;
  // Recurrent layers: the whole phase over all time steps is this one op (FF: M = gates*hidden, K = input +
  // hidden, N = batch*steps; BP: M = input + hidden (hidden without dX), K = gates*hidden; WU: M =
  // gates*hidden, K = batch*steps, N = input + hidden), which recurrent-aware models expand into their kernels.
  std::optional<RnnOp> rnn;
  std::int64_t macs() const { return M * K * N * instances; }
  // Multiplications whose two operands are both non-zero, for independent zeros: what a datapath that
  // skips every zero operand would issue (the count Liu et al. 2018 report).
  double effectual_macs() const { return static_cast<double>(macs()) * a_density * b_density; }
};

struct TrainingStep {
  Network network;
  std::int64_t batch = 1;
  std::vector<GemmOp> ops;  // in execution order: all FF, then BP and WU in reverse layer order
};

// Expands every selected layer into its phases. FF: A = W (Cout x Cin*R*S), B = im2col(X), N = batch*Ho*Wo.
// BP: A = W^T (Cin*R*S x Cout) with N:M along Cout, B = dY. WU: A = dY (Cout x batch*Ho*Wo), B = X^T, dense.
TrainingStep expand_training_step(const Network& net, std::int64_t batch, const std::vector<Phase>& phases);

}  // namespace sparsim
