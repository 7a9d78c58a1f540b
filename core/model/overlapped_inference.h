// overlapped_inference.h - stage-2 inference of a batch on two threads, for the case where the batch is too
// small to cut into parts (one face, which is the viewer's clear mode and `lldif predict` on a portrait).
//
// At batch 1 the network is a chain of small operations that OpenMP cannot spread over two cores with any
// gain (fork and join cost more; docs/MODEL.md), but the chain has two branches: the prior (PNET_s2 and the
// T denoiser steps) and the landmark branch (landmark stems, DLNet, the fusion of each scale) do not need
// the image trunk until they meet it. So the calling thread runs the image branch (trunk and DTNet block of
// each scale, then the last scale's DLNet and the head) while a helper thread computes the prior, hands Z_0
// to the first DTNet block, then computes the landmark features and each scale's DLNet tokens as soon as
// that scale's F_i is ready.
//
//   helper:  PNET_s2 + denoiser -> Z_0 |  L_0..L_2  | wait F_0: DLNet_0 | wait F_1: DLNet_1
//   caller:  trunk_0 ... wait Z_0 -> DTNet_0 -> F_0 | trunk_1 -> DTNet_1 -> F_1 | trunk_2 -> DTNet_2 -> F_2
//            -> DLNet_2 -> wait the helper -> head
//
// Contract. requires: net is an LLDif network (not the plain baseline) on the CPU in eval mode, and the
// caller records no gradient (InferenceMode or NoGradGuard); image [B, 1, 48, 48], heatmaps [B, K, 48, 48],
// noise [B, C] on the CPU. ensures: the same trajectory and logits as priorS2 followed by classify (the
// same operations on the same tensors, in another order across threads: equal up to float rounding, in
// practice bit for bit); each of the two threads runs with one OpenMP thread and the caller's count is
// restored; a failure on either thread is rethrown on the caller after both have stopped. Thread safety:
// the network is only read; one call at a time per network is what EmotionModel does, but concurrent calls
// on one network are as safe as two forwards.
#pragma once

#include <vector>

#include <torch/torch.h>

#include "core/model/lldif_net.h"

namespace lldif {

struct OverlappedResult {
  std::vector<torch::Tensor> trajectory;  // Z_T, ..., Z_0: T + 1 tensors of [B, C] (priorS2's)
  torch::Tensor logits;                   // [B, 8]
  double prior_ms = 0;                    // the prior's own time on the helper thread (beside the trunk)
};

OverlappedResult inferOverlapped(LLDifNetImpl& net, const torch::Tensor& image, const torch::Tensor& heatmaps,
                                 const torch::Tensor& noise);

}  // namespace lldif
