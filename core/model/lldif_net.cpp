#include "core/model/lldif_net.h"

#include <cmath>

namespace lldif {

LLDifNetImpl::LLDifNetImpl(const ModelConfig& c) : config(c), schedule(c) {
  la_clip = register_module("la_clip", LaClip(128, 128));
  pnet_s1 = register_module("pnet_s1", PNetS1(128, 128, c.prior_dim));
  pnet_s2 = register_module("pnet_s2", PNetS2(1, c.prior_dim));
  denoiser = register_module("denoiser", Denoiser(c.prior_dim, c.denoiser_layers));
  llformer = register_module("llformer", LLformer(c));
}

void LLDifNetImpl::setTimesteps(int T) {
  config.timesteps = T;
  schedule = DiffusionSchedule(config);
}

torch::Tensor LLDifNetImpl::priorS1(const torch::Tensor& image, const torch::Tensor& caption_tokens) {
  const auto [tokens, pooled] = la_clip->encodeImage(image);  // [B, 36, 128], [B, 128]
  (void)pooled;
  return pnet_s1->forward(tokens, la_clip->encodeText(caption_tokens));  // [B, C]
}

std::vector<torch::Tensor> LLDifNetImpl::priorS2(const torch::Tensor& image, const torch::Tensor& noise,
                                                 const torch::Tensor& z_s1) {
  const torch::Tensor x_s2 = pnet_s2->forward(image);  // [B, C]
  if (config.variant == Variant::kV1NoDiffusion) return {x_s2};
  const int T = schedule.steps();
  const torch::Tensor z_T = z_s1.defined() ? schedule.qSample(z_s1, T, noise) : noise;
  return schedule.reverseChain(z_T, [&](const torch::Tensor& z_t, int t) {
    const torch::Tensor t_frac = torch::full({z_t.size(0), 1}, static_cast<double>(t) / T, z_t.options());
    return denoiser->forward(z_t, t_frac, x_s2);  // estimate of Z_0: [B, C]
  });
}

torch::Tensor LLDifNetImpl::classify(const torch::Tensor& image, const torch::Tensor& heatmaps,
                                     const torch::Tensor& z) {
  return llformer->forward(image, heatmaps, z);
}

int64_t inferenceParameterCount(LLDifNet& net) {
  int64_t n = 0;
  for (auto* m : {static_cast<torch::nn::Module*>(net->pnet_s2.get()),
                  static_cast<torch::nn::Module*>(net->denoiser.get()),
                  static_cast<torch::nn::Module*>(net->llformer.get())}) {
    for (const auto& p : m->parameters()) n += p.numel();
  }
  return n;
}

}  // namespace lldif
