// denoiser.h - the diffusion denoiser: an MLP on Concat(Z_t, t / T, x_s2) -> estimate of Z_0 (DiffIR).
#pragma once

#include <torch/torch.h>

namespace lldif {

struct DenoiserImpl : torch::nn::Module {
  // dim: C. layers: C -> C layers after the input layer.
  DenoiserImpl(int dim, int layers);

  // z_t: [B, C], t_frac: [B, 1] (t / T), cond: [B, C] (x_s2)  ->  [B, C]
  torch::Tensor forward(const torch::Tensor& z_t, const torch::Tensor& t_frac, const torch::Tensor& cond);

  torch::nn::Linear input{nullptr};
  torch::nn::ModuleList body;
};
TORCH_MODULE(Denoiser);

}  // namespace lldif
