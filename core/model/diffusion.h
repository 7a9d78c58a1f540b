// diffusion.h - the 4-step diffusion over the embedding prior (Eq. 14 and 16), DiffIR's "x0" form.
#pragma once

#include <functional>
#include <vector>

#include <torch/torch.h>

#include "core/model/model_config.h"

namespace lldif {

// Noise schedule. beta_t for t = 1..T is linear in sqrt space (DiffIR): T = 4 gives
// beta = [0.100, 0.294, 0.591, 0.990], alpha_bar_T ~= 0.0026, so Z_T is almost pure noise.
// Thread safe after construction (read only).
class DiffusionSchedule {
 public:
  explicit DiffusionSchedule(const ModelConfig& config);

  int steps() const { return static_cast<int>(beta_.size()); }
  double beta(int t) const { return beta_.at(static_cast<std::size_t>(t - 1)); }  // t in 1..T
  double alpha(int t) const { return 1.0 - beta(t); }
  double alphaBar(int t) const { return t == 0 ? 1.0 : alpha_bar_.at(static_cast<std::size_t>(t - 1)); }

  // Eq. 14: q(Z_t | Z) = N(sqrt(alpha_bar_t) Z, (1 - alpha_bar_t) I).  z, noise: [B, C].
  torch::Tensor qSample(const torch::Tensor& z, int t, const torch::Tensor& noise) const;

  // One reverse step in the x0 form: given Z_t and the denoiser's estimate of Z_0, the posterior mean
  //   Z_{t-1} = c0(t) * Z0_hat + ct(t) * Z_t,
  //   c0 = sqrt(alpha_bar_{t-1}) beta_t / (1 - alpha_bar_t),  ct = sqrt(alpha_t) (1 - alpha_bar_{t-1}) / (1 -
  //   alpha_bar_t)
  // (deterministic given Z_T, as DiffIR; at t = 1, c0 = 1 and ct = 0, so Z_0 = Z0_hat).
  torch::Tensor reverseStep(const torch::Tensor& z_t, const torch::Tensor& z0_hat, int t) const;

  // The full reverse chain from Z_T. denoise(z_t, t) returns the estimate of Z_0, [B, C].
  // Differentiable (no no-grad inside) for stage-2 training. Returns Z_T, Z_{T-1}, ..., Z_0 (T + 1 tensors).
  std::vector<torch::Tensor> reverseChain(
      const torch::Tensor& z_T, const std::function<torch::Tensor(const torch::Tensor&, int)>& denoise) const;

 private:
  std::vector<double> beta_, alpha_bar_;
};

}  // namespace lldif
