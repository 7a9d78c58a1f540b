// stopwatch.h - wall-clock timing (pipeline stages, training, progress), in seconds or milliseconds, and
// durations as people read them.
// Stateless, thread safe.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

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

// "42s", "3m07s" or "2h05m" (rounded to the second; negative counts as 0).
inline std::string formatDuration(double seconds) {
  const long t = static_cast<long>((seconds < 0 ? 0 : seconds) + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  else if (t >= 60)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%lds", t);
  return buf;
}

// The time a piece of work has left, as formatDuration writes it, from the seconds it has taken so far and
// the fraction of it done (0..1): "?" until at least 1% is done, as an estimate from the first item or two
// (which also carry the start-up) can be off by hours.
inline std::string formatEta(double elapsed_s, double fraction_done) {
  if (!(fraction_done >= 0.01)) return "?";
  return formatDuration(elapsed_s / fraction_done * (1 - fraction_done));
}

}  // namespace lldif
