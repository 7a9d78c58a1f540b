#include "core/model/dgnet.h"

namespace lldif {

namespace nn = torch::nn;

DGNetImpl::DGNetImpl(int dim, int expansion) {
  const int hidden = dim * expansion;
  expand = register_module("expand", nn::Conv2d(nn::Conv2dOptions(dim, 2 * hidden, 1).bias(false)));
  dw = register_module(
      "dw",
      nn::Conv2d(nn::Conv2dOptions(2 * hidden, 2 * hidden, 3).padding(1).groups(2 * hidden).bias(false)));
  project = register_module("project", nn::Conv2d(nn::Conv2dOptions(hidden, dim, 1).bias(false)));
}

torch::Tensor DGNetImpl::forward(const torch::Tensor& x) {
  const auto ab = dw->forward(expand->forward(x)).chunk(2, 1);  // 2 x [B, hidden, H, W]
  return project->forward(torch::gelu(ab[0]) * ab[1]);          // [B, dim, H, W]
}

}  // namespace lldif
