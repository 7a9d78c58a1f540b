// lldif_net.h - the whole LLDif network: LA-CLIP + PNET_s1 (stages 0-1), PNET_s2 + denoiser + diffusion
// (stage 2) and the LLformer (both). One module, so one checkpoint holds every stage.
// Variant::kPlain holds only the plain baseline: priorS2 then returns a zero prior and classify ignores the
// heatmaps and the prior.
#pragma once

#include <vector>

#include <torch/torch.h>

#include "core/model/denoiser.h"
#include "core/model/diffusion.h"
#include "core/model/la_clip.h"
#include "core/model/llformer.h"
#include "core/model/model_config.h"
#include "core/model/plain_resnet.h"
#include "core/model/pnet_s1.h"
#include "core/model/pnet_s2.h"

namespace lldif {

struct LLDifNetImpl : torch::nn::Module {
  explicit LLDifNetImpl(const ModelConfig& config);

  // Stage 1: Z_s1 = PNET_s1(LA-CLIP tokens of image, text embedding of the true caption).
  // image: [B, 1, 48, 48], caption_tokens: [B, L] int64  ->  [B, C]
  torch::Tensor priorS1(const torch::Tensor& image, const torch::Tensor& caption_tokens);

  // Stage 2 prior. image: [B, 1, 48, 48]; noise: [B, C] (epsilon for Z_T).
  // z_s1 (optional, training with "insert noise"): Z_T = sqrt(alpha_bar_T) Z_s1 + sqrt(1 - alpha_bar_T)
  // noise; otherwise Z_T = noise. Returns the trajectory Z_T, ..., Z_0 (T + 1 tensors of [B, C]); for the
  // no-diffusion variant V1, a single tensor, x_s2 itself. Differentiable.
  std::vector<torch::Tensor> priorS2(const torch::Tensor& image, const torch::Tensor& noise,
                                     const torch::Tensor& z_s1 = {});

  // Classification with a given prior. image: [B, 1, 48, 48], heatmaps: [B, K, 48, 48], z: [B, C] -> [B, 8]
  torch::Tensor classify(const torch::Tensor& image, const torch::Tensor& heatmaps, const torch::Tensor& z);

  // The number of diffusion steps used by priorS2 (default config.timesteps); changing it rebuilds the
  // schedule (Fig. 8: accuracy vs T).
  void setTimesteps(int T);

  // Inference on the CPU: folds the LLformer's trunk BatchNorms into its convolutions
  // (LLformerImpl::foldForInference; same contract: eval mode, final weights, undone by train(true)).
  void foldForInference();

  ModelConfig config;
  DiffusionSchedule schedule;
  LaClip la_clip{nullptr};
  PNetS1 pnet_s1{nullptr};
  PNetS2 pnet_s2{nullptr};
  Denoiser denoiser{nullptr};
  LLformer llformer{nullptr};
  PlainResNet plain{nullptr};  // only in Variant::kPlain, which has none of the modules above
};
TORCH_MODULE(LLDifNet);

// The network's input from gray images scaled to [0, 1]: (x01 - input_mean) / input_std, any shape
// (training, teachers and inference all feed the network through this).
torch::Tensor normaliseInput(const torch::Tensor& x01, const ModelConfig& config);

// Parameters of the modules that stage-2 inference runs (PNET_s2, denoiser, LLformer).
int64_t inferenceParameterCount(LLDifNet& net);

// Multiply-accumulates per face of stage-2 inference (PNET_s2, T denoiser steps, LLformer), counted
// from the architecture: convolutions, linear layers and attention products (norms, activations and
// softmax excluded).
int64_t stage2Macs(const ModelConfig& config);

}  // namespace lldif
