#include "core/model/pnet_s1.h"

namespace lldif {

namespace nn = torch::nn;

PNetS1Impl::PNetS1Impl(int token_dim, int text_dim, int prior_dim, int heads) {
  query = register_module("query", nn::Linear(text_dim, token_dim));
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({token_dim})));
  attn = register_module("attn", nn::MultiheadAttention(nn::MultiheadAttentionOptions(token_dim, heads)));
  fc1 = register_module("fc1", nn::Linear(2 * token_dim, prior_dim));
  fc2 = register_module("fc2", nn::Linear(prior_dim, prior_dim));
}

torch::Tensor PNetS1Impl::forward(const torch::Tensor& tokens, const torch::Tensor& text) {
  const torch::Tensor q = query->forward(text);                                           // [B, token_dim]
  const torch::Tensor kv = norm->forward(tokens).transpose(0, 1);                         // [N, B, token_dim]
  const torch::Tensor a = std::get<0>(attn->forward(q.unsqueeze(0), kv, kv)).squeeze(0);  // [B, token_dim]
  const torch::Tensor h = torch::leaky_relu(fc1->forward(torch::cat({a, q}, 1)), 0.1);    // [B, C]
  return fc2->forward(h);                                                                 // Z: [B, C]
}

}  // namespace lldif
