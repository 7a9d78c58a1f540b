// losses.h - the training losses: L_ce (Eq. 13) on soft labels, L_kl (Eq. 17), L_total (Eq. 18), and
// LA-CLIP's (symmetric InfoNCE, label alignment through the text side).
#pragma once

#include <torch/torch.h>

namespace lldif {

// Cross-entropy against a target distribution. logits: [B, K], target: [B, K] (rows sum to 1) -> scalar.
torch::Tensor softCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target);
// The same with each sample weighted by its target's class weight (target [B, K] . class_weights [K]): the
// weighted mean of the per-sample losses. class_weights undefined: softCrossEntropy.
torch::Tensor weightedSoftCrossEntropy(const torch::Tensor& logits, const torch::Tensor& target,
                                       const torch::Tensor& class_weights);

// Eq. 17 on softmax-normalised priors: KL(softmax(z_s1 / tau) || softmax(z0 / tau)), batch mean.
// z_s1, z0: [B, C] -> scalar. Zero when z0 == z_s1.
torch::Tensor priorKl(const torch::Tensor& z_s1, const torch::Tensor& z0, double tau);

// Symmetric InfoNCE between image and text embeddings [B, E]; same_caption[B] gives caption ids so that
// identical captions in a batch are not treated as negatives of each other.
torch::Tensor symmetricInfoNce(const torch::Tensor& image, const torch::Tensor& text,
                               const torch::Tensor& caption_ids, const torch::Tensor& logit_scale);

// CLIP-style classification through the text side: logits = scale * norm(image) . norm(label_text)^T.
// image: [B, E], label_text: [K, E] -> [B, K]
torch::Tensor textSideLogits(const torch::Tensor& image, const torch::Tensor& label_text,
                             const torch::Tensor& logit_scale);

}  // namespace lldif
