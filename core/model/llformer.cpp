#include "core/model/llformer.h"

namespace lldif {

namespace nn = torch::nn;

namespace {
nn::Sequential convBnAct(int in, int out, int stride) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)),
                        nn::BatchNorm2d(out), nn::GELU());
}
}  // namespace

TransformerBlockImpl::TransformerBlockImpl(int dim, int heads, int mlp_ratio) {
  norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({dim})));
  attn = register_module("attn", nn::MultiheadAttention(nn::MultiheadAttentionOptions(dim, heads)));
  norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({dim})));
  fc1 = register_module("fc1", nn::Linear(dim, dim * mlp_ratio));
  fc2 = register_module("fc2", nn::Linear(dim * mlp_ratio, dim));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x) {
  const torch::Tensor h = norm1->forward(x).transpose(0, 1);  // MultiheadAttention wants [N, B, dim]
  const torch::Tensor a = std::get<0>(attn->forward(h, h, h)).transpose(0, 1);
  torch::Tensor y = x + a;
  return y + fc2->forward(torch::gelu(fc1->forward(norm2->forward(y))));
}

LLformerImpl::LLformerImpl(const ModelConfig& c) {
  const auto& d = c.dims;
  tokens_side = c.input_size / 8;                              // 48 -> 6
  stem = register_module("stem", convBnAct(1, d[0], 2));       // 48 -> 24
  down1 = register_module("down1", convBnAct(d[0], d[1], 2));  // 24 -> 12
  down2 = register_module("down2", convBnAct(d[1], d[2], 2));  // 12 -> 6
  lm_stem = register_module("lm_stem", convBnAct(c.heatmap_channels, d[0], 2));
  lm_down1 = register_module("lm_down1", convBnAct(d[0], d[1], 2));
  lm_down2 = register_module("lm_down2", convBnAct(d[1], d[2], 2));
  dtnet = register_module("dtnet", nn::ModuleList());
  dlnet = register_module("dlnet", nn::ModuleList());
  fuse = register_module("fuse", nn::ModuleList());
  for (int i = 0; i < 3; ++i) {
    dtnet->push_back(DTNetBlock(d[i], c.prior_dim, c.heads));
    dlnet->push_back(DLNet(d[i], c.heads, c.window));
    fuse->push_back(nn::Linear(2 * d[i], c.fusion_dim));  // Concat(F_i, O_i) -> fusion width
  }
  pos_embed = register_parameter("pos_embed", torch::zeros({1, 3 * tokens_side * tokens_side, c.fusion_dim}));
  {
    torch::NoGradGuard ng;  // truncated normal(0, 0.02); LibTorch 1.13 has no trunc_normal_
    pos_embed.normal_(0.0, 0.02).clamp_(-0.04, 0.04);
  }
  blocks = register_module("blocks", nn::ModuleList());
  for (int i = 0; i < c.fusion_blocks; ++i) blocks->push_back(TransformerBlock(c.fusion_dim, c.heads));
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({c.fusion_dim})));
  classifier = register_module("classifier", nn::Linear(c.fusion_dim, kNumClasses));
}

torch::Tensor LLformerImpl::forward(const torch::Tensor& image, const torch::Tensor& heatmaps,
                                    const torch::Tensor& z) {
  // Image branch F_i and landmark branch L_i at 24x24, 12x12, 6x6.
  std::array<torch::Tensor, 3> f, l;
  f[0] = stem->forward(image);  // [B, d0, 24, 24]
  l[0] = lm_stem->forward(heatmaps);
  f[0] = dtnet[0]->as<DTNetBlock>()->forward(f[0], z);
  f[1] = dtnet[1]->as<DTNetBlock>()->forward(down1->forward(f[0]), z);  // [B, d1, 12, 12]
  l[1] = lm_down1->forward(l[0]);
  f[2] = dtnet[2]->as<DTNetBlock>()->forward(down2->forward(f[1]), z);  // [B, d2, 6, 6]
  l[2] = lm_down2->forward(l[1]);

  std::vector<torch::Tensor> tokens;
  for (int i = 0; i < 3; ++i) {
    const torch::Tensor o = dlnet[i]->as<DLNet>()->forward(f[i], l[i]);  // O_i: [B, d_i, H_i, W_i]
    torch::Tensor x = torch::cat({f[i], o}, 1);                          // Eq. 10: [B, 2 d_i, H_i, W_i]
    x = torch::adaptive_avg_pool2d(x, {tokens_side, tokens_side});       // [B, 2 d_i, 6, 6]
    x = x.flatten(2).transpose(1, 2);                                    // [B, 36, 2 d_i]
    tokens.push_back(fuse[i]->as<nn::Linear>()->forward(x));             // [B, 36, fusion_dim]
  }
  torch::Tensor x = torch::cat(tokens, 1) + pos_embed;                      // [B, 108, fusion_dim]
  for (const auto& b : *blocks) x = b->as<TransformerBlock>()->forward(x);  // Eq. 11-12
  return classifier->forward(norm->forward(x.mean(1)));                     // [B, 8]
}

}  // namespace lldif
