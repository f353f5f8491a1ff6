// LSTM stacks as GEMMs (Hochreiter and Schmidhuber, 1997), sized as in the sparse persistent RNN study of
// Zhu et al. (2018): hidden 1024 or 2304, two stacked layers, input size = hidden, 32 time steps per sample.
// The four gates (i, f, g, o) are fused into one 4H-row weight matrix per operand. Per layer:
//  - "input": W_x [4H x I] applied to all T inputs at once (no recurrence, so it batches over time:
//    N = batch * T);
//  - "recurrent.tK": W_h [4H x H] applied to h(K-1) at step K = 1..T-1, one GEMM per step (N = batch),
//    because each step needs the previous one; step 0 multiplies the zero initial state and is skipped.
//    Steps after the first reuse its weights (shares_weights), so W_h is counted once.
// Element-wise gate nonlinearities and biases are not GEMMs and are left out.
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

constexpr int kLayers = 2;
constexpr std::int64_t kSteps = 32;

Network lstm(std::int64_t hidden) {
  Network net;
  net.name = "lstm-" + std::to_string(hidden);
  for (int layer = 0; layer < kLayers; ++layer) {
    const std::string p = "lstm" + std::to_string(layer) + ".";
    Layer in = fc(p + "input", hidden, 4 * hidden, kSteps);
    in.needs_input_gradient = layer > 0;  // no gradient into the input sequence
    net.layers.push_back(in);
    for (std::int64_t t = 1; t < kSteps; ++t) {
      Layer rec = fc(p + "recurrent.t" + std::to_string(t), hidden, 4 * hidden, 1);
      if (t > 1) rec.shares_weights = p + "recurrent.t1";
      net.layers.push_back(rec);
    }
  }
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("lstm-1024",
                         "LSTM, 2 layers, hidden 1024, 32 steps: input GEMM over time + per-step recurrent GEMMs",
                         [] { return lstm(1024); });
SPARSIM_REGISTER_NETWORK("lstm-2304", "LSTM, 2 layers, hidden 2304, 32 steps (the size of Zhu et al. 2018)",
                         [] { return lstm(2304); });

}  // namespace sparsim
