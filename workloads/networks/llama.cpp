// The decoder layers of LLaMA-7B (Touvron et al., 2023): 32 layers, hidden 4096, 32 heads, SwiGLU MLP of
// 11008, at the 2048-token training context per sample. Every GEMM of a layer: q, k, v and o projections,
// the attention score (Q K^T) and context (P V) matmuls, and the gate, up and down projections. The token
// embedding and LM head (32000 x 4096 each), RMS norms, rotary embedding and softmax are left out: the
// decoder layers are the 2:4 sparse LLM case (llama7b-decoder-2to4 applies 2:4 to every projection).
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

constexpr std::int64_t kSeq = 2048, kHidden = 4096, kHeads = 32, kMlp = 11008, kHeadDim = kHidden / kHeads;

void add_decoder_layer(Network& net, int i) {
  const std::string p = "layers." + std::to_string(i) + ".";
  for (const char* proj : {"q_proj", "k_proj", "v_proj"})
    net.layers.push_back(fc(p + "self_attn." + proj, kHidden, kHidden, kSeq));
  net.layers.push_back(matmul(p + "self_attn.scores", kSeq, kHeadDim, kSeq, kHeads));
  net.layers.push_back(matmul(p + "self_attn.context", kSeq, kSeq, kHeadDim, kHeads));
  net.layers.push_back(fc(p + "self_attn.o_proj", kHidden, kHidden, kSeq));
  net.layers.push_back(fc(p + "mlp.gate_proj", kHidden, kMlp, kSeq));
  net.layers.push_back(fc(p + "mlp.up_proj", kHidden, kMlp, kSeq));
  net.layers.push_back(fc(p + "mlp.down_proj", kMlp, kHidden, kSeq));
}

Network llama7b_decoder() {
  Network net;
  net.name = "llama7b-decoder";
  for (int i = 0; i < 32; ++i) add_decoder_layer(net, i);
  return net;
}

// One decoder layer: the same shapes at 1/32 of the work, for quick runs.
Network llama7b_layer() {
  Network net;
  net.name = "llama7b-layer";
  add_decoder_layer(net, 0);
  return net;
}

Network llama7b_decoder_2to4() {
  Network net = llama7b_decoder();
  net.name = "llama7b-decoder-2to4";
  for (auto& l : net.layers)
    if (l.kind == LayerKind::FullyConnected) l.sparsity.nm = NMPattern{2, 4};
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("llama7b-decoder",
                         "LLaMA-7B, all 32 decoder layers, hidden 4096, 2048 tokens (Touvron et al. 2023)",
                         llama7b_decoder);
SPARSIM_REGISTER_NETWORK("llama7b-layer", "LLaMA-7B, one decoder layer (layer 0 of llama7b-decoder)", llama7b_layer);
SPARSIM_REGISTER_NETWORK("llama7b-decoder-2to4",
                         "llama7b-decoder with 2:4 weights in every projection (sparse LLM case)",
                         llama7b_decoder_2to4);

}  // namespace sparsim
