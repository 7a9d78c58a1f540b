// dtnet.h - one DTNet block: prior injection (Eq. 2) before DMNet (Eq. 3) and before DGNet (Eq. 4),
// each with a residual connection.
#pragma once

#include <torch/torch.h>

#include "core/model/dgnet.h"
#include "core/model/dmnet.h"
#include "core/model/prior_injection.h"

namespace lldif {

struct DTNetBlockImpl : torch::nn::Module {
  DTNetBlockImpl(int dim, int prior_dim, int heads);
  // f: [B, dim, H, W], z: [B, prior_dim] -> [B, dim, H, W]
  torch::Tensor forward(const torch::Tensor& f, const torch::Tensor& z);

  PriorInjection inject_attn{nullptr}, inject_ffn{nullptr};
  DMNet dmnet{nullptr};
  DGNet dgnet{nullptr};
};
TORCH_MODULE(DTNetBlock);

}  // namespace lldif
