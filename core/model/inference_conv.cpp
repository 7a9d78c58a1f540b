#include "core/model/inference_conv.h"

#include <ATen/Context.h>

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

}  // namespace lldif
