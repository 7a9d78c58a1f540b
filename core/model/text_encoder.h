// text_encoder.h - LA-CLIP's text side: a fixed word vocabulary for template captions
// ("a dark photo of a surprised face") and label words, and a small transformer text encoder.
// No pretrained CLIP can be downloaded here, so the whole LA-CLIP is trained from scratch (stage 0).
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

namespace lldif {

// Lighting words used in captions, by darkening level: 0 clear, 1 ll-like, 2 xll-like.
inline constexpr int kLightingLevels = 3;

// Word ids of the caption for (lighting level, class); fixed length kCaptionLength (padded with 0).
inline constexpr int kCaptionLength = 8;
std::vector<int64_t> captionTokens(int lighting, int label);
std::string captionText(int lighting, int label);
// Word ids of the label word of a class (e.g. "happiness"), padded to kCaptionLength.
std::vector<int64_t> labelTokens(int label);
// Caption id in 0 .. kLightingLevels * 8 - 1 (equal ids = identical captions).
inline int captionId(int lighting, int label) { return lighting * 8 + label; }
int vocabularySize();

struct TextEncoderImpl : torch::nn::Module {
  TextEncoderImpl(int width, int embed_dim);
  // tokens: [B, L] int64 (0 = padding) -> [B, embed_dim]
  torch::Tensor forward(const torch::Tensor& tokens);

  torch::nn::Embedding embed{nullptr};
  torch::Tensor pos;  // [1, L, width]
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::MultiheadAttention attn{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, out{nullptr};
};
TORCH_MODULE(TextEncoder);

}  // namespace lldif
