#include "core/tsne.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace lldif {

namespace {

// Row i of P: Gaussian conditional probabilities with the bandwidth that gives the target perplexity.
void conditionalRow(const std::vector<double>& d2, int i, int n, double perplexity, double* p) {
  const double target = std::log(perplexity);
  double beta = 1.0, lo = 0.0, hi = 1e300;
  for (int it = 0; it < 64; ++it) {
    double sum = 0.0, h = 0.0;
    for (int j = 0; j < n; ++j) {
      p[j] = j == i ? 0.0 : std::exp(-beta * d2[static_cast<std::size_t>(i) * n + j]);
      sum += p[j];
    }
    sum = std::max(sum, 1e-300);
    for (int j = 0; j < n; ++j) h += beta * d2[static_cast<std::size_t>(i) * n + j] * p[j];
    h = std::log(sum) + h / sum;  // entropy in nats
    for (int j = 0; j < n; ++j) p[j] /= sum;
    if (std::fabs(h - target) < 1e-5) break;
    if (h > target) {
      lo = beta;
      beta = hi >= 1e300 ? beta * 2 : 0.5 * (beta + hi);
    } else {
      hi = beta;
      beta = 0.5 * (beta + lo);
    }
  }
}

}  // namespace

std::vector<cv::Point2f> tsne(const std::vector<std::vector<float>>& rows, const TsneOptions& o,
                              const std::atomic<bool>* cancel,
                              const std::function<void(int, int)>& progress) {
  const int n = static_cast<int>(rows.size());
  if (n < 2) throw std::invalid_argument("t-SNE needs at least 2 points");
  const std::size_t dim = rows[0].size();
  if (dim == 0) throw std::invalid_argument("t-SNE: empty rows");
  for (const auto& r : rows)
    if (r.size() != dim) throw std::invalid_argument("t-SNE: rows of different lengths");

  // Squared distances, normalised by their mean so the bandwidth search starts in a sane range.
  std::vector<double> d2(static_cast<std::size_t>(n) * n);
  double mean = 0;
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      double s = 0;
      for (std::size_t k = 0; k < dim; ++k) {
        const double d = static_cast<double>(rows[i][k]) - rows[j][k];
        s += d * d;
      }
      d2[static_cast<std::size_t>(i) * n + j] = d2[static_cast<std::size_t>(j) * n + i] = s;
      mean += s;
    }
  }
  mean /= 0.5 * n * (n - 1);
  if (mean > 0)
    for (auto& v : d2) v /= mean;

  // Symmetric joint probabilities P.
  const double perp = std::clamp(o.perplexity, 1.0, std::max(1.0, (n - 1) / 3.0));
  std::vector<double> P(static_cast<std::size_t>(n) * n);
  for (int i = 0; i < n; ++i) conditionalRow(d2, i, n, perp, &P[static_cast<std::size_t>(i) * n]);
  for (int i = 0; i < n; ++i) {
    for (int j = i + 1; j < n; ++j) {
      const double v = std::max((P[static_cast<std::size_t>(i) * n + j] + P[static_cast<std::size_t>(j) * n + i]) /
                                    (2.0 * n),
                                1e-12);
      P[static_cast<std::size_t>(i) * n + j] = P[static_cast<std::size_t>(j) * n + i] = v;
    }
  }

  // Gradient descent with momentum and gains (the original recipe).
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> normal(0.0, 1e-4);
  std::vector<double> y(2 * static_cast<std::size_t>(n)), vel(y.size(), 0.0), gain(y.size(), 1.0),
      grad(y.size());
  for (auto& v : y) v = normal(rng);
  std::vector<double> num(static_cast<std::size_t>(n) * n);
  for (int it = 0; it < o.iterations; ++it) {
    if (cancel && cancel->load()) throw TsneCancelled();
    const double exag = it < 250 ? o.exaggeration : 1.0;
    const double momentum = it < 250 ? 0.5 : 0.8;
    double z = 0;
    for (int i = 0; i < n; ++i) {
      num[static_cast<std::size_t>(i) * n + i] = 0;
      for (int j = i + 1; j < n; ++j) {
        const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
        const double q = 1.0 / (1.0 + dx * dx + dy * dy);
        num[static_cast<std::size_t>(i) * n + j] = num[static_cast<std::size_t>(j) * n + i] = q;
        z += 2 * q;
      }
    }
    std::fill(grad.begin(), grad.end(), 0.0);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        if (i == j) continue;
        const double q = num[static_cast<std::size_t>(i) * n + j];
        const double m = (exag * P[static_cast<std::size_t>(i) * n + j] - q / z) * q;
        grad[2 * i] += 4 * m * (y[2 * i] - y[2 * j]);
        grad[2 * i + 1] += 4 * m * (y[2 * i + 1] - y[2 * j + 1]);
      }
    }
    for (std::size_t k = 0; k < y.size(); ++k) {
      gain[k] = (grad[k] > 0) != (vel[k] > 0) ? gain[k] + 0.2 : std::max(0.01, gain[k] * 0.8);
      vel[k] = momentum * vel[k] - o.learning_rate * gain[k] * grad[k];
      y[k] += vel[k];
    }
    double cx = 0, cy = 0;
    for (int i = 0; i < n; ++i) {
      cx += y[2 * i];
      cy += y[2 * i + 1];
    }
    for (int i = 0; i < n; ++i) {
      y[2 * i] -= cx / n;
      y[2 * i + 1] -= cy / n;
    }
    if (progress && (it % 25 == 0 || it + 1 == o.iterations)) progress(it + 1, o.iterations);
  }
  std::vector<cv::Point2f> out(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = {static_cast<float>(y[2 * i]), static_cast<float>(y[2 * i + 1])};
  return out;
}

}  // namespace lldif
