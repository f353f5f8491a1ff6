// BERT-base encoder stack (Devlin et al., 2019): 12 layers, hidden 768, 12 heads, FFN 3072, sequence 128.
// Every GEMM of an encoder layer, including the attention score (Q K^T) and context (P V) matmuls.
// Embeddings, softmax, layer norm and the pooler are not GEMMs of the encoder and are left out.
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network bert_base() {
  Network net;
  net.name = "bert-base";
  const std::int64_t seq = 128, hidden = 768, heads = 12, ffn = 3072, head_dim = hidden / heads;
  for (int i = 0; i < 12; ++i) {
    const std::string p = "encoder" + std::to_string(i) + ".";
    net.layers.push_back(fc(p + "query", hidden, hidden, seq));
    net.layers.push_back(fc(p + "key", hidden, hidden, seq));
    net.layers.push_back(fc(p + "value", hidden, hidden, seq));
    net.layers.push_back(matmul(p + "scores", seq, head_dim, seq, heads));   // Q K^T per head
    net.layers.push_back(matmul(p + "context", seq, seq, head_dim, heads));  // P V per head
    net.layers.push_back(fc(p + "attn_out", hidden, hidden, seq));
    net.layers.push_back(fc(p + "ffn_in", hidden, ffn, seq));
    net.layers.push_back(fc(p + "ffn_out", ffn, hidden, seq));
  }
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("bert-base", "BERT-base encoder, 12 layers, hidden 768, sequence 128 (Devlin et al. 2019)",
                         bert_base);

}  // namespace sparsim
