#include "core/model/lldif_net.h"

#include <cmath>
#include <stdexcept>

namespace lldif {

LLDifNetImpl::LLDifNetImpl(const ModelConfig& c) : config(c), schedule(c) {
  if (c.variant == Variant::kPlain) {
    plain = register_module("plain", PlainResNet());
    return;
  }
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

void LLDifNetImpl::foldForInference() {
  if (llformer) llformer->foldForInference();
}

torch::Tensor LLDifNetImpl::priorS1(const torch::Tensor& image, const torch::Tensor& caption_tokens) {
  if (!la_clip) throw std::logic_error("the plain baseline has no stage-1 prior");
  const auto [tokens, pooled] = la_clip->encodeImage(image);  // [B, 36, 128], [B, 128]
  (void)pooled;
  return pnet_s1->forward(tokens, la_clip->encodeText(caption_tokens));  // [B, C]
}

std::vector<torch::Tensor> LLDifNetImpl::priorS2(const torch::Tensor& image, const torch::Tensor& noise,
                                                 const torch::Tensor& z_s1) {
  if (plain) return {torch::zeros({image.size(0), config.prior_dim}, image.options())};
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
  if (plain) return plain->forward(image);
  return llformer->forward(image, heatmaps, z);
}

int64_t inferenceParameterCount(LLDifNet& net) {
  int64_t n = 0;
  if (net->plain) {
    for (const auto& p : net->plain->parameters()) n += p.numel();
    return n;
  }
  for (auto* m : {static_cast<torch::nn::Module*>(net->pnet_s2.get()),
                  static_cast<torch::nn::Module*>(net->denoiser.get()),
                  static_cast<torch::nn::Module*>(net->llformer.get())}) {
    for (const auto& p : m->parameters()) n += p.numel();
  }
  return n;
}

int64_t stage2Macs(const ModelConfig& c) {
  if (c.variant == Variant::kPlain) return plainResNetMacs();
  const int64_t C = c.prior_dim, K = c.heatmap_channels, F = c.fusion_dim, T = c.timesteps;
  const int64_t d0 = c.dims[0], d1 = c.dims[1], d2 = c.dims[2];
  auto conv = [](int64_t out_hw, int64_t out_c, int64_t in_c, int64_t k) {
    return out_hw * out_c * in_c * k * k;
  };
  // PNET_s2
  int64_t m = conv(576, 16, 1, 3) + conv(144, 32, 16, 3) + conv(144, 32, 32, 3) + conv(144, 32, 16, 1) +
              conv(36, 64, 32, 3) + conv(36, 64, 64, 3) + conv(36, 64, 32, 1) + conv(9, 128, 64, 3) +
              conv(9, 128, 128, 3) + conv(9, 128, 64, 1) + 128 * C;
  // Denoiser, T steps
  if (c.variant != Variant::kV1NoDiffusion) m += T * ((2 * C + 1) * C + c.denoiser_layers * C * C);
  // LLformer: image and landmark stems
  m += c.backbone == "resnet" ? residualTrunkMacs(d0, d1, d2)
                              : conv(576, d0, 1, 3) + conv(144, d1, d0, 2) + conv(36, d2, d1, 2);
  m += conv(576, d0, K, 3) + conv(144, d1, K, 3) + conv(36, d2, K, 3);
  const std::array<int64_t, 3> n = {576, 144, 36};
  const std::array<int64_t, 3> d = {d0, d1, d2};
  const int64_t N = static_cast<int64_t>(c.window) * c.window;
  for (int i = 0; i < 3; ++i) {
    const int64_t hw = n[i], w = d[i];
    m += 2 * 2 * C * w;                                                            // prior injections (Eq. 2)
    m += hw * w * 3 * w + hw * 3 * w * 9 + 2 * hw * w * w / c.heads + hw * w * w;  // DMNet (Eq. 3)
    m += hw * w * 4 * w + hw * 4 * w * 9 + hw * 2 * w * w;                         // DGNet (Eq. 4)
    m += hw * w * w + hw * w * 2 * w + 2 * hw * N * w + hw * w * w + hw * w * 2 * w * 2;  // DLNet (Eq. 5-9)
    m += int64_t{c.fusion_side} * c.fusion_side * 2 * w * F;  // fusion projection (Eq. 10)
  }
  const int64_t M = 3 * int64_t{c.fusion_side} * c.fusion_side;
  m += c.fusion_blocks * (M * F * 3 * F + 2 * M * M * F + M * F * F + M * F * 2 * F * 2);  // Eq. 11-12
  m += F * kNumClasses;
  return m;
}

torch::Tensor normaliseInput(const torch::Tensor& x01, const ModelConfig& config) {
  return (x01 - config.input_mean) / config.input_std;
}

}  // namespace lldif
