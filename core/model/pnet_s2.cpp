#include "core/model/pnet_s2.h"

#include "core/model/inference_conv.h"

namespace lldif {

namespace nn = torch::nn;

ResidualBlockImpl::ResidualBlockImpl(int in, int out, int stride) {
  conv1 = register_module("conv1",
                          nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
  bn1 = register_module("bn1", nn::BatchNorm2d(out));
  conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
  bn2 = register_module("bn2", nn::BatchNorm2d(out));
  if (stride != 1 || in != out) {
    skip = register_module("skip", nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
    bn_skip = register_module("bn_skip", nn::BatchNorm2d(out));
  }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = torch::relu(bn1->forward(convForward(conv1, x, 1)));
  h = bn2->forward(convForward(conv2, h, 1));
  const torch::Tensor s = skip ? bn_skip->forward(skip->forward(x)) : x;
  return torch::relu(h + s);
}

PNetS2Impl::PNetS2Impl(int in_channels, int dim) {
  stem = register_module("stem",
                         nn::Conv2d(nn::Conv2dOptions(in_channels, 16, 3).stride(2).padding(1).bias(false)));
  stem_bn = register_module("stem_bn", nn::BatchNorm2d(16));
  block1 = register_module("block1", ResidualBlock(16, 32, 2));   // 24 -> 12
  block2 = register_module("block2", ResidualBlock(32, 64, 2));   // 12 -> 6
  block3 = register_module("block3", ResidualBlock(64, 128, 2));  // 6 -> 3
  head = register_module("head", nn::Linear(128, dim));
}

torch::Tensor PNetS2Impl::forward(const torch::Tensor& x) {
  torch::Tensor h = torch::relu(stem_bn->forward(stem->forward(x)));  // [B, 16, 24, 24]
  h = block3->forward(block2->forward(block1->forward(h)));           // [B, 128, 3, 3]
  h = h.mean({2, 3});                                                 // [B, 128]
  return head->forward(h);                                            // [B, C]
}

}  // namespace lldif
