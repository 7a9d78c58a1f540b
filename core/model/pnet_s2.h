// pnet_s2.h - PNET_s2 (Eq. 15): the image-only prior network, conv stem + residual blocks + linear -> x_s2.
#pragma once

#include <torch/torch.h>

namespace lldif {

struct ResidualBlockImpl : torch::nn::Module {
  ResidualBlockImpl(int in, int out, int stride);
  torch::Tensor forward(const torch::Tensor& x);  // [B, in, H, W] -> [B, out, H/stride, W/stride]
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn_skip{nullptr};
};
TORCH_MODULE(ResidualBlock);

struct PNetS2Impl : torch::nn::Module {
  // in_channels: 1 (gray crop) + heatmap channels; dim: C.
  PNetS2Impl(int in_channels, int dim);
  // x: [B, in_channels, 48, 48] -> x_s2: [B, C]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  ResidualBlock block1{nullptr}, block2{nullptr}, block3{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(PNetS2);

}  // namespace lldif
