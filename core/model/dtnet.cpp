#include "core/model/dtnet.h"

namespace lldif {

DTNetBlockImpl::DTNetBlockImpl(int dim, int prior_dim, int heads) {
  inject_attn = register_module("inject_attn", PriorInjection(dim, prior_dim));
  dmnet = register_module("dmnet", DMNet(dim, heads));
  inject_ffn = register_module("inject_ffn", PriorInjection(dim, prior_dim));
  dgnet = register_module("dgnet", DGNet(dim));
}

torch::Tensor DTNetBlockImpl::forward(const torch::Tensor& f, const torch::Tensor& z) {
  torch::Tensor x = f + dmnet->forward(inject_attn->forward(f, z));
  return x + dgnet->forward(inject_ffn->forward(x, z));
}

}  // namespace lldif
