// dmnet.h - DMNet (Eq. 3): channel ("transposed") self-attention, attention map C'' x C'' per head,
// Q, K, V by 1x1 + 3x3 depthwise convolutions, L2-normalised Q and K, learnable temperature alpha.
#pragma once

#include <torch/torch.h>

namespace lldif {

struct DMNetImpl : torch::nn::Module {
  DMNetImpl(int dim, int heads);
  // x: [B, dim, H, W] -> [B, dim, H, W] (the residual is added by the DTNet block)
  torch::Tensor forward(const torch::Tensor& x);
  // Same, also returning the attention map [B, heads, dim/heads, dim/heads].
  std::pair<torch::Tensor, torch::Tensor> forwardWithAttention(const torch::Tensor& x);

  int heads;
  torch::Tensor temperature;  // [heads, 1, 1]
  torch::nn::Conv2d qkv{nullptr}, qkv_dw{nullptr}, project{nullptr};
};
TORCH_MODULE(DMNet);

}  // namespace lldif
