// Recurrent networks sized as in the sparse persistent RNN study of Zhu et al. (2018): hidden 1024 or 2304,
// two stacked LSTM layers, input size = hidden, 32 time steps per sample (layer type lstm, docs/rnn.md).
// Models that know recurrence (stc) run each layer step by step; the others see it as an fc layer over all
// steps at once.
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

constexpr int kLayers = 2;
constexpr std::int64_t kSteps = 32;

Network lstm(std::int64_t hidden) {
  Network net;
  net.name = "lstm-" + std::to_string(hidden);
  Layer first;
  first.name = "lstm";
  first.kind = LayerKind::FullyConnected;
  first.rnn = RnnSpec{RnnCell::Lstm, hidden, hidden, kSteps};
  first.cin = 2 * hidden;
  first.cout = 4 * hidden;
  first.tokens = kSteps;
  first.needs_input_gradient = false;  // no gradient into the input sequence
  for (int layer = 0; layer < kLayers; ++layer) net.layers.push_back(stacked_rnn_layer(first, layer, kLayers));
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("lstm-1024", "LSTM, 2 layers, hidden 1024, 32 steps (recurrent layers, docs/rnn.md)",
                         [] { return lstm(1024); });
SPARSIM_REGISTER_NETWORK("lstm-2304", "LSTM, 2 layers, hidden 2304, 32 steps (the size of Zhu et al. 2018)",
                         [] { return lstm(2304); });

}  // namespace sparsim
