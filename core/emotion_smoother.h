// emotion_smoother.h - temporal smoothing of per-face emotion probabilities (exponential moving average
// per track id), so overlays do not flicker. Users can switch it off (alpha = 1).
//
// Contract: update() requires probabilities of one face; ensures the smoothed vector still sums to ~1.
// Tracks unseen for longer than forget_s are dropped. Not thread safe (UI thread).
#pragma once

#include <array>
#include <map>

#include "core/model/model_config.h"

namespace lldif {

using Probs = std::array<float, kNumClasses>;

class EmotionSmoother {
 public:
  // alpha in (0, 1]: weight of the newest frame (1: no smoothing).
  explicit EmotionSmoother(double alpha = 0.35, double forget_s = 2.0);
  void setAlpha(double alpha);
  double alpha() const { return alpha_; }
  Probs update(int track_id, const Probs& probs, double time_s);
  void reset() { state_.clear(); }
  std::size_t tracks() const { return state_.size(); }

 private:
  struct State {
    Probs p{};
    double last_s = 0;
  };
  double alpha_;
  double forget_s_;
  std::map<int, State> state_;
};

}  // namespace lldif
