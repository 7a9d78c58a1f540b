#include "core/model/prior_injection.h"

namespace lldif {

ChannelLayerNormImpl::ChannelLayerNormImpl(int channels) {
  weight = register_parameter("weight", torch::ones({channels}));
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor ChannelLayerNormImpl::forward(const torch::Tensor& x) {
  const torch::Tensor t = x.permute({0, 2, 3, 1});  // [B, H, W, C]
  return torch::layer_norm(t, {t.size(3)}, weight, bias, 1e-5).permute({0, 3, 1, 2});
}

PriorInjectionImpl::PriorInjectionImpl(int dim, int prior_dim) {
  norm = register_module("norm", ChannelLayerNorm(dim));
  proj = register_module("proj", torch::nn::Linear(prior_dim, 2 * dim));
}

torch::Tensor PriorInjectionImpl::forward(const torch::Tensor& f, const torch::Tensor& z) {
  const auto wz = proj->forward(z).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);  // 2 x [B, dim, 1, 1]
  return wz[0] * norm->forward(f) + wz[1];
}

}  // namespace lldif
