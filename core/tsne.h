// tsne.h - exact t-SNE (van der Maaten & Hinton 2008) for a few hundred to a few thousand points: the
// diffusion-step snapshots of the prior Z_t (the paper's Fig. 7) in lldif eval --tsne and in the viewer.
//
// Contract: requires rows of equal length (>= 1) and 2+ rows; ensures one 2-D point per row, centred,
// and the same output for the same input and seed. O(N^2) memory and time per iteration: meant for
// N <= ~3000. Thread safe (no shared state); run it off the UI thread. cancel (optional) is polled
// every iteration; a cancelled run throws TsneCancelled.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>

namespace lldif {

struct TsneOptions {
  double perplexity = 30.0;  // clamped to (N - 1) / 3
  int iterations = 750;
  double learning_rate = 200.0;
  double exaggeration = 12.0;  // for the first 250 iterations
  std::uint64_t seed = 1;
};

struct TsneCancelled : std::runtime_error {
  TsneCancelled() : std::runtime_error("t-SNE cancelled") {}
};

std::vector<cv::Point2f> tsne(const std::vector<std::vector<float>>& rows, const TsneOptions& options = {},
                              const std::atomic<bool>* cancel = nullptr,
                              const std::function<void(int done, int total)>& progress = {});

}  // namespace lldif
