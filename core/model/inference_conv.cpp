#include "core/model/inference_conv.h"

#include <ATen/Context.h>
#include <ATen/ops/mkldnn_reorder_conv2d_weight.h>

namespace lldif {

torch::Tensor convForward(torch::nn::Conv2d& conv, const torch::Tensor& x, int64_t padding) {
  // Wide convolutions only: on narrow ones (PNET_s2's 16-64 channels) oneDNN measured slower.
  if (torch::GradMode::is_enabled() || !x.is_cpu() || x.scalar_type() != torch::kFloat || !at::hasMKLDNN() ||
      conv->weight.size(0) < 96)
    return conv->forward(x);
  const auto& o = conv->options;
  const c10::optional<torch::Tensor> bias =
      conv->bias.defined() ? c10::optional<torch::Tensor>(conv->bias) : c10::nullopt;
  const std::array<int64_t, 2>& stride = *o.stride();
  const std::array<int64_t, 2>& dilation = *o.dilation();
  return at::mkldnn_convolution(x.contiguous(), conv->weight, bias, {padding, padding}, stride, dilation,
                                o.groups());
}

bool canFoldForInference() { return at::hasMKLDNN(); }

FoldedConvBn::FoldedConvBn(const torch::nn::Conv2dImpl& conv, const torch::nn::BatchNorm2dImpl& bn,
                           int64_t padding) {
  TORCH_CHECK(canFoldForInference(), "FoldedConvBn: this LibTorch has no oneDNN");
  TORCH_CHECK(!conv.bias.defined() && conv.options.groups() == 1, "FoldedConvBn: conv with bias or groups");
  torch::NoGradGuard no_grad;
  const auto& o = conv.options;
  stride_ = *o.stride();
  dilation_ = *o.dilation();
  padding_ = {padding, padding};
  const torch::Tensor scale = bn.weight / torch::sqrt(bn.running_var + bn.options.eps());  // [out]
  const torch::Tensor w = (conv.weight * scale.view({-1, 1, 1, 1})).contiguous();          // [out, in, k, k]
  bias_ = (bn.bias - bn.running_mean * scale).contiguous();
  weight_ = at::mkldnn_reorder_conv2d_weight(w.to_mkldnn(), padding_, stride_, dilation_, 1);
}

torch::Tensor FoldedConvBn::forward(const torch::Tensor& x) const {
  return at::mkldnn_convolution(x, weight_, bias_, padding_, stride_, dilation_, 1);
}

FoldedResidualBlock::FoldedResidualBlock(const ResidualBlockImpl& b)
    : conv1_(*b.conv1, *b.bn1, 1), conv2_(*b.conv2, *b.bn2, 1) {
  if (b.skip) skip_.emplace(*b.skip, *b.bn_skip, 0);
}

torch::Tensor FoldedResidualBlock::forward(const torch::Tensor& x) const {
  const torch::Tensor xm = x.is_mkldnn() ? x : x.contiguous().to_mkldnn();
  const torch::Tensor h = conv2_.forward(torch::relu(conv1_.forward(xm)));
  return torch::relu(h + (skip_ ? skip_->forward(xm) : xm));
}

}  // namespace lldif
