// teacher.h - the class probabilities of trained models on the faces of a pack (an ensemble "teacher"), for
// training a single model towards what several models agree on (knowledge distillation). LibTorch only.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/model/face_pack.h"

namespace lldif {

// requires: models are trained lldif checkpoints (any variant, the plain baseline included) whose input
//   is the pack's 48x48 faces; rows [R] int64 indices into the pack.
// ensures: [R, 8] float on the CPU, each row the mean over the models (and, with flip, over the face and
//   its mirror image with mirrored landmarks) of the softmax probabilities on the clear face: the models'
//   CPU inference path (eval(), trunk BatchNorms folded, as EmotionModel runs them; batches of 128 cut into
//   as many chunks as torch's thread count, side by side), no gradients, fixed noise seed drawn before the
//   cut (the same call gives the same numbers, whatever the thread count to ~1e-6). Rows sum to 1.
// progress(done, total) is called after each batch of each model.
// throws: std::runtime_error naming the file for a missing or unusable checkpoint, or when a model's
//   framing differs from the pack's (its probabilities would be of faces framed unlike its training).
// Thread safety: uses the global torch seed and thread count; call from one thread.
torch::Tensor teacherProbabilities(const std::vector<std::filesystem::path>& models, const FacePack& pack,
                                   const torch::Tensor& rows, bool flip,
                                   const std::function<void(int64_t done, int64_t total)>& progress = {});

// Training targets toward a teacher: (1 - weight) * votes + weight * teacher, row by row ([R, 8] each).
// requires: 0 <= weight <= 1, both [R, 8] with rows summing to 1. ensures: rows sum to 1.
torch::Tensor blendTargets(const torch::Tensor& votes, const torch::Tensor& teacher, double weight);

}  // namespace lldif
