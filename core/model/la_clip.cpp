#include "core/model/la_clip.h"

#include <cmath>

namespace lldif {

namespace nn = torch::nn;

LaClipImpl::LaClipImpl(int token_dim, int embed_dim) {
  stem = register_module("stem", nn::Conv2d(nn::Conv2dOptions(1, 32, 3).stride(2).padding(1).bias(false)));
  stem_bn = register_module("stem_bn", nn::BatchNorm2d(32));
  block1 = register_module("block1", ResidualBlock(32, 64, 2));   // 24 -> 12
  block2 = register_module("block2", ResidualBlock(64, 128, 2));  // 12 -> 6
  to_tokens = register_module("to_tokens", nn::Conv2d(nn::Conv2dOptions(128, token_dim, 1)));
  caption_head = register_module("caption_head", nn::Linear(token_dim, embed_dim));
  label_head = register_module("label_head", nn::Linear(token_dim, embed_dim));
  text = register_module("text", TextEncoder(96, embed_dim));
  logit_scale = register_parameter("logit_scale", torch::full({1}, std::log(1.0 / 0.07)));
}

std::pair<torch::Tensor, torch::Tensor> LaClipImpl::encodeImage(const torch::Tensor& image) {
  torch::Tensor h = torch::relu(stem_bn->forward(stem->forward(image)));  // [B, 32, 24, 24]
  h = to_tokens->forward(block2->forward(block1->forward(h)));            // [B, token_dim, 6, 6]
  const torch::Tensor tokens = h.flatten(2).transpose(1, 2);              // [B, 36, token_dim]
  return {tokens, tokens.mean(1)};
}

torch::Tensor LaClipImpl::captionHead(const torch::Tensor& pooled) { return caption_head->forward(pooled); }
torch::Tensor LaClipImpl::labelHead(const torch::Tensor& pooled) { return label_head->forward(pooled); }
torch::Tensor LaClipImpl::encodeText(const torch::Tensor& tokens) { return text->forward(tokens); }

}  // namespace lldif
