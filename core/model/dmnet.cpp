#include "core/model/dmnet.h"

namespace lldif {

namespace nn = torch::nn;

DMNetImpl::DMNetImpl(int dim, int heads_) : heads(heads_) {
  TORCH_CHECK(dim % heads == 0, "DMNet: dim must be divisible by heads");
  temperature = register_parameter("temperature", torch::ones({heads, 1, 1}));
  qkv = register_module("qkv", nn::Conv2d(nn::Conv2dOptions(dim, 3 * dim, 1).bias(false)));
  qkv_dw = register_module(
      "qkv_dw", nn::Conv2d(nn::Conv2dOptions(3 * dim, 3 * dim, 3).padding(1).groups(3 * dim).bias(false)));
  project = register_module("project", nn::Conv2d(nn::Conv2dOptions(dim, dim, 1).bias(false)));
}

std::pair<torch::Tensor, torch::Tensor> DMNetImpl::forwardWithAttention(const torch::Tensor& x) {
  const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const auto parts = qkv_dw->forward(qkv->forward(x)).chunk(3, 1);  // 3 x [B, C, H, W]
  auto heads_view = [&](const torch::Tensor& t) { return t.reshape({B, heads, C / heads, H * W}); };
  torch::Tensor q = torch::nn::functional::normalize(heads_view(parts[0]),
                                                     torch::nn::functional::NormalizeFuncOptions().dim(-1));
  torch::Tensor k = torch::nn::functional::normalize(heads_view(parts[1]),
                                                     torch::nn::functional::NormalizeFuncOptions().dim(-1));
  const torch::Tensor v = heads_view(parts[2]);  // [B, h, c, HW]
  const torch::Tensor attn =
      (torch::matmul(q, k.transpose(-2, -1)) * temperature).softmax(-1);  // [B, h, c, c]
  const torch::Tensor out = torch::matmul(attn, v).reshape({B, C, H, W});
  return {project->forward(out), attn};
}

torch::Tensor DMNetImpl::forward(const torch::Tensor& x) { return forwardWithAttention(x).first; }

}  // namespace lldif
