#include "core/model/text_encoder.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <stdexcept>

namespace lldif {

namespace nn = torch::nn;

namespace {
const std::vector<std::string>& vocabulary() {
  static const std::vector<std::string> v = {
      "<pad>",     "a",        "photo",     "of",    "face",    "clear",     "dark",    "very",
      "neutral",   "happy",    "surprised", "sad",   "angry",   "disgusted", "fearful", "contemptuous",
      "happiness", "surprise", "sadness",   "anger", "disgust", "fear",      "contempt"};
  return v;
}
const std::array<const char*, 8> kAdjectives = {"neutral", "happy",     "surprised", "sad",
                                                "angry",   "disgusted", "fearful",   "contemptuous"};
const std::array<const char*, 8> kLabelWords = {"neutral", "happiness", "surprise", "sadness",
                                                "anger",   "disgust",   "fear",     "contempt"};
const std::array<const char*, kLightingLevels> kLighting = {"clear", "dark", "very dark"};

std::vector<int64_t> tokenize(const std::string& text) {
  std::vector<int64_t> ids;
  std::istringstream is(text);
  std::string w;
  const auto& v = vocabulary();
  while (is >> w) {
    const auto it = std::find(v.begin(), v.end(), w);
    if (it == v.end()) throw std::invalid_argument("word not in the caption vocabulary: " + w);
    ids.push_back(it - v.begin());
  }
  if (static_cast<int>(ids.size()) > kCaptionLength) throw std::invalid_argument("caption too long: " + text);
  ids.resize(kCaptionLength, 0);
  return ids;
}
}  // namespace

int vocabularySize() { return static_cast<int>(vocabulary().size()); }

std::string captionText(int lighting, int label) {
  return std::string("a ") + kLighting.at(static_cast<std::size_t>(lighting)) + " photo of a " +
         kAdjectives.at(static_cast<std::size_t>(label)) + " face";
}

std::vector<int64_t> captionTokens(int lighting, int label) { return tokenize(captionText(lighting, label)); }
std::vector<int64_t> labelTokens(int label) {
  return tokenize(kLabelWords.at(static_cast<std::size_t>(label)));
}

TextEncoderImpl::TextEncoderImpl(int width, int embed_dim) {
  embed =
      register_module("embed", nn::Embedding(nn::EmbeddingOptions(vocabularySize(), width).padding_idx(0)));
  pos = register_parameter("pos", torch::zeros({1, kCaptionLength, width}));
  {
    torch::NoGradGuard ng;  // truncated normal(0, 0.02); LibTorch 1.13 has no trunc_normal_
    pos.normal_(0.0, 0.02).clamp_(-0.04, 0.04);
  }
  norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({width})));
  attn = register_module("attn", nn::MultiheadAttention(nn::MultiheadAttentionOptions(width, 2)));
  norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({width})));
  fc1 = register_module("fc1", nn::Linear(width, 2 * width));
  fc2 = register_module("fc2", nn::Linear(2 * width, width));
  out = register_module("out", nn::Linear(width, embed_dim));
}

torch::Tensor TextEncoderImpl::forward(const torch::Tensor& tokens) {
  const torch::Tensor pad = tokens.eq(0);          // [B, L]
  torch::Tensor x = embed->forward(tokens) + pos;  // [B, L, width]
  const torch::Tensor h = norm1->forward(x).transpose(0, 1);
  x = x + std::get<0>(attn->forward(h, h, h, pad)).transpose(0, 1);
  x = x + fc2->forward(torch::gelu(fc1->forward(norm2->forward(x))));
  const torch::Tensor keep = (~pad).unsqueeze(-1).to(x.dtype());                // [B, L, 1]
  const torch::Tensor pooled = (x * keep).sum(1) / keep.sum(1).clamp_min(1.0);  // mean over words
  return out->forward(pooled);                                                  // [B, embed_dim]
}

}  // namespace lldif
