#include "core/face_aligner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace lldif {

namespace {
constexpr int kStableFirst = 27;  // nose bridge ... last eye point
constexpr int kStableLast = 47;
}  // namespace

cv::Matx23d estimateSimilarity(const Landmarks& from, const Landmarks& to) {
  cv::Point2d mf(0, 0), mt(0, 0);
  const int n = kStableLast - kStableFirst + 1;
  for (int i = kStableFirst; i <= kStableLast; ++i) {
    mf += cv::Point2d(from[i]);
    mt += cv::Point2d(to[i]);
  }
  mf /= n;
  mt /= n;
  double sxx = 0, a = 0, b = 0;
  for (int i = kStableFirst; i <= kStableLast; ++i) {
    const cv::Point2d s = cv::Point2d(from[i]) - mf;
    const cv::Point2d t = cv::Point2d(to[i]) - mt;
    sxx += s.dot(s);
    a += s.x * t.x + s.y * t.y;
    b += s.x * t.y - s.y * t.x;
  }
  if (sxx < 1e-9) throw std::invalid_argument("estimateSimilarity: degenerate landmarks");
  a /= sxx;
  b /= sxx;
  // Keep the least-squares scale, take the rotation from the eye line.
  const double scale = std::hypot(a, b);
  const cv::Point2f ef = rightEyeCentre(from) - leftEyeCentre(from);
  const cv::Point2f et = rightEyeCentre(to) - leftEyeCentre(to);
  const double angle = std::atan2(et.y, et.x) - std::atan2(ef.y, ef.x);
  a = scale * std::cos(angle);
  b = scale * std::sin(angle);
  // [x'; y'] = [a -b; b a] [x; y] + t
  const double tx = mt.x - (a * mf.x - b * mf.y);
  const double ty = mt.y - (b * mf.x + a * mf.y);
  return cv::Matx23d(a, -b, tx, b, a, ty);
}

cv::Mat renderHeatmaps(const Landmarks& lm, int size, float sigma) {
  const int dims[3] = {kHeatmapChannels, size, size};
  cv::Mat maps(3, dims, CV_32F, cv::Scalar(0));
  const float inv2s2 = 1.0f / (2.0f * sigma * sigma);
  const int radius = static_cast<int>(std::ceil(3.0f * sigma));
  for (int c = 0; c < kHeatmapChannels; ++c) {
    float* plane = maps.ptr<float>(c);
    for (int i = kLandmarkParts[c].first; i <= kLandmarkParts[c].last; ++i) {
      const float px = lm[i].x, py = lm[i].y;
      const int x0 = std::max(0, static_cast<int>(std::floor(px)) - radius);
      const int x1 = std::min(size - 1, static_cast<int>(std::ceil(px)) + radius);
      const int y0 = std::max(0, static_cast<int>(std::floor(py)) - radius);
      const int y1 = std::min(size - 1, static_cast<int>(std::ceil(py)) + radius);
      for (int y = y0; y <= y1; ++y) {
        for (int x = x0; x <= x1; ++x) {
          const float d2 = (x - px) * (x - px) + (y - py) * (y - py);
          float& v = plane[y * size + x];
          v = std::max(v, std::exp(-d2 * inv2s2));
        }
      }
    }
  }
  return maps;
}

Landmarks transformLandmarks(const Landmarks& landmarks, const cv::Matx23d& m) {
  Landmarks out;
  for (std::size_t i = 0; i < landmarks.size(); ++i) {
    const cv::Point2f& p = landmarks[i];
    out[i] = cv::Point2f(static_cast<float>(m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2)),
                         static_cast<float>(m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)));
  }
  return out;
}

AlignedFace alignFace(const cv::Mat& gray, const Landmarks& landmarks, const AlignOptions& options) {
  if (gray.empty() || gray.type() != CV_8UC1)
    throw std::invalid_argument("alignFace: 8-bit gray frame required");
  const int size = options.size;
  // The template is defined at 48x48; other sizes scale it about pixel centres.
  Landmarks tmpl = ferplusTemplate();
  if (size != kCropSize) {
    const float s = static_cast<float>(size) / kCropSize;
    for (auto& p : tmpl) p = cv::Point2f((p.x + 0.5f) * s - 0.5f, (p.y + 0.5f) * s - 0.5f);
  }
  AlignedFace out;
  out.frame_to_crop = estimateSimilarity(landmarks, tmpl);
  const cv::Matx23d& m = out.frame_to_crop;

  // Supersample by k when the face is bigger than the crop, then area-reduce: no aliasing.
  const double scale = std::hypot(m(0, 0), m(1, 0));
  const int k = std::clamp(static_cast<int>(std::ceil(1.0 / std::max(scale, 1e-6))), 1, 8);
  if (k == 1) {
    cv::warpAffine(gray, out.crop, m, cv::Size(size, size), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  } else {
    const double off = (k - 1) / 2.0;
    const cv::Matx23d mk(k * m(0, 0), k * m(0, 1), k * m(0, 2) + off,  //
                         k * m(1, 0), k * m(1, 1), k * m(1, 2) + off);
    cv::Mat big;
    cv::warpAffine(gray, big, mk, cv::Size(size * k, size * k), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    cv::resize(big, out.crop, cv::Size(size, size), 0, 0, cv::INTER_AREA);
  }
  out.landmarks = transformLandmarks(landmarks, m);
  out.heatmaps = renderHeatmaps(out.landmarks, size, options.heatmap_sigma);
  return out;
}

}  // namespace lldif
