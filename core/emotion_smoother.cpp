#include "core/emotion_smoother.h"

#include <algorithm>
#include <cmath>

namespace lldif {

EmotionSmoother::EmotionSmoother(double alpha, double forget_s) : forget_s_(forget_s) { setAlpha(alpha); }

void EmotionSmoother::setAlpha(double alpha) { alpha_ = std::clamp(alpha, 0.01, 1.0); }

Probs EmotionSmoother::update(int track_id, const Probs& probs, double time_s) {
  for (auto it = state_.begin(); it != state_.end();) {  // forget stale tracks (and time going back)
    const double age = time_s - it->second.last_s;
    it = (age > forget_s_ || age < 0) && it->first != track_id ? state_.erase(it) : std::next(it);
  }
  auto it = state_.find(track_id);
  if (it == state_.end() || time_s - it->second.last_s > forget_s_ || time_s < it->second.last_s) {
    state_[track_id] = {probs, time_s};
    return probs;
  }
  State& s = it->second;
  const auto a = static_cast<float>(alpha_);
  for (int k = 0; k < kNumClasses; ++k) s.p[k] = a * probs[k] + (1 - a) * s.p[k];
  s.last_s = time_s;
  return s.p;
}

}  // namespace lldif
