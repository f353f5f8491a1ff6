#include "workloads/network.hpp"

#include <algorithm>
#include <stdexcept>

#include "workloads/winograd.hpp"

namespace sparsim {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::FF:
      return "FF";
    case Phase::BP:
      return "BP";
    case Phase::WU:
      return "WU";
  }
  return "?";
}

const char* layer_kind_name(LayerKind k) {
  switch (k) {
    case LayerKind::Conv:
      return "conv";
    case LayerKind::FullyConnected:
      return "fc";
    case LayerKind::MatMul:
      return "matmul";
  }
  return "?";
}

const char* conv_algorithm_name(ConvAlgorithm a) {
  switch (a) {
    case ConvAlgorithm::Direct:
      return "direct";
    case ConvAlgorithm::Winograd2x2:
      return "winograd_2x2_3x3";
    case ConvAlgorithm::Winograd4x4:
      return "winograd_4x4_3x3";
  }
  return "?";
}

const char* granularity_name(Granularity g) {
  switch (g) {
    case Granularity::Element:
      return "element";
    case Granularity::Vector:
      return "vector";
    case Granularity::Kernel:
      return "kernel";
    case Granularity::Filter:
      return "filter";
  }
  return "?";
}

const char* rnn_cell_name(RnnCell c) {
  switch (c) {
    case RnnCell::Lstm:
      return "lstm";
    case RnnCell::Gru:
      return "gru";
    case RnnCell::Rnn:
      return "rnn";
  }
  return "?";
}

int rnn_gates(RnnCell c) {
  switch (c) {
    case RnnCell::Lstm:
      return 4;
    case RnnCell::Gru:
      return 3;
    case RnnCell::Rnn:
      return 1;
  }
  return 1;
}

std::int64_t Layer::out_h() const { return kind == LayerKind::Conv ? (h + 2 * pad - kh) / stride + 1 : 1; }
std::int64_t Layer::out_w() const { return kind == LayerKind::Conv ? (w + 2 * pad - kw) / stride + 1 : 1; }

std::int64_t Layer::weight_count() const {
  switch (kind) {
    case LayerKind::Conv:
      return cout * (cin / groups) * kh * kw;
    case LayerKind::FullyConnected:
      return cout * cin;
    case LayerKind::MatMul:
      return 0;
  }
  return 0;
}

std::int64_t Layer::macs_per_sample() const {
  switch (kind) {
    case LayerKind::Conv:
      return weight_count() * out_h() * out_w();
    case LayerKind::FullyConnected:
      return weight_count() * tokens;
    case LayerKind::MatMul:
      return m * k * n * count;
  }
  return 0;
}

std::int64_t Network::weight_count() const {
  std::int64_t sum = 0;
  for (const auto& l : layers)
    if (l.shares_weights.empty()) sum += l.weight_count();
  return sum;
}

std::int64_t Network::macs_per_sample() const {
  std::int64_t sum = 0;
  for (const auto& l : layers) sum += l.macs_per_sample();
  return sum;
}

namespace {

double weight_density(const Layer& l) {
  return l.sparsity.nm.active() ? l.sparsity.nm.density() * l.sparsity.weight_density : l.sparsity.weight_density;
}

GemmOp make_op(const Layer& l, int index, Phase phase, std::int64_t M, std::int64_t K, std::int64_t N,
               std::int64_t instances) {
  GemmOp op;
  op.layer_index = index;
  op.layer = l.name;
  op.phase = phase;
  op.M = M;
  op.K = K;
  op.N = N;
  op.instances = instances;
  return op;
}

// The three phases of one layer as GEMMs (see the header for the lowering).
std::vector<GemmOp> lower(const Layer& l, int index, std::int64_t batch, Phase phase) {
  std::vector<GemmOp> ops;
  const bool has_weights = l.kind != LayerKind::MatMul;
  std::int64_t out_ch = 0, red = 0, cols = 0, inst = 1;  // weight rows, weight cols (reduction), positions
  if (l.kind == LayerKind::Conv) {
    out_ch = l.cout / l.groups;
    red = (l.cin / l.groups) * l.kh * l.kw;
    cols = batch * l.out_h() * l.out_w();
    inst = l.groups;
  } else if (l.kind == LayerKind::FullyConnected) {
    out_ch = l.cout;
    red = l.cin;
    cols = batch * l.tokens;
  }
  const NMPattern nm = l.sparsity.prunable ? l.sparsity.nm : NMPattern{};
  const double wd = l.sparsity.prunable ? weight_density(l) : 1.0;
  if (has_weights) {
    if (phase == Phase::FF) {
      GemmOp op = make_op(l, index, phase, out_ch, red, cols, inst);
      op.a_nm = nm;
      op.a_density = wd;
      op.b_density = l.sparsity.activation_density;
      ops.push_back(op);
    } else if (phase == Phase::BP) {
      // A recurrent layer's BP always runs: the gradient flows back through h over the steps.
      if (!l.needs_input_gradient && !l.rnn) return ops;
      const std::int64_t rows = l.rnn && !l.needs_input_gradient ? l.rnn->hidden : red;
      GemmOp op = make_op(l, index, phase, rows, out_ch, cols, inst);
      op.a_nm = nm;  // second mask: N:M groups along the output channels of W
      op.a_density = wd;
      op.b_density = l.sparsity.gradient_density;
      ops.push_back(op);
    } else {
      GemmOp op = make_op(l, index, phase, out_ch, cols, red, inst);
      op.a_density = l.sparsity.gradient_density;
      op.b_density = l.sparsity.activation_density;
      op.a_is_weight = false;
      ops.push_back(op);
    }
    for (GemmOp& op : ops) {
      if (l.rnn) {
        // Structured gate-gradient sparsity: dG is BP's B operand and WU's A operand.
        op.rnn = RnnOp{*l.rnn, batch, l.sparsity.gate_gradient_density, l.needs_input_gradient};
        if (phase == Phase::BP) op.b_density *= l.sparsity.gate_gradient_density;
        if (phase == Phase::WU) op.a_density *= l.sparsity.gate_gradient_density;
      }
      op.direct_macs = op.macs();
      op.direct_density = op.a_density * op.b_density;
    }
    // A Winograd layer keeps the direct op's figures for the report and replaces its GEMM.
    const ConvAlgorithm alg = l.algorithm.value_or(ConvAlgorithm::Direct);
    if (alg != ConvAlgorithm::Direct && l.kind == LayerKind::Conv)
      for (GemmOp& op : ops) op = winograd_op(l, batch, alg, op);
  } else {
    // C[m x n] = A[m x k] B[k x n] per instance; BP: dA = dC B^T; "WU": dB = A^T dC (no weights).
    const std::int64_t instances = l.count * batch;
    GemmOp op;
    if (phase == Phase::FF) {
      op = make_op(l, index, phase, l.m, l.k, l.n, instances);
      op.b_density = l.sparsity.activation_density;
    } else if (phase == Phase::BP) {
      if (!l.needs_input_gradient) return ops;
      op = make_op(l, index, phase, l.m, l.n, l.k, instances);
      op.a_density = l.sparsity.gradient_density;
    } else {
      if (!l.needs_input_gradient) return ops;
      op = make_op(l, index, phase, l.k, l.m, l.n, instances);
      op.b_density = l.sparsity.gradient_density;
    }
    op.a_is_weight = false;
    ops.push_back(op);
  }
  return ops;
}

}  // namespace

TrainingStep expand_training_step(const Network& net, std::int64_t batch, const std::vector<Phase>& phases) {
  TrainingStep step;
  step.network = net;
  step.batch = batch;
  auto wants = [&](Phase p) { return std::find(phases.begin(), phases.end(), p) != phases.end(); };
  if (wants(Phase::FF))
    for (std::size_t i = 0; i < net.layers.size(); ++i)
      for (auto& op : lower(net.layers[i], static_cast<int>(i), batch, Phase::FF)) step.ops.push_back(op);
  for (std::size_t r = net.layers.size(); r-- > 0;) {
    for (Phase p : {Phase::BP, Phase::WU})
      if (wants(p))
        for (auto& op : lower(net.layers[r], static_cast<int>(r), batch, p)) step.ops.push_back(op);
  }
  return step;
}

}  // namespace sparsim
