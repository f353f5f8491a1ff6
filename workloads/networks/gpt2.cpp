// GPT-2 small (Radford et al., 2019): 12 decoder layers, hidden 768, 12 heads, MLP 3072, vocabulary 50257,
// at its full context of 1024 tokens per sample. Every GEMM: the fused QKV projection (c_attn), the
// attention score (Q K^T) and context (P V) matmuls, the output projection and the two MLP GEMMs, plus the
// language-model head, whose weights are tied to the token embedding (so they count once, here). The
// causal mask is applied after the score GEMM, which is computed whole. Layer norms, GELU, softmax and
// the 1024 x 768 position embedding are not GEMMs and are left out.
#include <string>

#include "workloads/library.hpp"

namespace sparsim {
namespace {

Network gpt2_small() {
  Network net;
  net.name = "gpt2-small";
  const std::int64_t seq = 1024, hidden = 768, heads = 12, mlp = 3072, head_dim = hidden / heads, vocab = 50257;
  for (int i = 0; i < 12; ++i) {
    const std::string p = std::string("h").append(std::to_string(i)).append(".");
    net.layers.push_back(fc(p + "attn.c_attn", hidden, 3 * hidden, seq));
    net.layers.push_back(matmul(p + "attn.scores", seq, head_dim, seq, heads));
    net.layers.push_back(matmul(p + "attn.context", seq, seq, head_dim, heads));
    net.layers.push_back(fc(p + "attn.c_proj", hidden, hidden, seq));
    net.layers.push_back(fc(p + "mlp.c_fc", hidden, mlp, seq));
    net.layers.push_back(fc(p + "mlp.c_proj", mlp, hidden, seq));
  }
  net.layers.push_back(fc("lm_head", hidden, vocab, seq));
  return net;
}

}  // namespace

SPARSIM_REGISTER_NETWORK("gpt2-small",
                         "GPT-2 small, 12 layers, hidden 768, 1024 tokens, with tied LM head (Radford et al. 2019)",
                         gpt2_small);

}  // namespace sparsim
