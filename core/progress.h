// progress.h - progress with an ETA for long command-line work (batches, training, evaluation).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace lldif {

// Prints "label  done/total  pct  elapsed  ETA" to a stream (stderr by default), at most every
// `interval` seconds and once at the end. Not thread safe.
class Progress {
 public:
  Progress(std::string label, long long total, std::FILE* out = stderr, double interval_s = 1.0);
  void update(long long done, const std::string& extra = {});
  void finish(const std::string& extra = {});
  double elapsedSeconds() const;

  static std::string formatDuration(double seconds);

 private:
  void print(long long done, const std::string& extra, bool final);
  std::string label_;
  long long total_;
  std::FILE* out_;
  double interval_s_;
  std::chrono::steady_clock::time_point start_, last_print_;
  long long last_done_ = 0;
  bool tty_;
};

}  // namespace lldif
