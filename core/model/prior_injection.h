// prior_injection.h - Eq. 2: F' = W1 Z * LN(F) + W2 Z, the EPD Z steering every DTNet block (DiffIR).
#pragma once

#include <torch/torch.h>

namespace lldif {

// LayerNorm over the channel dimension of a [B, C, H, W] map (per pixel), with weight and bias.
struct ChannelLayerNormImpl : torch::nn::Module {
  explicit ChannelLayerNormImpl(int channels);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, H, W] -> [B, C, H, W]
  torch::Tensor weight, bias;
};
TORCH_MODULE(ChannelLayerNorm);

struct PriorInjectionImpl : torch::nn::Module {
  // dim: channels of F; prior_dim: C of Z.
  PriorInjectionImpl(int dim, int prior_dim);
  // f: [B, dim, H, W], z: [B, prior_dim] -> [B, dim, H, W]
  torch::Tensor forward(const torch::Tensor& f, const torch::Tensor& z);

  ChannelLayerNorm norm{nullptr};
  torch::nn::Linear proj{nullptr};  // Z -> (W1 Z, W2 Z), one Linear(C, 2 dim) split in two
};
TORCH_MODULE(PriorInjection);

}  // namespace lldif
