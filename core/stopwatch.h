// stopwatch.h - wall-clock timing (pipeline stages, training, progress), in seconds or milliseconds.
// Stateless, thread safe.
#pragma once

#include <chrono>

namespace lldif {

using Clock = std::chrono::steady_clock;

// Seconds from t0 to now.
inline double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Milliseconds from t0 to now.
inline double msSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace lldif
