#include "core/model/losses.h"

namespace lldif {

namespace F = torch::nn::functional;

torch::Tensor softCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target) {
  return -(target * torch::log_softmax(logits, 1)).sum(1).mean();
}

torch::Tensor weightedSoftCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target,
                                       const torch::Tensor& class_weights) {
  if (!class_weights.defined()) return softCrossEntropy(logits, target);
  const torch::Tensor per_sample = -(target * torch::log_softmax(logits, 1)).sum(1);  // [B]
  const torch::Tensor w = torch::matmul(target, class_weights.to(target.device()));   // [B]
  return (w * per_sample).sum() / w.sum().clamp_min(1e-8);
}

torch::Tensor priorKl(const torch::Tensor& z_s1, const torch::Tensor& z0, double tau) {
  const torch::Tensor p = torch::softmax(z_s1 / tau, 1);
  return (p * (torch::log_softmax(z_s1 / tau, 1) - torch::log_softmax(z0 / tau, 1))).sum(1).mean();
}

torch::Tensor textSideLogits(const torch::Tensor& image, const torch::Tensor& label_text,
                             const torch::Tensor& logit_scale) {
  const auto opts = F::NormalizeFuncOptions().dim(1);
  return logit_scale.exp().clamp_max(100.0) *
         torch::matmul(F::normalize(image, opts), F::normalize(label_text, opts).t());
}

torch::Tensor symmetricInfoNce(const torch::Tensor& image, const torch::Tensor& text,
                               const torch::Tensor& caption_ids, const torch::Tensor& logit_scale) {
  const torch::Tensor logits = textSideLogits(image, text, logit_scale);                          // [B, B]
  torch::Tensor same = caption_ids.unsqueeze(1).eq(caption_ids.unsqueeze(0)).to(logits.dtype());  // [B, B]
  same = same / same.sum(1, true);
  return 0.5 * (softCrossEntropy(logits, same) + softCrossEntropy(logits.t(), same));
}

}  // namespace lldif
