#include "core/confidence_histogram.h"

#include <algorithm>
#include <stdexcept>

namespace lldif {

ConfidenceHistogram::ConfidenceHistogram(int bins) {
  if (bins < 1) throw std::invalid_argument("histogram needs at least one bin");
  counts_.assign(static_cast<std::size_t>(bins), 0);
}

void ConfidenceHistogram::add(double c) {
  c = std::clamp(c, 0.0, 1.0);
  const int b = std::min(bins() - 1, static_cast<int>(c * bins()));
  ++counts_[static_cast<std::size_t>(b)];
  ++total_;
  sum_ += c;
}

void ConfidenceHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  sum_ = 0;
}

std::vector<double> ConfidenceHistogram::shares() const {
  std::vector<double> s(counts_.size(), 0.0);
  if (total_ == 0) return s;
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<double>(counts_[i]) / static_cast<double>(total_);
  return s;
}

}  // namespace lldif
