// inference_conv.h - convolutions at inference on the CPU, through oneDNN.
// convForward: sends small CPU feature maps straight to oneDNN when no gradient is recorded. LibTorch 1.13
// runs batch-1 convolutions on maps of under 20,480 values (here 12x12 x 96 and 6x6 x 192) through its
// im2col path, which was 1.7x / 1.3x slower than oneDNN on the 2-core CPU (docs/MODEL.md). Training
// (gradients on) and other devices use the module's own forward.
// FoldedConvBn / FoldedResidualBlock: a convolution and the BatchNorm after it as one oneDNN convolution
// with a bias, its weights reordered once into oneDNN's blocked layout, and the activations kept in that
// layout from one convolution to the next (the residual trunk, docs/MODEL.md).
#pragma once

#include <array>
#include <optional>

#include <torch/torch.h>

#include "core/model/pnet_s2.h"

namespace lldif {

// x: [B, in, H, W] -> conv(x). requires: `padding` is the conv's own (zero) padding on both sides (the
// options' padding variant is read differently in LibTorch 1.13 and 2.x, so the caller states it).
// ensures: the same result as conv->forward(x) up to float rounding. Thread safe as conv->forward is.
torch::Tensor convForward(torch::nn::Conv2d& conv, const torch::Tensor& x, int64_t padding);

// True when this LibTorch can run FoldedConvBn (it was built with oneDNN, as Debian's and PyTorch's are).
bool canFoldForInference();

// bn(conv(x)) with the BatchNorm's running statistics folded into the convolution: W' = W s, b' = beta -
// mean s, s = gamma / sqrt(var + eps). requires: canFoldForInference(); conv without bias, one group, on
// the CPU in float; `padding` as for convForward. The weights are copied: later changes to the modules'
// weights are not seen (fold again). Thread safe (const).
class FoldedConvBn {
 public:
  FoldedConvBn(const torch::nn::Conv2dImpl& conv, const torch::nn::BatchNorm2dImpl& bn, int64_t padding);
  // x: [B, in, H, W], dense or oneDNN layout -> [B, out, H', W'] in oneDNN layout; call under no-grad.
  torch::Tensor forward(const torch::Tensor& x) const;

 private:
  torch::Tensor weight_;  // oneDNN blocked layout
  torch::Tensor bias_;    // [out]
  std::array<int64_t, 2> stride_{}, padding_{}, dilation_{};
};

// A ResidualBlock (eval mode) with its BatchNorms folded: relu(bn2(conv2(relu(bn1(conv1 x)))) + skip(x)).
// Same contract as FoldedConvBn.
class FoldedResidualBlock {
 public:
  explicit FoldedResidualBlock(const ResidualBlockImpl& block);
  // x: [B, in, H, W], dense or oneDNN layout -> [B, out, H/stride, W/stride] in oneDNN layout
  torch::Tensor forward(const torch::Tensor& x) const;

 private:
  FoldedConvBn conv1_, conv2_;
  std::optional<FoldedConvBn> skip_;
};

}  // namespace lldif
