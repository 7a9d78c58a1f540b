#include "core/model/diffusion.h"

#include <cmath>
#include <stdexcept>

namespace lldif {

DiffusionSchedule::DiffusionSchedule(const ModelConfig& config) {
  const int T = config.timesteps;
  if (T < 1 || T > 1000) throw std::invalid_argument("timesteps must be in 1..1000");
  const double s0 = std::sqrt(config.beta_start), s1 = std::sqrt(config.beta_end);
  double bar = 1.0;
  for (int i = 0; i < T; ++i) {
    const double s = T == 1 ? s1 : s0 + (s1 - s0) * i / (T - 1);
    beta_.push_back(s * s);
    bar *= 1.0 - s * s;
    alpha_bar_.push_back(bar);
  }
}

torch::Tensor DiffusionSchedule::qSample(const torch::Tensor& z, int t, const torch::Tensor& noise) const {
  const double ab = alphaBar(t);
  return std::sqrt(ab) * z + std::sqrt(1.0 - ab) * noise;
}

torch::Tensor DiffusionSchedule::reverseStep(const torch::Tensor& z_t, const torch::Tensor& z0_hat,
                                             int t) const {
  const double ab_t = alphaBar(t), ab_prev = alphaBar(t - 1);
  const double c0 = std::sqrt(ab_prev) * beta(t) / (1.0 - ab_t);
  const double ct = std::sqrt(alpha(t)) * (1.0 - ab_prev) / (1.0 - ab_t);
  return c0 * z0_hat + ct * z_t;
}

std::vector<torch::Tensor> DiffusionSchedule::reverseChain(
    const torch::Tensor& z_T, const std::function<torch::Tensor(const torch::Tensor&, int)>& denoise) const {
  std::vector<torch::Tensor> traj{z_T};
  torch::Tensor z = z_T;
  for (int t = steps(); t >= 1; --t) {
    z = reverseStep(z, denoise(z, t), t);
    traj.push_back(z);
  }
  return traj;
}

}  // namespace lldif
