// dlnet.h - DLNet (Eq. 5-9): landmark-aware window cross-attention. Landmark features give the queries,
// image features the keys and values; attention inside non-overlapping windows with a learned relative
// position bias; then an MLP block with LayerNorm. Output O_i has the shape of the image features F_i.
#pragma once

#include <torch/torch.h>

namespace lldif {

struct DLNetImpl : torch::nn::Module {
  DLNetImpl(int dim, int heads, int window);
  // image: [B, dim, H, W] (F_i), landmarks: [B, dim, H, W] (landmark features) -> O_i: [B, dim, H, W].
  // requires: H and W divisible by the window size.
  torch::Tensor forward(const torch::Tensor& image, const torch::Tensor& landmarks);

  int heads, window;
  torch::nn::LayerNorm norm_q{nullptr}, norm_kv{nullptr}, norm_mlp{nullptr};
  torch::nn::Linear q{nullptr}, kv{nullptr}, proj{nullptr}, fc1{nullptr}, fc2{nullptr};
  torch::Tensor bias_table;  // [(2w-1)^2, heads]
  torch::Tensor bias_index;  // [w^2, w^2] (buffer)
};
TORCH_MODULE(DLNet);

// [B, C, H, W] -> [B * nW, w*w, C] and back.
torch::Tensor windowPartition(const torch::Tensor& x, int window);
torch::Tensor windowMerge(const torch::Tensor& windows, int window, int64_t B, int64_t H, int64_t W);

}  // namespace lldif
