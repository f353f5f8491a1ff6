#include "models/stc/rnn_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace sparsim::stc {

std::int64_t kept_gate_rows(std::int64_t gate_rows, double d) {
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(d * static_cast<double>(gate_rows))), 1,
                                  gate_rows);
}

const char* rnn_algorithm_name(RnnAlgorithm a) {
  switch (a) {
    case RnnAlgorithm::Standard:
      return "standard";
    case RnnAlgorithm::Persistent:
      return "persistent";
    case RnnAlgorithm::SparsePersistent:
      return "sparse_persistent";
  }
  return "?";
}

bool cudnn_picks_persistent(const RnnOp& r, Phase phase, bool fp16) {
  const std::int64_t H = r.spec.hidden, B = r.batch;
  const bool forward = phase == Phase::FF;
  const bool gated = r.spec.cell != RnnCell::Rnn;
  if (H <= (gated ? (forward ? 192 : 128) : (forward ? 384 : 256))) return true;  // PERSIST_STATIC_SMALL_H
  if (!fp16) return false;
  if (r.spec.stack != 1 || H > 1024 || H % 128 != 0 || r.spec.input % 128 != 0) return false;
  if (r.spec.cell == RnnCell::Gru) return false;
  const bool batch_ok = B % 8 == 0 && B <= 128;
  return r.spec.cell == RnnCell::Lstm ? batch_ok : batch_ok && (B < 96 || H < 896);
}

std::int64_t persistent_weight_bytes(const RnnOp& r, RnnAlgorithm algorithm, double density) {
  const std::int64_t w = rnn_gates(r.spec.cell) * r.spec.hidden * r.spec.hidden;
  if (algorithm != RnnAlgorithm::SparsePersistent) return w * 2;
  return static_cast<std::int64_t>(std::ceil(density * static_cast<double>(w))) * (2 + 2);
}

std::vector<RnnKernel> rnn_kernels(const GemmOp& op, bool sparse, int elem_bytes, RnnAlgorithm algorithm) {
  const RnnOp& r = *op.rnn;
  const std::int64_t G = rnn_gates(r.spec.cell), H = r.spec.hidden, I = r.spec.input, T = r.spec.steps, B = r.batch,
                     e = elem_bytes;
  const std::int64_t GH = G * H, hb = H * B * e, gb = GH * B * e;
  const bool lstm = r.spec.cell == RnnCell::Lstm, vanilla = r.spec.cell == RnnCell::Rnn;
  std::vector<RnnKernel> k;
  const auto gemm = [&](const char* what, std::int64_t M, std::int64_t N, std::int64_t K, bool sp, std::int64_t n) {
    RnnKernel x;
    x.what = what;
    x.shape = gemm::GemmShape{M, N, K, 1, sp};
    x.repeat = n;
    k.push_back(x);
  };
  const auto pointwise = [&](const char* what, std::int64_t read, std::int64_t write, std::int64_t n) {
    RnnKernel x;
    x.kind = RnnKernel::Kind::Pointwise;
    x.what = what;
    x.read_bytes = read;
    x.write_bytes = write;
    x.repeat = n;
    k.push_back(x);
  };
  const bool persistent = algorithm != RnnAlgorithm::Standard && op.phase != Phase::WU;
  const auto persistent_kernel = [&](const char* what, std::int64_t rows, std::int64_t reduction, std::int64_t gather,
                                     std::int64_t write) {
    RnnKernel x;
    x.kind = RnnKernel::Kind::Persistent;
    x.what = what;
    x.out_rows = rows;
    x.reduction = reduction;
    x.batch = B;
    x.steps = T;
    x.gather_bytes = gather;
    x.step_write_bytes = write;
    x.density = algorithm == RnnAlgorithm::SparsePersistent ? op.a_density : 1.0;
    x.weight_bytes = persistent_weight_bytes(r, algorithm, x.density);
    x.cuda_cores = algorithm == RnnAlgorithm::SparsePersistent;
    k.push_back(x);
  };
  if (persistent && op.phase == Phase::FF) {
    // As cuDNN's persistent forward runs it: the input projection as one GEMM, an initialisation kernel,
    // then one kernel for all steps (the cell inside it).
    // Dense: cuDNN's persistent kernels have dense weights; Zhu et al.'s holds the recurrent weights only.
    gemm("x_proj", GH, B * T, I, false, 1);
    pointwise("persist_init", 0, GH * e, 1);
    persistent_kernel("h_persistent", GH, H, H * e, hb + gb + (lstm ? hb : 0));
  } else if (persistent && op.phase == Phase::BP) {
    // cuDNN's persistent backward: two small set-up kernels, one kernel for all steps, one to copy dhx out.
    pointwise("persist_init_bp", 0, GH * e, 1);
    pointwise("copy_dhy", hb, hb, 1);
    persistent_kernel("dh_persistent", H, GH, GH * e, gb + hb);
    pointwise("copy_dhx", hb, hb, 1);
    if (r.input_gradient) gemm("dx", I, B * T, GH, false, 1);
    pointwise("bias_grad", GH * B * T * e, GH * e, 1);
  } else if (op.phase == Phase::FF) {
    gemm("x_proj", GH, B * T, I, sparse, 1);
    // Per step: W_h h_(t-1) (cuDNN runs it at t = 0 too, on the zero initial state), then the cell: both
    // pre-activations and the previous state in; h (and c), plus the gate activations kept for BP, out.
    gemm("h_step", GH, B, H, sparse, T);
    pointwise("cell", 2 * gb + (vanilla ? 0 : hb), hb + gb + (lstm ? hb : 0), T);
  } else if (op.phase == Phase::BP) {
    const double d = r.gate_gradient_density;
    const std::int64_t kept = kept_gate_rows(GH, d);
    // Per step, in reverse: dh_t (from the output and from step t+1) and the saved gates (and c) in, dG out;
    // the threshold pass reads dG and writes the kept rows and their indices; then dh_(t-1) = W_h^T dG.
    pointwise("cell_bp", 2 * hb + gb + (lstm ? 2 * hb : 0), gb + (lstm ? hb : 0), T);
    if (d < 1.0) pointwise("threshold", gb, kept * B * e + kept * 4, T);
    // Gathering a subset of W_h's rows breaks the 2:4 groups along them: sparse only at full density.
    gemm("dh_step", H, B, kept, sparse && d >= 1.0, T);
    // Over all steps at once: the kept rows differ from step to step, so dG enters dense here.
    if (r.input_gradient) gemm("dx", I, B * T, GH, sparse, 1);
    pointwise("bias_grad", GH * B * T * e, GH * e, 1);
  } else {
    gemm("dw_x", GH, I, B * T, false, 1);
    gemm("dw_h", GH, H, B * T, false, 1);
  }
  return k;
}

}  // namespace sparsim::stc
