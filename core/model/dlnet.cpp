#include "core/model/dlnet.h"

#include <cmath>

namespace lldif {

namespace nn = torch::nn;

torch::Tensor windowPartition(const torch::Tensor& x, int w) {
  const auto B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  return x.reshape({B, C, H / w, w, W / w, w})
      .permute({0, 2, 4, 3, 5, 1})  // [B, H/w, W/w, w, w, C]
      .reshape({B * (H / w) * (W / w), w * w, C});
}

torch::Tensor windowMerge(const torch::Tensor& windows, int w, int64_t B, int64_t H, int64_t W) {
  const auto C = windows.size(2);
  return windows.reshape({B, H / w, W / w, w, w, C}).permute({0, 5, 1, 3, 2, 4}).reshape({B, C, H, W});
}

DLNetImpl::DLNetImpl(int dim, int heads_, int window_) : heads(heads_), window(window_) {
  TORCH_CHECK(dim % heads == 0, "DLNet: dim must be divisible by heads");
  norm_q = register_module("norm_q", nn::LayerNorm(nn::LayerNormOptions({dim})));
  norm_kv = register_module("norm_kv", nn::LayerNorm(nn::LayerNormOptions({dim})));
  norm_mlp = register_module("norm_mlp", nn::LayerNorm(nn::LayerNormOptions({dim})));
  q = register_module("q", nn::Linear(dim, dim));
  kv = register_module("kv", nn::Linear(dim, 2 * dim));
  proj = register_module("proj", nn::Linear(dim, dim));
  fc1 = register_module("fc1", nn::Linear(dim, 2 * dim));
  fc2 = register_module("fc2", nn::Linear(2 * dim, dim));
  const int span = 2 * window - 1;
  bias_table = register_parameter("bias_table", torch::zeros({span * span, heads}));
  {
    torch::NoGradGuard ng;  // truncated normal(0, 0.02); LibTorch 1.13 has no trunc_normal_
    bias_table.normal_(0.0, 0.02).clamp_(-0.04, 0.04);
  }
  // Relative position index between every pair of tokens in a window (Swin).
  auto idx = torch::empty({window * window, window * window}, torch::kLong);
  auto a = idx.accessor<int64_t, 2>();
  for (int i = 0; i < window * window; ++i) {
    for (int j = 0; j < window * window; ++j) {
      const int dy = i / window - j / window + window - 1;
      const int dx = i % window - j % window + window - 1;
      a[i][j] = dy * span + dx;
    }
  }
  bias_index = register_buffer("bias_index", idx);
}

torch::Tensor DLNetImpl::forward(const torch::Tensor& image, const torch::Tensor& landmarks) {
  const auto B = image.size(0), C = image.size(1), H = image.size(2), W = image.size(3);
  TORCH_CHECK(H % window == 0 && W % window == 0, "DLNet: feature size must be a multiple of the window");
  const torch::Tensor img_w = windowPartition(image, window);     // [B*nW, N, C], N = w*w
  const torch::Tensor lm_w = windowPartition(landmarks, window);  // [B*nW, N, C]
  const auto BW = img_w.size(0), N = img_w.size(1), d = C / heads;

  // Eq. 5-7: Q from landmarks, K and V from the image, per head.
  const torch::Tensor qh = q->forward(norm_q->forward(lm_w)).reshape({BW, N, heads, d}).transpose(1, 2);
  const auto kvh =
      kv->forward(norm_kv->forward(img_w)).reshape({BW, N, 2, heads, d}).permute({2, 0, 3, 1, 4});
  const torch::Tensor kh = kvh[0], vh = kvh[1];  // [BW, h, N, d]
  const torch::Tensor bias = bias_table.index_select(0, bias_index.reshape({-1}))
                                 .reshape({N, N, heads})
                                 .permute({2, 0, 1})
                                 .unsqueeze(0);  // [1, h, N, N]
  const torch::Tensor attn =
      (torch::matmul(qh, kh.transpose(-2, -1)) / std::sqrt(static_cast<double>(d)) + bias)
          .softmax(-1);  // Eq. 8: softmax(QK^T / sqrt(d) + B)
  torch::Tensor o = proj->forward(torch::matmul(attn, vh).transpose(1, 2).reshape({BW, N, C}));
  o = o + lm_w;                                                           // residual on the query stream
  o = o + fc2->forward(torch::gelu(fc1->forward(norm_mlp->forward(o))));  // Eq. 9: MLP with LN
  return windowMerge(o, window, B, H, W);                                 // [B, C, H, W]
}

}  // namespace lldif
