#include "core/model/llformer.h"

#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

#include "core/model/inference_conv.h"

namespace lldif {

namespace nn = torch::nn;

namespace {
nn::Sequential convBnAct(int in, int out, int stride) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)),
                        nn::BatchNorm2d(out), nn::GELU());
}
// Patch merging: 2x2 convolution, stride 2 (half the cost of a 3x3 one).
nn::Sequential downsample(int in, int out) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, out, 2).stride(2).bias(false)), nn::BatchNorm2d(out),
                        nn::GELU());
}
}  // namespace

TransformerBlockImpl::TransformerBlockImpl(int dim, int heads_, int mlp_ratio) : heads(heads_) {
  TORCH_CHECK(dim % heads == 0, "TransformerBlock: dim must be divisible by heads");
  norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({dim})));
  qkv = register_module("qkv", nn::Linear(dim, 3 * dim));
  proj = register_module("proj", nn::Linear(dim, dim));
  norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({dim})));
  fc1 = register_module("fc1", nn::Linear(dim, dim * mlp_ratio));
  fc2 = register_module("fc2", nn::Linear(dim * mlp_ratio, dim));
}

torch::Tensor TransformerBlockImpl::forward(const torch::Tensor& x) {
  // Multi-head self-attention written out (fewer ops than nn::MultiheadAttention at batch 1).
  const auto B = x.size(0), N = x.size(1), D = x.size(2), d = D / heads;
  const auto qkv_h = qkv->forward(norm1->forward(x)).reshape({B, N, 3, heads, d}).permute({2, 0, 3, 1, 4});
  const torch::Tensor attn =
      (torch::matmul(qkv_h[0], qkv_h[1].transpose(-2, -1)) / std::sqrt(static_cast<double>(d)))
          .softmax(-1);  // [B, h, N, N]
  torch::Tensor y = x + proj->forward(torch::matmul(attn, qkv_h[2]).transpose(1, 2).reshape({B, N, D}));
  return y + fc2->forward(torch::gelu(fc1->forward(norm2->forward(y))));
}

struct FoldedTrunk {
  FoldedConvBn stem;                                       // res_stem's conv + BatchNorm (ReLU applied after)
  std::array<std::vector<FoldedResidualBlock>, 3> stages;  // res1, res2, res3
};

LLformerImpl::LLformerImpl(const ModelConfig& c) {
  const auto& d = c.dims;
  tokens_side = c.fusion_side;
  resnet = c.backbone == "resnet";
  if (resnet) {
    res_stem = register_module("res_stem",
                               nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 32, 3).padding(1).bias(false)),
                                              nn::BatchNorm2d(32), nn::ReLU()));  // [B, 32, 48, 48]
    res1 = register_module("res1", nn::Sequential(ResidualBlock(32, d[0], 2), ResidualBlock(d[0], d[0], 1)));
    res2 =
        register_module("res2", nn::Sequential(ResidualBlock(d[0], d[1], 2), ResidualBlock(d[1], d[1], 1)));
    res3 =
        register_module("res3", nn::Sequential(ResidualBlock(d[1], d[2], 2), ResidualBlock(d[2], d[2], 1)));
  } else {
    stem = register_module("stem", convBnAct(1, d[0], 2));     // 48 -> 24
    down1 = register_module("down1", downsample(d[0], d[1]));  // 24 -> 12
    down2 = register_module("down2", downsample(d[1], d[2]));  // 12 -> 6
  }
  // Landmark features: the heatmaps, area-pooled to each scale, through one 3x3 convolution each.
  lm_stem = register_module("lm_stem", convBnAct(c.heatmap_channels, d[0], 1));
  lm_down1 = register_module("lm_down1", convBnAct(c.heatmap_channels, d[1], 1));
  lm_down2 = register_module("lm_down2", convBnAct(c.heatmap_channels, d[2], 1));
  dtnet = register_module("dtnet", nn::ModuleList());
  dlnet = register_module("dlnet", nn::ModuleList());
  fuse = register_module("fuse", nn::ModuleList());
  for (int i = 0; i < 3; ++i) {
    DTNetBlock block(d[i], c.prior_dim, c.heads);
    if (resnet) {
      // On a (possibly pretrained) convolutional trunk each DTNet block starts as the identity: the last
      // projections of DMNet and DGNet are zero, so the trunk's features pass unchanged until training
      // has learnt what the prior should change.
      torch::NoGradGuard ng;
      block->dmnet->project->weight.zero_();
      block->dgnet->project->weight.zero_();
    }
    dtnet->push_back(block);
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
  const torch::Tensor f0 = dtnet[0]->as<DTNetBlock>()->forward(imageTrunk(0, image), z);  // [B, d0, 24, 24]
  const torch::Tensor f1 = dtnet[1]->as<DTNetBlock>()->forward(imageTrunk(1, f0), z);     // [B, d1, 12, 12]
  const torch::Tensor f2 = dtnet[2]->as<DTNetBlock>()->forward(imageTrunk(2, f1), z);     // [B, d2, 6, 6]
  const std::array<torch::Tensor, 3> l = landmarkFeatures(heatmaps);
  return head({scaleTokens(0, f0, l[0]), scaleTokens(1, f1, l[1]), scaleTokens(2, f2, l[2])});
}

torch::Tensor LLformerImpl::imageTrunk(int i, const torch::Tensor& x) {
  if (resnet) return trunkStage(i, x);
  return i == 0 ? stem->forward(x) : i == 1 ? down1->forward(x) : down2->forward(x);
}

std::array<torch::Tensor, 3> LLformerImpl::landmarkFeatures(const torch::Tensor& heatmaps) {
  const torch::Tensor h24 = torch::avg_pool2d(heatmaps, 2);  // [B, K, 24, 24]
  const torch::Tensor h12 = torch::avg_pool2d(h24, 2);
  return {lm_stem->forward(h24),                          // [B, d0, 24, 24]
          lm_down1->forward(h12),                         // [B, d1, 12, 12]
          lm_down2->forward(torch::avg_pool2d(h12, 2))};  // [B, d2, 6, 6]
}

torch::Tensor LLformerImpl::scaleTokens(int i, const torch::Tensor& f, const torch::Tensor& l) {
  const torch::Tensor o = dlnet[i]->as<DLNet>()->forward(f, l);   // O_i: [B, d_i, H_i, W_i]
  torch::Tensor x = torch::cat({f, o}, 1);                        // Eq. 10: [B, 2 d_i, H_i, W_i]
  x = torch::adaptive_avg_pool2d(x, {tokens_side, tokens_side});  // [B, 2 d_i, s, s]
  x = x.flatten(2).transpose(1, 2);                               // [B, s*s, 2 d_i]
  return fuse[i]->as<nn::Linear>()->forward(x);                   // [B, s*s, fusion_dim]
}

torch::Tensor LLformerImpl::head(const std::vector<torch::Tensor>& tokens) {
  torch::Tensor x = torch::cat(tokens, 1) + pos_embed;                      // [B, 3 s*s, fusion_dim]
  for (const auto& b : *blocks) x = b->as<TransformerBlock>()->forward(x);  // Eq. 11-12
  return classifier->forward(norm->forward(x.mean(1)));                     // [B, 8]
}

torch::Tensor LLformerImpl::trunkStage(int i, const torch::Tensor& x) {
  if (folded_ && !is_training() && !torch::GradMode::is_enabled() && x.is_cpu() &&
      x.scalar_type() == torch::kFloat) {
    torch::Tensor h = i == 0 ? torch::relu(folded_->stem.forward(x.contiguous())) : x;  // oneDNN layout
    for (const FoldedResidualBlock& b : folded_->stages[static_cast<std::size_t>(i)]) h = b.forward(h);
    return h.to_dense();  // [B, d_i, H_i, W_i]
  }
  if (i == 0) return res1->forward(res_stem->forward(x));
  return i == 1 ? res2->forward(x) : res3->forward(x);
}

void LLformerImpl::foldForInference() {
  if (!resnet || is_training() || !canFoldForInference()) return;
  const auto* conv = res_stem->ptr(0)->as<nn::Conv2dImpl>();
  const auto* bn = res_stem->ptr(1)->as<nn::BatchNorm2dImpl>();
  if (!conv || !bn || !conv->weight.is_cpu()) return;
  auto trunk = std::make_shared<FoldedTrunk>(FoldedTrunk{FoldedConvBn(*conv, *bn, 1), {}});
  const std::array<nn::Sequential*, 3> stages = {&res1, &res2, &res3};
  for (std::size_t i = 0; i < stages.size(); ++i)
    for (const auto& m : **stages[i]) trunk->stages[i].emplace_back(*m.get<ResidualBlock>());
  folded_ = std::move(trunk);
}

void LLformerImpl::train(bool on) {
  if (on) folded_.reset();  // the weights are about to change
  nn::Module::train(on);
}

namespace {

// PlainResNet's layer prefixes and the LLformer's: stem, stem_bn, blocks.0-5  <->  res_stem.0, res_stem.1,
// res1.0-1, res2.0-1, res3.0-1.
std::map<std::string, std::string> plainToLLformerPrefixes() {
  std::map<std::string, std::string> prefix = {{"stem.", "res_stem.0."}, {"stem_bn.", "res_stem.1."}};
  for (int i = 0; i < 6; ++i)
    prefix["blocks." + std::to_string(i) + "."] =
        "res" + std::to_string(i / 2 + 1) + "." + std::to_string(i % 2) + ".";
  return prefix;
}

// Copies every parameter and buffer of `from` whose name starts with a key of `prefix` into `to`'s tensor
// of the mapped name; returns how many were copied. from_name and to_name name the two sides in errors.
int copyRenamed(torch::nn::Module& from, torch::nn::Module& to,
                const std::map<std::string, std::string>& prefix, const std::string& from_name,
                const std::string& to_name) {
  auto params = to.named_parameters(true);
  auto buffers = to.named_buffers(true);
  torch::NoGradGuard ng;
  int copied = 0;
  const auto copy = [&](const std::string& key, const torch::Tensor& value, auto& dst) {
    for (const auto& [src, dst_prefix] : prefix) {
      if (key.rfind(src, 0) != 0) continue;
      const std::string name = dst_prefix + key.substr(src.size());
      torch::Tensor* t = dst.find(name);
      if (t == nullptr || !t->sizes().equals(value.sizes()))
        throw std::invalid_argument(from_name + "'s " + key + " does not fit " + to_name + "'s " + name);
      t->copy_(value);
      ++copied;
    }
  };
  for (const auto& p : from.named_parameters(true)) copy(p.key(), p.value(), params);
  for (const auto& b : from.named_buffers(true)) copy(b.key(), b.value(), buffers);
  return copied;
}

}  // namespace

void loadPlainBackbone(LLformer& llformer, PlainResNet& plain) {
  if (!llformer->resnet)
    throw std::invalid_argument("the LLformer has no residual backbone (backbone 'patch')");
  if (copyRenamed(*plain, *llformer, plainToLLformerPrefixes(), "the plain baseline", "the LLformer") == 0)
    throw std::invalid_argument("no backbone layer copied from the plain baseline");
}

void loadBackboneIntoPlain(PlainResNet& plain, LLformer& llformer) {
  if (!llformer->resnet)
    throw std::invalid_argument("the LLformer has no residual backbone (backbone 'patch')");
  std::map<std::string, std::string> prefix;
  for (const auto& [plain_prefix, llformer_prefix] : plainToLLformerPrefixes())
    prefix[llformer_prefix] = plain_prefix;
  if (copyRenamed(*llformer, *plain, prefix, "the LLformer", "the plain baseline") == 0)
    throw std::invalid_argument("no backbone layer copied from the LLformer");
}

}  // namespace lldif
