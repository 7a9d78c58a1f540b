#include "core/model/denoiser.h"

namespace lldif {

DenoiserImpl::DenoiserImpl(int dim, int layers) {
  input = register_module("input", torch::nn::Linear(2 * dim + 1, dim));
  body = register_module("body", torch::nn::ModuleList());
  for (int i = 0; i < layers; ++i) body->push_back(torch::nn::Linear(dim, dim));
}

torch::Tensor DenoiserImpl::forward(const torch::Tensor& z_t, const torch::Tensor& t_frac,
                                    const torch::Tensor& cond) {
  torch::Tensor h = torch::leaky_relu(input->forward(torch::cat({z_t, t_frac, cond}, 1)), 0.1);  // [B, C]
  for (std::size_t i = 0; i < body->size(); ++i) {
    h = body[i]->as<torch::nn::Linear>()->forward(h);
    if (i + 1 < body->size()) h = torch::leaky_relu(h, 0.1);
  }
  return h;  // [B, C]
}

}  // namespace lldif
