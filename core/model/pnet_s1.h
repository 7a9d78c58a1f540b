// pnet_s1.h - PNET_s1 (Eq. 1): the text embedding of the true caption attends to LA-CLIP's image tokens;
// the result -> the EPD Z in R^C. Z carries the true label (stage 1 only; inference never sees it).
#pragma once

#include <torch/torch.h>

namespace lldif {

struct PNetS1Impl : torch::nn::Module {
  PNetS1Impl(int token_dim, int text_dim, int prior_dim, int heads = 4);
  // tokens: [B, N, token_dim] (LA-CLIP image tokens), text: [B, text_dim]  ->  Z: [B, prior_dim]
  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& text);

  torch::nn::Linear query{nullptr}, fc1{nullptr}, fc2{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::MultiheadAttention attn{nullptr};
};
TORCH_MODULE(PNetS1);

}  // namespace lldif
