// plain_resnet.h - the plain baseline of the training issue: a compact ResNet on the aligned gray crop,
// no landmarks, no prior, no diffusion (Variant::kPlain). Same tool, data, augmentation and time budget as
// LLDif, so the comparison says what the prior and the landmark branch earn.
//
// Contract: requires a [B, 1, 48, 48] normalised crop; ensures [B, 8] logits. Not thread safe (a module).
#pragma once

#include <array>

#include <torch/torch.h>

#include "core/model/model_config.h"
#include "core/model/pnet_s2.h"

namespace lldif {

// Channels of the residual trunk at 24x24, 12x12, 6x6 (after a 32-channel stem). The LLformer's "resnet"
// backbone takes these dims so that a trained baseline can start it (loadPlainBackbone).
inline constexpr std::array<int, 3> kPlainResNetDims = {48, 96, 192};

// `base` with the LLformer built on this residual trunk: backbone "resnet", dims kPlainResNetDims, fusion
// width 128. The shipped network, and what stage 1 rebuilds its LLformer as with `lldif train
// --backbone-from`.
ModelConfig withResidualBackbone(ModelConfig base);

struct PlainResNetImpl : torch::nn::Module {
  PlainResNetImpl();
  // x: [B, 1, 48, 48] -> logits [B, 8]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d stem{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  torch::nn::Sequential blocks{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear head{nullptr};
  // When set, training-mode dropout draws its mask from this generator instead of LibTorch's global one
  // (data-parallel training: each part's replica draws from its own, seeded by the training loop, so that
  // a run repeats exactly).
  c10::optional<torch::Generator> dropout_generator;
};
TORCH_MODULE(PlainResNet);

// Multiply-accumulates per face of the residual trunk on a 48x48 crop: the 3x3 stem (32 ch) and two basic
// blocks at each of 24x24, 12x12, 6x6 with d0, d1, d2 channels (PlainResNet; the LLformer's "resnet"
// backbone).
int64_t residualTrunkMacs(int64_t d0, int64_t d1, int64_t d2);

// Multiply-accumulates per face (convolutions and the head).
int64_t plainResNetMacs();

}  // namespace lldif
