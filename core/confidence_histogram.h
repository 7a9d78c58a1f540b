// confidence_histogram.h - the distribution of top-class confidence, accumulated over a session (the
// viewer's clear vs low-light panel: the paper's Fig. 6, live). Not thread safe (one owner).
#pragma once

#include <vector>

namespace lldif {

class ConfidenceHistogram {
 public:
  // bins over [0, 1]; values outside are clamped into the end bins.
  explicit ConfidenceHistogram(int bins = 10);
  void add(double confidence);
  void reset();
  int bins() const { return static_cast<int>(counts_.size()); }
  const std::vector<long long>& counts() const { return counts_; }
  long long total() const { return total_; }
  double mean() const { return total_ ? sum_ / static_cast<double>(total_) : 0.0; }
  // Share of the values in each bin (sums to 1; zeros when empty).
  std::vector<double> shares() const;

 private:
  std::vector<long long> counts_;
  long long total_ = 0;
  double sum_ = 0;
};

}  // namespace lldif
