// inference_conv.h - 2-D convolution that sends small CPU feature maps straight to oneDNN when no gradient
// is recorded. LibTorch 1.13 runs batch-1 convolutions on maps of under 20,480 values (here 12x12 x 96 and
// 6x6 x 192) through its im2col path, which was 1.7x / 1.3x slower than oneDNN on the 2-core CPU
// (docs/MODEL.md). Training (gradients on) and other devices use the module's own forward.
#pragma once

#include <torch/torch.h>

namespace lldif {

// x: [B, in, H, W] -> conv(x). requires: `padding` is the conv's own (zero) padding on both sides (the
// options' padding variant is read differently in LibTorch 1.13 and 2.x, so the caller states it).
// ensures: the same result as conv->forward(x) up to float rounding. Thread safe as conv->forward is.
torch::Tensor convForward(torch::nn::Conv2d& conv, const torch::Tensor& x, int64_t padding);

}  // namespace lldif
