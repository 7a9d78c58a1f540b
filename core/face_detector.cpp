#include "core/face_detector.h"

#include <algorithm>

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

#include "core/image_io.h"

namespace lldif {

struct FaceDetector::Impl {
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
};

FaceDetector::FaceDetector(const DetectorOptions& options)
    : impl_(std::make_unique<Impl>()), options_(options) {}
FaceDetector::~FaceDetector() = default;
FaceDetector::FaceDetector(FaceDetector&&) noexcept = default;
FaceDetector& FaceDetector::operator=(FaceDetector&&) noexcept = default;

std::vector<FaceBox> FaceDetector::detect(const cv::Mat& image, const DetectorOptions& options) {
  if (image.empty()) return {};
  const cv::Mat gray = toGray(image);
  double scale = std::clamp(options.scale, 0.05, 4.0);
  const int side = std::max(gray.cols, gray.rows);
  if (options.min_side > 0 && side * scale < options.min_side)
    scale = static_cast<double>(options.min_side) / side;
  if (options.max_side > 0 && side * scale > options.max_side)
    scale = static_cast<double>(options.max_side) / side;
  cv::Mat work;
  if (std::abs(scale - 1.0) > 1e-6) {
    cv::resize(gray, work, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  } else {
    work = gray;
  }
  if (!work.isContinuous()) work = work.clone();

  dlib::cv_image<unsigned char> dimg(work);
  std::vector<dlib::rect_detection> dets;
  // dlib suppresses overlapping boxes in score order, so the boxes at or above `threshold` are the same
  // whether the search went lower or not.
  const double search = std::min(options.threshold, options.fallback_threshold);
  if (options.upsample > 0) {
    dlib::array2d<unsigned char> up;
    dlib::assign_image(up, dimg);
    for (int i = 0; i < options.upsample; ++i) dlib::pyramid_up(up);
    impl_->detector(up, dets, search);
    scale *= static_cast<double>(1 << options.upsample);
  } else {
    impl_->detector(dimg, dets, search);
  }

  std::vector<FaceBox> out;
  out.reserve(dets.size());
  const float inv = static_cast<float>(1.0 / scale);
  for (const auto& d : dets) {
    const auto& r = d.rect;
    FaceBox box;
    box.rect = cv::Rect2f(r.left() * inv, r.top() * inv, (r.width()) * inv, (r.height()) * inv);
    box.score = d.detection_confidence;
    out.push_back(box);
  }
  std::sort(out.begin(), out.end(), [](const FaceBox& a, const FaceBox& b) { return a.score > b.score; });
  if (search < options.threshold) {
    if (!out.empty() && out.front().score < options.threshold) {
      out.resize(1);  // none reached the threshold: the best one, from the fallback
    } else {
      out.erase(std::remove_if(out.begin(), out.end(),
                               [&](const FaceBox& b) { return b.score < options.threshold; }),
                out.end());
    }
  }
  return out;
}

}  // namespace lldif
