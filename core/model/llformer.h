// llformer.h - the LLformer: DTNet (image branch, steered by the EPD Z) and DLNet (landmark branch) at
// three scales, fusion x_i = Concat(F_i, O_i) (Eq. 10), tokens of all scales projected to one width and
// concatenated, transformer blocks (Eq. 11-12), pooled, classifier over the 8 FERPlus classes.
#pragma once

#include <array>
#include <vector>

#include <torch/torch.h>

#include "core/model/dlnet.h"
#include "core/model/dtnet.h"
#include "core/model/model_config.h"
#include "core/model/plain_resnet.h"

namespace lldif {

// Pre-LN transformer block: MSA + MLP.
struct TransformerBlockImpl : torch::nn::Module {
  TransformerBlockImpl(int dim, int heads, int mlp_ratio = 2);
  torch::Tensor forward(const torch::Tensor& x);  // [B, N, dim] -> [B, N, dim]
  int heads;
  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  torch::nn::Linear qkv{nullptr}, proj{nullptr}, fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(TransformerBlock);

struct FoldedTrunk;

struct LLformerImpl : torch::nn::Module {
  explicit LLformerImpl(const ModelConfig& config);
  // image: [B, 1, 48, 48] normalised gray; heatmaps: [B, K, 48, 48]; z: [B, C]  ->  logits [B, 8]
  torch::Tensor forward(const torch::Tensor& image, const torch::Tensor& heatmaps, const torch::Tensor& z);

  // forward's parts, in its order, for a caller that schedules them itself
  // (core/model/overlapped_inference.h):
  //   F_i = dtnet[i](imageTrunk(i, i == 0 ? image : F_{i-1}), z)   for i = 0, 1, 2
  //   logits = head({scaleTokens(i, F_i, landmarkFeatures(heatmaps)[i]) for i = 0, 1, 2})
  // imageTrunk: the image branch of scale i before its DTNet block (i = 0: [B, 1, 48, 48] -> [B, d0, 24, 24];
  // 1: -> [B, d1, 12, 12]; 2: -> [B, d2, 6, 6]). landmarkFeatures: heatmaps [B, K, 48, 48] -> L_i, [B, d_i,
  // H_i, W_i]. scaleTokens: DLNet (Eq. 5-9) and the fusion of Eq. 10, F_i and L_i -> [B, s*s, fusion_dim].
  // head: the three scales' tokens -> transformer blocks (Eq. 11-12) -> logits [B, 8].
  torch::Tensor imageTrunk(int i, const torch::Tensor& x);
  std::array<torch::Tensor, 3> landmarkFeatures(const torch::Tensor& heatmaps);
  torch::Tensor scaleTokens(int i, const torch::Tensor& f, const torch::Tensor& l);
  torch::Tensor head(const std::vector<torch::Tensor>& tokens);

  // For inference on the CPU: the residual trunk's BatchNorms folded into its convolutions, run through
  // oneDNN (FoldedResidualBlock; the same function up to float rounding, ~25% less time at batch 1,
  // docs/MODEL.md). requires: eval mode, weights final, backbone "resnet" (else nothing happens). ensures:
  // forward uses it on CPU float input with no gradient recorded, until train(true) drops it. Not thread
  // safe (call once, after loading).
  void foldForInference();
  void train(bool on = true) override;

  // Image branch before the DTNet block of each scale. backbone "patch": stem (48 -> 24), down1, down2;
  // backbone "resnet": res_stem at 48x48, then res1 (-> 24), res2 (-> 12), res3 (-> 6), two residual blocks
  // each, laid out like PlainResNet so that its weights fit (loadPlainBackbone).
  torch::nn::Sequential stem{nullptr}, down1{nullptr}, down2{nullptr};
  torch::nn::Sequential res_stem{nullptr}, res1{nullptr}, res2{nullptr}, res3{nullptr};
  torch::nn::Sequential lm_stem{nullptr}, lm_down1{nullptr}, lm_down2{nullptr};
  torch::nn::ModuleList dtnet, dlnet, fuse;
  torch::Tensor pos_embed;  // [1, 3 * fusion_side^2, fusion_dim]
  torch::nn::ModuleList blocks;
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear classifier{nullptr};
  int tokens_side;
  bool resnet = false;  // backbone "resnet"

 private:
  // Scale i of the image branch before its DTNet block: 0: res_stem + res1 (48 -> 24), 1: res2, 2: res3.
  torch::Tensor trunkStage(int i, const torch::Tensor& x);
  std::shared_ptr<const FoldedTrunk> folded_;
};
TORCH_MODULE(LLformer);

// Copies the trained layers of a plain baseline into the image branch of an LLformer with backbone "resnet"
// and dims kPlainResNetDims (48, 96, 192). Throws std::invalid_argument when the LLformer has another layout.
void loadPlainBackbone(LLformer& llformer, PlainResNet& plain);

// The other way: the residual trunk of a (trained) LLformer starts a plain baseline's stem and blocks (its
// head stays as it is). Throws std::invalid_argument when the LLformer has no residual backbone or other
// dims.
void loadBackboneIntoPlain(PlainResNet& plain, LLformer& llformer);

}  // namespace lldif
