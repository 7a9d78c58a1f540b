// la_clip.h - LA-CLIP: a small CLIP trained from scratch (stage 0). Image encoder F_l with a caption head
// f_c^I and a label head f_l^I; text encoder over template captions and label words.
#pragma once

#include <torch/torch.h>

#include "core/model/pnet_s2.h"
#include "core/model/text_encoder.h"

namespace lldif {

struct LaClipImpl : torch::nn::Module {
  // token_dim: width of the image tokens PNET_s1 attends to; embed_dim: joint space.
  LaClipImpl(int token_dim = 128, int embed_dim = 128);

  // image: [B, 1, 48, 48] -> tokens [B, 36, token_dim] (6x6 grid) and pooled [B, token_dim]
  std::pair<torch::Tensor, torch::Tensor> encodeImage(const torch::Tensor& image);
  torch::Tensor captionHead(const torch::Tensor& pooled);  // f_c^I: [B, embed_dim]
  torch::Tensor labelHead(const torch::Tensor& pooled);    // f_l^I: [B, embed_dim]
  torch::Tensor encodeText(const torch::Tensor& tokens);   // [B, L] -> [B, embed_dim]

  torch::nn::Conv2d stem{nullptr}, to_tokens{nullptr};
  torch::nn::BatchNorm2d stem_bn{nullptr};
  ResidualBlock block1{nullptr}, block2{nullptr};
  torch::nn::Linear caption_head{nullptr}, label_head{nullptr};
  TextEncoder text{nullptr};
  torch::Tensor logit_scale;  // log of the InfoNCE temperature's inverse
};
TORCH_MODULE(LaClip);

}  // namespace lldif
