// dgnet.h - DGNet (Eq. 4): gated feed-forward. 1x1 conv to 2x expansion (x2 for the gate), 3x3 depthwise,
// split, GELU(a) * b, 1x1 back.
#pragma once

#include <torch/torch.h>

namespace lldif {

struct DGNetImpl : torch::nn::Module {
  DGNetImpl(int dim, int expansion = 2);
  torch::Tensor forward(const torch::Tensor& x);  // [B, dim, H, W] -> [B, dim, H, W]
  torch::nn::Conv2d expand{nullptr}, dw{nullptr}, project{nullptr};
};
TORCH_MODULE(DGNet);

}  // namespace lldif
