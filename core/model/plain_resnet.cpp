#include "core/model/plain_resnet.h"

#include "core/model/model_config.h"

namespace lldif {

namespace nn = torch::nn;

ModelConfig withResidualBackbone(ModelConfig base) {
  base.backbone = "resnet";
  base.dims = kPlainResNetDims;
  base.fusion_dim = 128;
  return base;
}

PlainResNetImpl::PlainResNetImpl() {
  stem = register_module("stem", nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1).bias(false)));
  stem_bn = register_module("stem_bn", nn::BatchNorm2d(32));
  const auto [d0, d1, d2] = kPlainResNetDims;
  blocks = register_module("blocks", nn::Sequential(ResidualBlock(32, d0, 2),  // 48 -> 24
                                                    ResidualBlock(d0, d0, 1),  //
                                                    ResidualBlock(d0, d1, 2),  // 24 -> 12
                                                    ResidualBlock(d1, d1, 1),  //
                                                    ResidualBlock(d1, d2, 2),  // 12 -> 6
                                                    ResidualBlock(d2, d2, 1)));
  dropout = register_module("dropout", nn::Dropout(0.2));
  head = register_module("head", nn::Linear(d2, kNumClasses));
}

torch::Tensor PlainResNetImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = torch::relu(stem_bn->forward(stem->forward(x)));  // [B, 32, 48, 48]
  h = blocks->forward(h);                                             // [B, d2 = 192, 6, 6]
  torch::Tensor pooled = h.mean({2, 3});                              // [B, d2]
  if (is_training() && dropout_generator) {
    const double keep = 1.0 - dropout->options.p();
    pooled = pooled * torch::bernoulli(torch::full_like(pooled, keep), *dropout_generator) / keep;
  } else {
    pooled = dropout->forward(pooled);
  }
  return head->forward(pooled);  // [B, 8]
}

int64_t residualTrunkMacs(int64_t d0, int64_t d1, int64_t d2) {
  auto conv = [](int64_t hw, int64_t out_c, int64_t in_c, int64_t k) { return hw * out_c * in_c * k * k; };
  auto block = [&](int64_t hw, int64_t in, int64_t out) {
    return conv(hw, out, in, 3) + conv(hw, out, out, 3) + (in != out ? conv(hw, out, in, 1) : 0);
  };
  return conv(2304, 32, 1, 3) + block(576, 32, d0) + block(576, d0, d0) + block(144, d0, d1) +
         block(144, d1, d1) + block(36, d1, d2) + block(36, d2, d2);
}

int64_t plainResNetMacs() {
  const auto [d0, d1, d2] = kPlainResNetDims;
  return residualTrunkMacs(d0, d1, d2) + int64_t{d2} * kNumClasses;
}

}  // namespace lldif
